/*
 * sys_signal.c - the library side of the signal and trace kernel calls (MINIX 3.1.1's
 * sys_kill, sys_getksig, sys_endksig, sys_sigsend, sys_sigreturn, sys_trace).
 */
#include <stddef.h>
#include <errno.h>
#include <minix/types.h>
#include <minix/com.h>
#include <minix/ipc.h>
#include <minix/syslib.h>
#include <signal.h>

int
sys_kill(int proc_nr, int sig)
{
	message m;

	m.SIG_PROC = proc_nr;
	m.SIG_NUMBER = sig;
	return taskcall(SYSTEM, SYS_KILL, &m);
}

int
sys_getksig(int *proc_nr, sigset_t *map)
{
	message m;
	int r = taskcall(SYSTEM, SYS_GETKSIG, &m);

	*proc_nr = m.SIG_PROC;
	*map = (sigset_t)m.SIG_MAP;
	return r;
}

int
sys_endksig(int proc_nr)
{
	message m;

	m.SIG_PROC = proc_nr;
	return taskcall(SYSTEM, SYS_ENDKSIG, &m);
}

int
sys_sigsend(int proc_nr, struct sigmsg *sig_ctxt)
{
	message m;

	m.SIG_PROC = proc_nr;
	m.SIG_CTXT_PTR = (char *)sig_ctxt;
	return taskcall(SYSTEM, SYS_SIGSEND, &m);
}

int
sys_sigreturn(int proc_nr, vir_bytes sig_ctxt)
{
	message m;

	m.SIG_PROC = proc_nr;
	m.SIG_CTXT_PTR = (char *)sig_ctxt;
	return taskcall(SYSTEM, SYS_SIGRETURN, &m);
}

int
sys_trace(int request, int proc_nr, long addr, long *data)
{
	message m;
	int r;

	m.CTL_PROC_NR = proc_nr;
	m.CTL_REQUEST = request;
	m.CTL_ADDRESS = addr;
	m.CTL_DATA = data != NULL ? *data : 0;
	r = taskcall(SYSTEM, SYS_TRACE, &m);
	if (data != NULL)
		*data = m.CTL_DATA;
	return r;
}
