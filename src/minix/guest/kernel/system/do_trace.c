/*
 * do_trace.c - SYS_TRACE (MINIX 3.1.1), the kernel's half of ptrace: stop, read and write a
 * word of text, data or the process table slot, resume, or resume for one instruction with the
 * trace flag (Xen bounces the debug trap to our vector 1, and the exception becomes SIGTRAP).
 * Addresses are checked against the process's segments (umap_local) and the slot's size; the
 * segment registers cannot be set and of EFLAGS only USER_PSW_BITS. T_OK and T_EXIT are PM's.
 */
#include "kernel.h"
#include <sys/ptrace.h>
#include "system.h"

/* Copies `len` bytes between the kernel and the traced process's segment; 0 if outside it. */
static int
copy_proc(struct proc *rp, int seg, vir_bytes vir, void *buf, int to_proc)
{
	phys_bytes at = umap_local(rp, seg, vir, sizeof(long));

	if (at == 0)
		return 0;
	if (to_proc)
		memcpy((void *)at, buf, sizeof(long));
	else
		memcpy(buf, (const void *)at, sizeof(long));
	return 1;
}

static int
is_segment_slot(vir_bytes off)
{
	return off == offsetof(struct stackframe_s, cs) || off == offsetof(struct stackframe_s, ds) ||
	    off == offsetof(struct stackframe_s, es) || off == offsetof(struct stackframe_s, fs) ||
	    off == offsetof(struct stackframe_s, gs) || off == offsetof(struct stackframe_s, ss);
}

int
do_trace(message *m)
{
	vir_bytes addr = (vir_bytes)m->CTL_ADDRESS;
	long data = m->CTL_DATA;
	int seg = D;
	struct proc *rp;

	if (!isokprocn(m->CTL_PROC_NR))
		return EINVAL;
	if (iskerneln(m->CTL_PROC_NR))
		return EPERM;
	if (isemptyn(m->CTL_PROC_NR))
		return EIO;
	rp = proc_addr(m->CTL_PROC_NR);

	switch (m->CTL_REQUEST) {
	case T_STOP:
		intr_disable();
		block_proc(rp, P_STOP);
		intr_enable();
		rp->p_reg.psw &= ~TRACEBIT;
		return OK;
	case T_GETINS:
		seg = T;                        /* common I&D: umap_local maps T onto D */
		/* fall through */
	case T_GETDATA:
		if (!copy_proc(rp, seg, addr, &data, 0))
			return EIO;
		m->CTL_DATA = data;
		return OK;
	case T_GETUSER:
		if ((addr & (sizeof(long) - 1)) != 0 || addr > sizeof(struct proc) - sizeof(long))
			return EIO;
		m->CTL_DATA = *(long *)((char *)rp + addr);
		return OK;
	case T_SETINS:
		seg = T;
		/* fall through */
	case T_SETDATA:
		if (!copy_proc(rp, seg, addr, &data, 1))
			return EIO;
		m->CTL_DATA = 0;
		return OK;
	case T_SETUSER:
		if ((addr & (sizeof(reg_t) - 1)) != 0 || addr > sizeof(struct stackframe_s) - sizeof(reg_t))
			return EIO;
		if (is_segment_slot(addr))
			return EIO;             /* restart would load it in ring 1 */
		if (addr == offsetof(struct stackframe_s, psw))
			rp->p_reg.psw = (rp->p_reg.psw & ~USER_PSW_BITS) | ((reg_t)data & USER_PSW_BITS);
		else
			*(reg_t *)((char *)&rp->p_reg + addr) = (reg_t)data;
		m->CTL_DATA = 0;
		return OK;
	case T_STEP:
		rp->p_reg.psw |= TRACEBIT;
		/* fall through */
	case T_RESUME:
		intr_disable();
		unblock_proc(rp, P_STOP);
		intr_enable();
		m->CTL_DATA = 0;
		return OK;
	default:
		return EIO;
	}
}
