/*
 * do_kill.c - SYS_KILL (MINIX 3.1.1): a system process (the TTY for its signal keys) signals a
 * process. From PM it goes straight to a system process as a SYS_SIG notification; from anyone
 * else it becomes a kernel signal that PM will fetch with SYS_GETKSIG.
 */
#include "kernel.h"
#include "system.h"

int
do_kill(message *m)
{
	int proc_nr = m->SIG_PROC;
	int sig_nr = m->SIG_NUMBER;

	if (!isokprocn(proc_nr) || sig_nr < 1 || sig_nr > _NSIG)
		return EINVAL;
	if (iskerneln(proc_nr))
		return EPERM;
	if (isemptyn(proc_nr))
		return EINVAL;
	if (m->m_source == PM_PROC_NR) {
		if (!(priv(proc_addr(proc_nr))->s_flags & SYS_PROC))
			return EPERM;
		send_sig(proc_nr, sig_nr);
	} else {
		cause_sig(proc_nr, sig_nr);
	}
	return OK;
}
