/*
 * do_newmap.c - SYS_NEWMAP (MINIX 3.1.1 kernel/system/do_newmap.c): PM hands the kernel a
 * process's memory map (mem_map[3], in PM's D segment); the kernel rebuilds the process's code
 * and data descriptors from it and, the map being there, lets it run (NO_MAP cleared).
 */
#include "../kernel.h"
#include "../system.h"

int
do_newmap(message *m)
{
	struct proc *rp;
	phys_bytes src;

	if (!isokprocn(m->PR_PROC_NR) || iskerneln(m->PR_PROC_NR) || isemptyn(m->PR_PROC_NR))
		return EINVAL;
	rp = proc_addr(m->PR_PROC_NR);
	src = umap_local(proc_addr(m->m_source), D, (vir_bytes)m->PR_MEM_PTR, sizeof rp->p_memmap);
	if (src == 0)
		return EFAULT;
	intr_disable();
	memcpy(rp->p_memmap, (const void *)src, sizeof rp->p_memmap);
	intr_enable();
	alloc_segments(rp);
	intr_disable();
	unblock_proc(rp, NO_MAP);
	intr_enable();
	return OK;
}
