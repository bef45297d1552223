/*
 * do_vcopy.c - SYS_VIRVCOPY and SYS_PHYSVCOPY: vectors of virtual or pseudo-physical copies
 * (MINIX 3.1.1 kernel/system/do_vcopy.c). Both stop at the first copy that fails and report how
 * many were done.
 */
#include "../kernel.h"
#include "../system.h"

/* Copies the caller's vector of n entries of `size` bytes into `vec`; 0 when n is out of
 * range (EINVAL) or the vector is not in the caller's data (EFAULT). */
static int
fetch_vector(message *m, void *vec, size_t size, int *err)
{
	int n = m->VCP_VEC_SIZE;
	phys_bytes at;

	m->VCP_NR_OK = 0;
	*err = EINVAL;
	if (n < 0 || n > VCOPYVEC_NR)
		return 0;
	*err = EFAULT;
	at = umap_local(proc_addr(m->m_source), D, (vir_bytes)m->VCP_VEC_ADDR, (vir_bytes)(n * size));
	if (n > 0 && at == 0)
		return 0;
	memcpy(vec, (const void *)at, n * size);
	*err = OK;
	return 1;
}

/* SYS_VIRVCOPY: a vector of virtual copies; stops at the first that fails. */
int
do_virvcopy(message *m)
{
	struct vir_cp_req vec[VCOPYVEC_NR];
	int n = m->VCP_VEC_SIZE, i, err;

	if (!fetch_vector(m, vec, sizeof vec[0], &err))
		return err;
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

/* SYS_PHYSVCOPY: a vector of pseudo-physical copies, each checked as SYS_PHYSCOPY checks its
 * PHYS_SEG sides (nothing below the kernel's end, no writes into the builder's tables). */
int
do_physvcopy(message *m)
{
	struct phys_cp_req vec[VCOPYVEC_NR];
	int n = m->VCP_VEC_SIZE, i, err;

	if (!fetch_vector(m, vec, sizeof vec[0], &err))
		return err;
	for (i = 0; i < n; i++) {
		if (vec[i].count != 0) {
			if (!phys_range_ok(vec[i].src, vec[i].count, 0) || !phys_range_ok(vec[i].dst, vec[i].count, 1))
				return EFAULT;
			memmove((void *)vec[i].dst, (const void *)vec[i].src, vec[i].count);
		}
		m->VCP_NR_OK = i + 1;
	}
	return OK;
}
