/*
 * do_exit.c - SYS_EXIT (MINIX 3.1.1 kernel/system/do_exit.c with its clear_proc): a process
 * ends, its slot is freed, and whoever waited for it learns that it died.
 */
#include "../kernel.h"
#include "../system.h"

/*
 * Processes blocked on `rp` stop waiting: a receiver waiting for it gets ESRCDIED, a sender in
 * its queue EDSTDIED, as the return value of their IPC call.
 */
static void
alert_waiters(struct proc *rp)
{
	struct proc *xp;

	for (xp = BEG_PROC_ADDR; xp < END_PROC_ADDR; xp++) {
		if (xp == rp || (xp->p_rts_flags & SLOT_FREE))
			continue;
		if ((xp->p_rts_flags & RECEIVING) && xp->p_getfrom == rp->p_nr) {
			xp->p_reg.retreg = (reg_t)ESRCDIED;
			if ((xp->p_rts_flags &= ~RECEIVING) == 0)
				enqueue(xp);
		}
		if ((xp->p_rts_flags & SENDING) && xp->p_sendto == rp->p_nr) {
			xp->p_reg.retreg = (reg_t)EDSTDIED;
			if ((xp->p_rts_flags &= ~SENDING) == 0)
				enqueue(xp);
		}
	}
	rp->p_caller_q = 0;
}

/*
 * A process ends: off the scheduling queues and out of the queue of the process it was
 * sending to; those waiting for it are told; its own privilege structure (if it has one) and
 * its slot are freed.
 */
int
do_exit(message *m)
{
	struct proc *rp = proc_or_self(m->m1_i1, m->m_source);

	if (rp == 0 || iskerneln(rp->p_nr))
		return EINVAL;
	intr_disable();
	if (rp->p_rts_flags == 0)
		dequeue(rp);
	if (rp->p_rts_flags & SENDING) {
		struct proc **xpp;

		for (xpp = &proc_addr(rp->p_sendto)->p_caller_q; *xpp != 0; xpp = &(*xpp)->p_q_link)
			if (*xpp == rp) {
				*xpp = rp->p_q_link;
				break;
			}
	}
	alert_waiters(rp);
	if (priv(rp) != &ppriv[USER_PRIV_ID])
		priv(rp)->s_proc_nr = NONE;
	rp->p_rts_flags = SLOT_FREE;
	intr_enable();
	kprintf("system: %s (proc %d) exited\n", rp->p_name, rp->p_nr);
	return rp->p_nr == m->m_source ? EDONTREPLY : OK;
}
