/*
 * do_nice.c - SYS_NICE: a nice value onto the user scheduling queues.
 */
#include "../kernel.h"
#include "../system.h"

/*
 * SYS_NICE: maps a nice value (PRIO_MIN..PRIO_MAX) linearly onto the user queues
 * MAX_USER_Q..MIN_USER_Q; nice 0 lands on USER_Q. Kernel tasks keep their queue.
 */
int
do_nice(message *m)
{
	struct proc *rp = proc_or_self(m->PR_PROC_NR, m->m_source);
	int pri = m->PR_PRIORITY, q;

	if (rp == 0)
		return EINVAL;
	if (iskerneln(rp->p_nr))
		return EPERM;
	if (pri < PRIO_MIN || pri > PRIO_MAX)
		return EINVAL;
	q = MAX_USER_Q + (pri - PRIO_MIN) * (MIN_USER_Q - MAX_USER_Q + 1) / (PRIO_MAX - PRIO_MIN + 1);
	intr_disable();
	if (rp->p_rts_flags == 0)
		dequeue(rp);
	rp->p_max_priority = rp->p_priority = (char)q;
	if (rp->p_rts_flags == 0)
		enqueue(rp);
	intr_enable();
	return OK;
}
