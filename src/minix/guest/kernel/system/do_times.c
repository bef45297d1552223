/*
 * do_times.c - SYS_TIMES: a process's accounting times and the uptime. As in 3.1.1, NONE asks
 * for the uptime alone (the library's getuptime, which PM's time() and FS's clock use).
 */
#include "../kernel.h"
#include "../system.h"

int
do_times(message *m)
{
	struct proc *rp = 0;

	if ((int)m->T_PROC_NR != NONE && (rp = proc_or_self((int)m->T_PROC_NR, m->m_source)) == 0)
		return EINVAL;
	m->T_USER_TIME = rp != 0 ? rp->p_user_time : 0;
	m->T_SYSTEM_TIME = rp != 0 ? rp->p_sys_time : 0;
	m->T_BOOT_TICKS = get_uptime();
	return OK;
}
