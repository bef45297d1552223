/*
 * do_segctl.c - SYS_SEGCTL (MINIX 3.1.1 kernel/system/do_segctl.c): the caller asks for a
 * segment over a pseudo-physical range (a driver's window on memory). It goes into one of the
 * caller's free extra GDT entries (LDT entries in 3.1.1); the reply has the selector, the
 * range's offset in that segment and REMOTE_SEG | index for SYS_VIRCOPY. Up to 1 MiB the
 * segment is exact and the offset 0; above, the base is rounded down to 64 KiB, as in 3.1.1,
 * and the limit counts pages.
 */
#include "../kernel.h"
#include "../system.h"

int
do_segctl(message *m)
{
	struct proc *rp = proc_addr(m->m_source);
	struct far_mem *fm = 0;
	phys_bytes phys = (phys_bytes)m->SEG_PHYS, base;
	vir_bytes size = (vir_bytes)m->SEG_SIZE, offset;
	reg_t selector;
	int i;

	if (size == 0 || !phys_range_ok(phys, size, 0))
		return EFAULT;
	for (i = 0; i < NR_REMOTE_SEGS; i++)
		if (!priv(rp)->s_farmem[i].in_use) {
			fm = &priv(rp)->s_farmem[i];
			break;
		}
	if (fm == 0)
		return ENOSPC;
	if (size <= BYTE_GRAN_MAX) {
		base = phys;
		offset = 0;
	} else {
		base = phys & ~0xFFFFU;
		offset = phys & 0xFFFFU;
	}
	selector = set_remote_segment(rp, i, base, offset + size);
	if (selector == 0)
		return EFAULT;
	fm->in_use = 1;
	fm->mem_phys = phys;
	fm->mem_len = size;
	m->SEG_INDEX = i | REMOTE_SEG;
	m->SEG_SELECT = (long)selector;
	m->SEG_OFFSET = (long)offset;
	return OK;
}
