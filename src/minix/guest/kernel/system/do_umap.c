/*
 * do_umap.c - SYS_UMAP: the pseudo-physical address of a process's virtual range.
 */
#include "../kernel.h"
#include "../system.h"

int
do_umap(message *m)
{
	struct proc *rp = proc_or_self(m->CP_SRC_PROC_NR, m->m_source);
	phys_bytes a;

	if (rp == 0)
		return EINVAL;
	a = umap_local(rp, m->CP_SRC_SPACE & 0xFF, (vir_bytes)m->CP_SRC_ADDR, (vir_bytes)m->CP_NR_BYTES);
	if (a == 0)
		return EFAULT;
	m->CP_DST_ADDR = (long)a;
	return OK;
}
