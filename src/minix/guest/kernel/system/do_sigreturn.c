/*
 * do_sigreturn.c - SYS_SIGRETURN (MINIX 3.1.1): a catcher is done; the registers come back
 * from the sigcontext on the process's stack. As in 3.1.1 the segment registers stay the
 * kernel's (a bad selector would fault in restart, in ring 1, before Xen could help); ss is
 * kept as well, and of EFLAGS only the arithmetic bits and DF come back (USER_PSW_BITS), so
 * IOPL, IF, TF and the rest cannot be raised by a forged context.
 */
#include "kernel.h"
#include <sys/sigcontext.h>
#include "system.h"

int
do_sigreturn(message *m)
{
	struct sigcontext sc;
	struct proc *rp;
	phys_bytes from;

	if (!isokprocn(m->SIG_PROC) || isemptyn(m->SIG_PROC))
		return EINVAL;
	if (iskerneln(m->SIG_PROC))
		return EPERM;
	rp = proc_addr(m->SIG_PROC);
	from = umap_local(rp, D, (vir_bytes)m->SIG_CTXT_PTR, sizeof sc);
	if (from == 0)
		return EFAULT;
	memcpy(&sc, (const void *)from, sizeof sc);
	if (!(sc.sc_flags & SC_SIGCONTEXT))
		return EINVAL;                  /* a jump buffer, not a signal context */
	if (sc.sc_flags & SC_NOREGLOCALS) {
		rp->p_reg.retreg = (reg_t)sc.sc_retreg;
		rp->p_reg.fp = (reg_t)sc.sc_fp;
		rp->p_reg.pc = (reg_t)sc.sc_pc;
		rp->p_reg.sp = (reg_t)sc.sc_sp;
		return OK;
	}
	sc.sc_psw = (int)((rp->p_reg.psw & ~USER_PSW_BITS) | ((reg_t)sc.sc_psw & USER_PSW_BITS));
	sc.sc_cs = (int)rp->p_reg.cs;
	sc.sc_ds = (int)rp->p_reg.ds;
	sc.sc_es = (int)rp->p_reg.es;
	sc.sc_fs = (int)rp->p_reg.fs;
	sc.sc_gs = (int)rp->p_reg.gs;
	sc.sc_ss = (int)rp->p_reg.ss;
	memcpy(&rp->p_reg, &sc.sc_regs, sizeof(struct sigregs));
	return OK;
}
