/*
 * do_privctl.c - SYS_PRIVCTL (MINIX 3.1.1 kernel/system/do_privctl.c): a system process gives
 * another process a privilege structure of its own, copied from the caller's, so that it may
 * use every IPC primitive, send to every system process and make the caller's kernel calls.
 * Only a process without privileges of its own (one in the shared user structure) gets them.
 */
#include "../kernel.h"
#include "../system.h"

int
do_privctl(message *m)
{
	struct proc *caller = proc_addr(m->m_source);
	struct proc *rp;
	struct priv *sp;
	int id, i, r;

	if (!(priv(caller)->s_flags & SYS_PROC))
		return EPERM;
	if (!isokprocn(m->CTL_PROC_NR) || iskerneln(m->CTL_PROC_NR) || isemptyn(m->CTL_PROC_NR))
		return EINVAL;
	rp = proc_addr(m->CTL_PROC_NR);
	if (!isuserp(rp) || priv(rp) != &ppriv[USER_PRIV_ID])
		return EPERM;

	intr_disable();
	if ((r = get_priv(rp, 1)) != OK) {
		intr_enable();
		return r;
	}
	sp = priv(rp);
	id = sp->s_id;
	*sp = *priv(caller);
	sp->s_id = id;
	sp->s_proc_nr = rp->p_nr;
	sp->s_notify_pending = 0;
	sp->s_int_pending = 0;
	memset(&sp->s_sig_pending, 0, sizeof sp->s_sig_pending);
	sp->s_alarm = 0;
	memset(sp->s_farmem, 0, sizeof sp->s_farmem);
	sp->s_trap_mask = ~0;
	sp->s_ipc_to = ~0U & ~(1U << USER_PRIV_ID);
	/* Whoever it may send to must be able to answer it. */
	for (i = 0; i < NR_PRIV_SLOTS; i++)
		if (sp->s_ipc_to & (1U << i))
			ppriv[i].s_ipc_to |= 1U << id;
	sp->s_flags = SYS_PROC;
	unblock_proc(rp, NO_PRIV);
	intr_enable();
	return OK;
}
