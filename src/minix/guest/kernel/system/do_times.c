/*
 * do_times.c - SYS_TIMES: a process's accounting times and the uptime.
 */
#include "../kernel.h"
#include "../system.h"

int
do_times(message *m)
{
	struct proc *rp = proc_or_self((int)m->T_PROC_NR, m->m_source);

	if (rp == 0)
		return EINVAL;
	m->T_USER_TIME = rp->p_user_time;
	m->T_SYSTEM_TIME = rp->p_sys_time;
	m->T_BOOT_TICKS = get_uptime();
	return OK;
}
