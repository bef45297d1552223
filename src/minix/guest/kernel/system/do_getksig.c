/*
 * do_getksig.c - SYS_GETKSIG (MINIX 3.1.1): PM fetches one process with kernel signals and
 * their map, or NONE. The signals are PM's from then on; the process stays stopped
 * (SIG_PENDING) until PM ends its handling with SYS_ENDKSIG.
 */
#include "kernel.h"
#include "system.h"

int
do_getksig(message *m)
{
	struct proc *rp;

	for (rp = proc_addr(0); rp < END_PROC_ADDR; rp++) {
		if ((rp->p_rts_flags & (SIGNALED | SLOT_FREE)) != SIGNALED)
			continue;
		intr_disable();
		m->SIG_PROC = rp->p_nr;
		m->SIG_MAP = (long)rp->p_pending;
		sigemptyset(&rp->p_pending);
		rp->p_rts_flags &= ~SIGNALED;   /* still blocked by SIG_PENDING */
		intr_enable();
		return OK;
	}
	m->SIG_PROC = NONE;
	return OK;
}
