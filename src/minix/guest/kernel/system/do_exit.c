/*
 * do_exit.c - SYS_EXIT: a process ends and its slot is freed.
 */
#include "../kernel.h"
#include "../system.h"

/*
 * A process ends: off the scheduling queues and out of the queue of the process it was
 * sending to; its own privilege structure (if it has one) and its slot are freed.
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
	if (priv(rp) != &ppriv[USER_PRIV_ID])
		priv(rp)->s_proc_nr = NONE;
	rp->p_rts_flags = SLOT_FREE;
	intr_enable();
	kprintf("system: %s (proc %d) exited\n", rp->p_name, rp->p_nr);
	return rp->p_nr == m->m_source ? EDONTREPLY : OK;
}
