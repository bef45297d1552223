/*
 * do_getinfo.c - SYS_GETINFO: copies kernel information to the caller.
 */
#include "../kernel.h"
#include "../system.h"

/* Copies kernel data to the caller's buffer. */
static int
copy_out(message *m, const void *what, vir_bytes size)
{
	struct proc *caller = proc_addr(m->m_source);
	vir_bytes len = (vir_bytes)m->I_VAL_LEN;
	phys_bytes to;

	if (len > size)
		len = size;
	if (len == 0)
		return OK;
	to = umap_local(caller, D, (vir_bytes)m->I_VAL_PTR, len);
	if (to == 0)
		return EFAULT;
	memcpy((void *)to, what, len);
	return OK;
}

int
do_getinfo(message *m)
{
	switch (m->I_REQUEST) {
	case GET_KINFO:
		return copy_out(m, &kinfo, sizeof kinfo);
	case GET_IMAGE:
		return copy_out(m, image, sizeof(struct boot_image) * NR_BOOT_PROCS);
	case GET_PROCTAB:
		return copy_out(m, proc, sizeof proc);
	case GET_MONPARAMS:
		return copy_out(m, kinfo.params, sizeof kinfo.params);
	case GET_PROC: {
		int nr = m->I_VAL_LEN2 == SELF ? m->m_source : m->I_VAL_LEN2;

		if (!isokprocn(nr))
			return EINVAL;
		return copy_out(m, proc_addr(nr), sizeof(struct proc));
	}
	case GET_WHOAMI:
		m->I_PROC_NR = m->m_source;
		return copy_out(m, proc_addr(m->m_source)->p_name, P_NAME_LEN);
	default:
		return EINVAL;
	}
}
