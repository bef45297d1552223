/*
 * do_sigsend.c - SYS_SIGSEND (MINIX 3.1.1): PM has a catcher for a signal. The kernel saves the
 * process's registers in a sigcontext just below the stack pointer PM read, puts a sigframe
 * under it that looks like a call of the catcher returning into __sigreturn, and points the
 * process at the catcher. Nothing is written unless both structures fit in its D segment.
 */
#include "kernel.h"
#include <sys/sigcontext.h>
#include "system.h"

typedef char sigregs_match_frame[sizeof(struct sigregs) == sizeof(struct stackframe_s) ? 1 : -1];

int
do_sigsend(message *m)
{
	struct sigmsg smsg;
	struct sigcontext sc;
	struct sigframe fr;
	struct proc *rp;
	vir_bytes scp, frp;
	phys_bytes from, sc_at, fr_at;

	if (!isokprocn(m->SIG_PROC) || isemptyn(m->SIG_PROC))
		return EINVAL;
	if (iskerneln(m->SIG_PROC))
		return EPERM;
	rp = proc_addr(m->SIG_PROC);
	from = umap_local(proc_addr(m->m_source), D, (vir_bytes)m->SIG_CTXT_PTR, sizeof smsg);
	if (from == 0)
		return EFAULT;
	memcpy(&smsg, (const void *)from, sizeof smsg);

	scp = smsg.sm_stkptr - sizeof(struct sigcontext);
	frp = scp - sizeof(struct sigframe);
	sc_at = umap_local(rp, D, scp, sizeof sc);
	fr_at = umap_local(rp, D, frp, sizeof fr);
	if (smsg.sm_stkptr < sizeof sc + sizeof fr || sc_at == 0 || fr_at == 0)
		return EFAULT;

	memcpy(&sc.sc_regs, &rp->p_reg, sizeof(struct sigregs));
	sc.sc_flags = SC_SIGCONTEXT;
	sc.sc_mask = (long)smsg.sm_mask;
	fr.sf_retadr = (void (*)(void))smsg.sm_sigreturn;
	fr.sf_signo = smsg.sm_signo;
	fr.sf_code = 0;
	fr.sf_scp = (struct sigcontext *)scp;
	fr.sf_fp = (int)rp->p_reg.fp;
	fr.sf_retadr2 = (void (*)(void))rp->p_reg.pc;
	fr.sf_scpcopy = (struct sigcontext *)scp;
	memcpy((void *)sc_at, &sc, sizeof sc);
	memcpy((void *)fr_at, &fr, sizeof fr);

	rp->p_reg.fp = (reg_t)(frp + offsetof(struct sigframe, sf_fp));
	rp->p_reg.sp = (reg_t)frp;
	rp->p_reg.pc = (reg_t)smsg.sm_sighandler;
	return OK;
}
