/*
 * do_vcopy.c - SYS_VIRVCOPY: a vector of virtual copies (MINIX 3.1.1 kernel/system/do_vcopy.c).
 */
#include "../kernel.h"
#include "../system.h"

/* SYS_VIRVCOPY: a vector of virtual copies; stops at the first that fails. */
int
do_virvcopy(message *m)
{
	struct vir_cp_req vec[VCOPYVEC_NR];
	struct proc *caller = proc_addr(m->m_source);
	int n = m->VCP_VEC_SIZE, i;
	phys_bytes at;

	m->VCP_NR_OK = 0;
	if (n < 0 || n > VCOPYVEC_NR)
		return EINVAL;
	at = umap_local(caller, D, (vir_bytes)m->VCP_VEC_ADDR, (vir_bytes)(n * sizeof vec[0]));
	if (n > 0 && at == 0)
		return EFAULT;
	memcpy(vec, (const void *)at, n * sizeof vec[0]);
	for (i = 0; i < n; i++) {
		struct proc *src = proc_or_self(vec[i].src_proc, m->m_source);
		struct proc *dst = proc_or_self(vec[i].dst_proc, m->m_source);
		phys_bytes from, to;

		if (src == 0 || dst == 0)
			return EINVAL;
		if (vec[i].count == 0) {
			m->VCP_NR_OK = i + 1;
			continue;
		}
		from = umap_local(src, D, vec[i].src_addr, vec[i].count);
		to = umap_local(dst, D, vec[i].dst_addr, vec[i].count);
		if (from == 0 || to == 0)
			return EFAULT;
		memmove((void *)to, (const void *)from, vec[i].count);
		m->VCP_NR_OK = i + 1;
	}
	return OK;
}
