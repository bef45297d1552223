/*
 * pm.h - the PM stand-in (servers/pm): plays MINIX's process manager at PM_PROC_NR until the
 * real PM arrives. Its main loop receives a message, hands it to the handler of its type and
 * replies with the handler's result (unless it is SUSPEND: no reply now, or never).
 */
#ifndef PM_H
#define PM_H
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <stdio.h>
#include <errno.h>
#include <minix/config.h>
#include <minix/const.h>
#include <minix/types.h>
#include <signal.h>
#include <minix/com.h>
#include <minix/callnr.h>
#include <minix/ipc.h>
#include <minix/syslib.h>

/* A handler's result: OK/error/value goes back as the reply's m_type; SUSPEND sends nothing. */
typedef int (*pm_handler_t)(message *m);

/* What PM keeps per process slot (MINIX's mproc, reduced to memory and family). */
struct mproc {
	int            mp_in_use;
	int            mp_parent;           /* process number of the parent */
	struct mem_map mp_seg[NR_LOCAL_SEGS];
};
extern struct mproc mproc[NR_PROCS];
#define FIRST_FREE_SLOT  (PEER_PROC_NR + 1)   /* slots below belong to boot processes */

/* main.c */
extern int pm_failures;
void pm_check(const char *what, int ok, int got);
int  pm_reply(int whom, int result, message *m);

/* alloc.c: free memory from the kernel's kinfo, handed out in clicks. */
int  mem_init(void);
phys_clicks alloc_mem(phys_clicks clicks);

/* forkexec.c: FORK and EXEC for a requesting process; a child from PM's own image. */
int  pm_do_fork(message *m);
int  pm_do_exec(message *m);
int  pm_spawn_from_self(vir_bytes pc, const char *name);

/* proctest.c: the boot-time checks of process creation (until real programs exist). */
void proctest_start(void);
int  proctest_message(message *m, int *result);
extern char exec_stack[];
#define EXEC_STACK_BYTES 2048
void child_entry(void);             /* entry.S: where PM's first child starts */
void exec_entry(void);              /* entry.S: where an exec'd child starts */

/* pm_signal.c: the signal manager's part of PM (owned by the signals work). */
void pm_signal_init(void);
/* Handles a message if it is a signal matter (SYS_SIG notification, KILL, SIGACTION, ...);
 * returns 1 and sets *result when it did, 0 when the message is not about signals. */
int  pm_signal_message(message *m, int *result);
/* PM's exit and fork paths call these so signal state follows the process slots. */
void pm_signal_exit(int proc_nr);
void pm_signal_fork(int parent, int child);
#endif
