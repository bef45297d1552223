/*
 * signal.c - the POSIX side of signals and tracing as MINIX's libc does it: each call is a
 * message to PM (SIGACTION, SIGRETURN, KILL, PTRACE, WAITPID) with 3.1.1's fields. Errors come
 * back negative (every program here is part of the system), not through errno.
 */
#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <minix/types.h>
#include <minix/com.h>
#include <minix/callnr.h>
#include <minix/ipc.h>
#include <minix/syslib.h>
#include <signal.h>
#include <sys/sigcontext.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

void __sigreturn(void);

int
sigaction(int sig, const struct sigaction *act, struct sigaction *oact)
{
	message m;

	m.m1_i2 = sig;
	m.m1_p1 = (char *)act;
	m.m1_p2 = (char *)oact;
	m.m1_p3 = (char *)__sigreturn;
	return taskcall(PM_PROC_NR, SIGACTION, &m);
}

/* The registers come back from scp; the message must not be on the stack that goes away. */
int
sigreturn(struct sigcontext *scp)
{
	static message m;

	m.m2_l1 = scp->sc_mask;
	m.m2_i2 = scp->sc_flags;
	m.m2_p1 = (char *)scp;
	return taskcall(PM_PROC_NR, SIGRETURN, &m);
}

int
kill(int pid, int sig)
{
	message m;

	m.m1_i1 = pid;
	m.m1_i2 = sig;
	return taskcall(PM_PROC_NR, KILL, &m);
}

int
ptrace(int req, int pid, long addr, long *data)
{
	message m;
	int r;

	m.m2_i1 = pid;
	m.m2_i2 = req;
	m.m2_l1 = addr;
	m.m2_l2 = data != NULL ? *data : 0;
	r = taskcall(PM_PROC_NR, PTRACE, &m);
	if (r == OK && data != NULL)
		*data = m.m2_l2;
	return r;
}

int
waitpid(int pid, int *status, int options)
{
	message m;
	int r;

	m.m1_i1 = pid;
	m.m1_i2 = options;
	r = taskcall(PM_PROC_NR, WAITPID, &m);
	if (r >= 0 && status != NULL)
		*status = m.m2_i1;
	return r;
}
