/*
 * do_fork.c - SYS_FORK (MINIX 3.1.1 kernel/system/do_fork.c): PM has found the child a slot
 * and memory; the kernel copies the parent's slot into the child's. The child keeps its own
 * GDT entries (written at once from the parent's map, so it never holds the parent's
 * selectors), starts with zeroed accounting and half of the parent's quantum, and may not run
 * until SYS_NEWMAP gives it its own memory (NO_MAP).
 */
#include "../kernel.h"
#include "../system.h"

int
do_fork(message *m)
{
	struct proc *rpp, *rpc;
	int child = m->PR_PROC_NR, parent = m->PR_PPROC_NR;
	int gdt_index;

	if (!isokprocn(child) || !isokprocn(parent) || iskerneln(child) || iskerneln(parent))
		return EINVAL;
	rpp = proc_addr(parent);
	rpc = proc_addr(child);
	if (isemptyp(rpp) || !isemptyp(rpc))
		return EINVAL;

	intr_disable();
	gdt_index = rpc->p_gdt_index;
	*rpc = *rpp;
	rpc->p_gdt_index = gdt_index;
	rpc->p_nr = child;
	/* The child is on no queue and nobody waits to send to it. */
	rpc->p_nextready = 0;
	rpc->p_caller_q = 0;
	rpc->p_q_link = 0;
	/* Only the parent is signalled or stopped; the child waits for its memory map. */
	rpc->p_rts_flags |= NO_MAP;
	rpc->p_rts_flags &= ~(SIGNALED | SIG_PENDING | P_STOP);
	sigemptyset(&rpc->p_pending);   /* the parent's kernel signals stay the parent's */
	rpc->p_reg.retreg = 0;          /* a child sees 0 */
	rpc->p_user_time = 0;
	rpc->p_sys_time = 0;
	/* Parent and child share what was left of the quantum; an odd tick goes to the child. */
	rpc->p_ticks_left = (char)((rpp->p_ticks_left + 1) / 2);
	rpp->p_ticks_left = (char)(rpp->p_ticks_left / 2);
	/*
	 * A system process's privileges are its own: the child gets the shared user structure
	 * (3.1.1 also sets NO_PRIV until SYS_PRIVCTL; see the README). A user process's child
	 * shares the user structure as its parent does.
	 */
	if (!isuserp(rpp))
		rpc->p_priv = &ppriv[USER_PRIV_ID];
	intr_enable();
	alloc_segments(rpc);
	return OK;
}
