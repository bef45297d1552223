/*
 * do_copy.c - SYS_VIRCOPY and SYS_PHYSCOPY (MINIX 3.1.1 kernel/system/do_copy.c): copies
 * between two places, each a process's local segment (T, D, S), one of its remote segments
 * (REMOTE_SEG | index, set up by SYS_SEGCTL) or, for SYS_PHYSCOPY only, a pseudo-physical
 * address (PHYS_SEG; sys_abscopy). PM copies a forked child's memory with it.
 */
#include "../kernel.h"
#include "../system.h"

/* Pseudo-physical address of one side of a copy, or 0 when it is not allowed or not there. */
static phys_bytes
copy_side(message *m, int proc_nr, int space, vir_bytes addr, vir_bytes n, int writing)
{
	struct proc *rp;

	if (space & PHYS_SEG) {
		if (m->m_type != SYS_PHYSCOPY || !phys_range_ok(addr, n, writing))
			return 0;
		return addr;
	}
	rp = proc_or_self(proc_nr, m->m_source);
	if (rp == 0)
		return 0;
	if (space & REMOTE_SEG)
		return umap_remote(rp, space & SEGMENT_INDEX, addr, n);
	return umap_local(rp, space & SEGMENT_INDEX, addr, n);
}

int
do_copy(message *m)
{
	vir_bytes n = (vir_bytes)m->CP_NR_BYTES;
	phys_bytes from, to;

	if ((!(m->CP_SRC_SPACE & PHYS_SEG) && proc_or_self(m->CP_SRC_PROC_NR, m->m_source) == 0) ||
	    (!(m->CP_DST_SPACE & PHYS_SEG) && proc_or_self(m->CP_DST_PROC_NR, m->m_source) == 0))
		return EINVAL;
	if (n == 0)
		return OK;
	from = copy_side(m, m->CP_SRC_PROC_NR, m->CP_SRC_SPACE, (vir_bytes)m->CP_SRC_ADDR, n, 0);
	to = copy_side(m, m->CP_DST_PROC_NR, m->CP_DST_SPACE, (vir_bytes)m->CP_DST_ADDR, n, 1);
	if (from == 0 || to == 0)
		return EFAULT;
	memmove((void *)to, (const void *)from, n);
	return OK;
}
