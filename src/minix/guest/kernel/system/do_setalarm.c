/*
 * do_setalarm.c - SYS_SETALARM: one synchronous alarm per system process.
 */
#include "../kernel.h"
#include "../system.h"

int
do_setalarm(message *m)
{
	struct proc *rp = proc_or_self(m->ALRM_PROC_NR, m->m_source);
	clock_t exp = m->ALRM_EXP_TIME;

	if (rp == 0 || !(priv(rp)->s_flags & SYS_PROC))
		return EPERM;
	if (exp != 0 && !m->ALRM_ABS_TIME)
		exp += get_uptime();
	m->ALRM_TIME_LEFT = set_alarm(rp, exp);
	return OK;
}
