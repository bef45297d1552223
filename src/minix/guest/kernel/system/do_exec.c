/*
 * do_exec.c - SYS_EXEC (MINIX 3.1.1 kernel/system/do_exec.c): PM has loaded a new program
 * into a process's memory; the kernel gives it its new stack pointer, program counter and name,
 * drops the old program's remote segments, and ends the EXEC call's wait (PM does not reply
 * to a successful EXEC), so the first instruction runs on the new stack.
 */
#include "../kernel.h"
#include "../system.h"

int
do_exec(message *m)
{
	struct proc *rp;
	phys_bytes name;
	char *np;

	if (!isokprocn(m->PR_PROC_NR) || iskerneln(m->PR_PROC_NR) || isemptyn(m->PR_PROC_NR))
		return EINVAL;
	rp = proc_addr(m->PR_PROC_NR);
	clear_remote_segments(rp);
	intr_disable();
	rp->p_reg.sp = (reg_t)m->PR_STACK_PTR;
	rp->p_reg.pc = (reg_t)m->PR_IP_PTR;
	unblock_proc(rp, RECEIVING);
	intr_enable();

	/* The name, for debugging and process listings: printable characters only. */
	name = umap_local(proc_addr(m->m_source), D, (vir_bytes)m->PR_NAME_PTR, P_NAME_LEN - 1);
	if (name != 0) {
		memcpy(rp->p_name, (const void *)name, P_NAME_LEN - 1);
		for (np = rp->p_name; np < rp->p_name + P_NAME_LEN - 1 && *np >= ' ' && *np < 0x7F; np++)
			;
		*np = '\0';
	}
	return OK;
}
