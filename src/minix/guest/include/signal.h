/*
 * signal.h - MINIX 3.1.1's signal numbers and sets (bit n of a sigset_t is signal n), the
 * sigaction record, and struct sigmsg, with which PM hands the kernel a catcher (SYS_SIGSEND).
 * Needs minix/types.h.
 */
#ifndef _SIGNAL_H
#define _SIGNAL_H

typedef unsigned long sigset_t;

#define _NSIG          20       /* signals 1.._NSIG are in use */
#define SIGHUP          1
#define SIGINT          2       /* the TTY's INTR key */
#define SIGQUIT         3       /* the TTY's QUIT key */
#define SIGILL          4
#define SIGTRAP         5       /* debug exception: a traced process stepped */
#define SIGABRT         6
#define SIGIOT          6
#define SIGUNUSED       7
#define SIGEMT          7       /* breakpoint (int3) in 3.1.1's exception table */
#define SIGFPE          8
#define SIGKILL         9       /* cannot be caught or ignored */
#define SIGUSR1        10
#define SIGBUS         10
#define SIGSEGV        11
#define SIGUSR2        12
#define SIGPIPE        13
#define SIGALRM        14
#define SIGTERM        15
#define SIGCHLD        17
#define SIGKMESS       18       /* MINIX's signals for system processes */
#define SIGKSIG        19       /* a kernel signal waits for PM (SYS_SIG's NOTIFY_ARG bit) */
#define SIGKSTOP       20

typedef void (*sighandler_t)(int);
#define SIG_DFL        ((sighandler_t)0)
#define SIG_IGN        ((sighandler_t)1)

struct sigaction {
	sighandler_t sa_handler;
	sigset_t     sa_mask;
	int          sa_flags;
};

/* What PM passes with SYS_SIGSEND: the signal, the mask to restore, and three addresses. */
struct sigmsg {
	int           sm_signo;
	unsigned long sm_mask;
	vir_bytes     sm_sighandler;   /* the catcher, in the process's D segment */
	vir_bytes     sm_sigreturn;    /* the library's __sigreturn the catcher returns to */
	vir_bytes     sm_stkptr;       /* the process's stack pointer when it was signalled */
};

/* lib/signal.c: requests to PM */
int sigaction(int sig, const struct sigaction *act, struct sigaction *oact);
int kill(int pid, int sig);

int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);
#endif
