/*
 * do_exit.c - SYS_EXIT: a process ends and its slot is freed.
 */
#include "../kernel.h"
#include "../system.h"

/* A boot process ends: take it off the queues and free its slot. */
int
do_exit(message *m)
{
	struct proc *rp = proc_or_self(m->m1_i1, m->m_source);

	if (rp == 0 || iskerneln(rp->p_nr))
		return EINVAL;
	intr_disable();
	if (rp->p_rts_flags == 0)
		dequeue(rp);
	rp->p_rts_flags = SLOT_FREE;
	intr_enable();
	kprintf("system: %s (proc %d) exited\n", rp->p_name, rp->p_nr);
	return rp->p_nr == m->m_source ? EDONTREPLY : OK;
}
