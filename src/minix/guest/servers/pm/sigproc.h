/*
 * sigproc.h - what PM's signal manager keeps per process slot, shared by pm_signal.c (signals)
 * and pm_trace.c (tracing, as MINIX splits signal.c and trace.c). Include after pm.h and the
 * kernel's type.h and proc.h.
 */
#ifndef SIGPROC_H
#define SIGPROC_H
#define STOP_STATUS(sig) (((sig) << 8) | 0177)  /* as wait() reports a stopped child */

struct sigproc {
	sigset_t ignore, catch, mask, pending;
	struct sigaction act[_NSIG + 1];
	vir_bytes sigreturn;            /* the library's __sigreturn, from SIGACTION */
	int tracer;                     /* who traces it (T_OK), NONE when nobody */
	int stopped;                    /* the signal that stopped it while traced, 0 = running */
	int waiter;                     /* tracer or parent suspended in WAITPID until it stops or ends */
};

extern struct sigproc sigprocs[NR_PROCS];

/* pm_signal.c */
int  sig_valid_proc(int nr);
int  sig_getproc(int nr, struct proc *p);
void sig_end_process(int nr);
void sig_proc(int nr, int signo);

/* pm_trace.c */
void stop_proc(int nr, int signo);
int  do_ptrace(message *m);
int  do_waitpid_traced(message *m);
#endif
