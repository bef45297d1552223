/*
 * cause_sig.c - how the kernel raises a signal (MINIX 3.1.1 kernel/system.c): the signal joins
 * the process's pending set, the process stops running (SIGNALED | SIG_PENDING) until PM has
 * dealt with it, and PM hears of it by a SYS_SIG notification carrying SIGKSIG.
 */
#include "kernel.h"

/* A signal for a system process: a bit in its privilege structure and a notification. */
void
send_sig(int proc_nr, int sig_nr)
{
	struct proc *rp = proc_addr(proc_nr);

	intr_disable();
	sigaddset(&priv(rp)->s_sig_pending, sig_nr);
	intr_enable();
	lock_notify(SYSTEM, proc_nr);
}

void
cause_sig(int proc_nr, int sig_nr)
{
	struct proc *rp = proc_addr(proc_nr);

	/* Without a PM (or when PM itself is hit) nobody can act on it: stop the process. */
	if (isemptyn(PM_PROC_NR) || proc_nr == PM_PROC_NR) {
		kprintf("kernel: signal %d for %s (proc %d) and no PM to take it: process stopped\n",
		    sig_nr, rp->p_name, proc_nr);
		intr_disable();
		block_proc(rp, P_STOP);
		intr_enable();
		return;
	}
	intr_disable();
	if (sigismember(&rp->p_pending, sig_nr)) {
		intr_enable();
		return;
	}
	sigaddset(&rp->p_pending, sig_nr);
	if (rp->p_rts_flags & SIGNALED) {
		intr_enable();                  /* PM has been told already */
		return;
	}
	block_proc(rp, SIGNALED | SIG_PENDING);
	intr_enable();
	send_sig(PM_PROC_NR, SIGKSIG);
}
