/*
 * do_endksig.c - SYS_ENDKSIG (MINIX 3.1.1): PM is done with a process's kernel signals; it may
 * run again, unless new signals arrived meanwhile (then PM hears of them first).
 */
#include "kernel.h"
#include "system.h"

int
do_endksig(message *m)
{
	struct proc *rp;

	if (!isokprocn(m->SIG_PROC) || iskerneln(m->SIG_PROC))
		return EINVAL;
	rp = proc_addr(m->SIG_PROC);
	if (!(rp->p_rts_flags & SIG_PENDING))
		return EINVAL;                  /* also when the process has died meanwhile */
	intr_disable();
	if (!(rp->p_rts_flags & SIGNALED))
		unblock_proc(rp, SIG_PENDING);
	intr_enable();
	return OK;
}
