/*
 * system.c - the SYSTEM task (MINIX kernel/system.c): kernel calls as messages. Each caller's
 * call mask is checked, the call dispatched through call_vec, and the reply carries the result
 * in m_type. This stage has the calls the TTY driver and the boot test need.
 */
#include "kernel.h"
#include <minix/syslib.h>
#include "system.h"

typedef int (*call_t)(message *m);

/* Linear address of [vir, vir+bytes) in a process's segment, or 0 if outside it. */
phys_bytes
umap_local(struct proc *rp, int seg, vir_bytes vir, vir_bytes bytes)
{
	struct mem_map *map;
	vir_bytes seg_end;

	if (seg != T && seg != D && seg != S)
		return 0;
	if (bytes == 0 || vir + bytes < vir)
		return 0;
	/* Common I&D: text, data and stack all live in D, which runs to the end of S. */
	if (seg == T && rp->p_memmap[T].mem_len != 0) {
		map = &rp->p_memmap[T];
		seg_end = (map->mem_vir + map->mem_len) << CLICK_SHIFT;
	} else {
		map = &rp->p_memmap[D];
		seg_end = (rp->p_memmap[S].mem_vir + rp->p_memmap[S].mem_len) << CLICK_SHIFT;
	}
	if (vir < (map->mem_vir << CLICK_SHIFT) || vir + bytes > seg_end)
		return 0;
	return (map->mem_phys << CLICK_SHIFT) + vir - (map->mem_vir << CLICK_SHIFT);
}

static struct proc *
caller_or(int who, int caller)
{
	if (who == SELF)
		who = caller;
	if (!isokprocn(who) || isemptyn(who))
		return 0;
	return proc_addr(who);
}

static int
do_vircopy(message *m)
{
	struct proc *src = caller_or(m->CP_SRC_PROC_NR, m->m_source);
	struct proc *dst = caller_or(m->CP_DST_PROC_NR, m->m_source);
	vir_bytes n = (vir_bytes)m->CP_NR_BYTES;
	phys_bytes from, to;

	if (src == 0 || dst == 0)
		return EINVAL;
	if (n == 0)
		return OK;
	from = umap_local(src, m->CP_SRC_SPACE & 0xFF, (vir_bytes)m->CP_SRC_ADDR, n);
	to = umap_local(dst, m->CP_DST_SPACE & 0xFF, (vir_bytes)m->CP_DST_ADDR, n);
	if (from == 0 || to == 0)
		return EFAULT;
	memmove((void *)to, (const void *)from, n);
	return OK;
}

/*
 * SYS_MEMSET: fills pseudo-physical memory with a 32-bit pattern (PM clears new processes with
 * it). The range must lie in the domain's memory and outside the kernel's own image.
 */
static int
do_memset(message *m)
{
	phys_bytes base = (phys_bytes)m->MEM_PTR;
	phys_bytes bytes = (phys_bytes)m->MEM_COUNT;
	u32_t pattern = (u32_t)m->MEM_PATTERN;
	phys_bytes i;

	if (bytes == 0)
		return OK;
	if (base < kinfo.kmem_size || base + bytes < base || base + bytes > kinfo.mem_size)
		return EFAULT;
	for (i = 0; i < bytes; i++)
		((u8_t *)base)[i] = (u8_t)(pattern >> (8 * ((base + i) & 3)));
	return OK;
}

/* SYS_VIRVCOPY: a vector of virtual copies; stops at the first that fails. */
static int
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
		struct proc *src = caller_or(vec[i].src_proc, m->m_source);
		struct proc *dst = caller_or(vec[i].dst_proc, m->m_source);
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

static int
do_umap(message *m)
{
	struct proc *rp = caller_or(m->CP_SRC_PROC_NR, m->m_source);
	phys_bytes a;

	if (rp == 0)
		return EINVAL;
	a = umap_local(rp, m->CP_SRC_SPACE & 0xFF, (vir_bytes)m->CP_SRC_ADDR, (vir_bytes)m->CP_NR_BYTES);
	if (a == 0)
		return EFAULT;
	m->CP_DST_ADDR = (long)a;
	return OK;
}

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

static int
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
	case GET_PROC:
		if (!isokprocn(m->I_PROC_NR))
			return EINVAL;
		return copy_out(m, proc_addr(m->I_PROC_NR), sizeof(struct proc));
	case GET_WHOAMI:
		m->I_PROC_NR = m->m_source;
		return copy_out(m, proc_addr(m->m_source)->p_name, P_NAME_LEN);
	default:
		return EINVAL;
	}
}

static int
do_times(message *m)
{
	struct proc *rp = caller_or((int)m->T_PROC_NR, m->m_source);

	if (rp == 0)
		return EINVAL;
	m->T_USER_TIME = rp->p_user_time;
	m->T_SYSTEM_TIME = rp->p_sys_time;
	m->T_BOOT_TICKS = get_uptime();
	return OK;
}

static int
do_setalarm(message *m)
{
	struct proc *rp = caller_or(m->ALRM_PROC_NR, m->m_source);
	clock_t exp = m->ALRM_EXP_TIME;

	if (rp == 0 || !(priv(rp)->s_flags & SYS_PROC))
		return EPERM;
	if (exp != 0 && !m->ALRM_ABS_TIME)
		exp += get_uptime();
	m->ALRM_TIME_LEFT = set_alarm(rp, exp);
	return OK;
}

static int
do_abort(message *m)
{
	prepare_shutdown(m->ABRT_HOW);
	return OK;
}

/* A boot process ends: take it off the queues and free its slot. */
static int
do_exit(message *m)
{
	struct proc *rp = caller_or(m->m1_i1, m->m_source);

	if (rp == 0 || iskerneln(rp->p_nr))
		return EINVAL;
	intr_disable();
	if (rp->p_rts_flags == 0)
		dequeue(rp);
	rp->p_rts_flags = SLOT_FREE;
	intr_enable();
	kprintf("system: %s (proc %d) exited\n", rp->p_name, rp->p_nr);
	return rp->p_nr == m->m_source ? EDONTREPLY : OK;
}

/*
 * SYS_NICE: maps a nice value (PRIO_MIN..PRIO_MAX) linearly onto the user queues
 * MAX_USER_Q..MIN_USER_Q; nice 0 lands on USER_Q. Kernel tasks keep their queue.
 */
static int
do_nice(message *m)
{
	struct proc *rp = caller_or(m->PR_PROC_NR, m->m_source);
	int pri = m->PR_PRIORITY, q;

	if (rp == 0)
		return EINVAL;
	if (iskerneln(rp->p_nr))
		return EPERM;
	if (pri < PRIO_MIN || pri > PRIO_MAX)
		return EINVAL;
	q = MAX_USER_Q + (pri - PRIO_MIN) * (MIN_USER_Q - MAX_USER_Q + 1) / (PRIO_MAX - PRIO_MIN + 1);
	intr_disable();
	if (rp->p_rts_flags == 0)
		dequeue(rp);
	rp->p_max_priority = rp->p_priority = (char)q;
	if (rp->p_rts_flags == 0)
		enqueue(rp);
	intr_enable();
	return OK;
}

static int
do_unused(message *m)
{
	kprintf("system: unused kernel call %d from %d\n", m->m_type, m->m_source);
	return EBADREQUEST;
}

static call_t call_vec[NR_SYS_CALLS];

static void
initialize(void)
{
	int i;

	for (i = 0; i < NR_SYS_CALLS; i++)
		call_vec[i] = do_unused;
	call_vec[SYS_EXIT - KERNEL_CALL] = do_exit;
	call_vec[SYS_NICE - KERNEL_CALL] = do_nice;
	call_vec[SYS_UMAP - KERNEL_CALL] = do_umap;
	call_vec[SYS_MEMSET - KERNEL_CALL] = do_memset;
	call_vec[SYS_VIRVCOPY - KERNEL_CALL] = do_virvcopy;
	call_vec[SYS_VIRCOPY - KERNEL_CALL] = do_vircopy;
	call_vec[SYS_TIMES - KERNEL_CALL] = do_times;
	call_vec[SYS_GETINFO - KERNEL_CALL] = do_getinfo;
	call_vec[SYS_ABORT - KERNEL_CALL] = do_abort;
	call_vec[SYS_SETALARM - KERNEL_CALL] = do_setalarm;
	call_vec[SYS_KILL - KERNEL_CALL] = do_kill;             /* kernel/system/ */
	call_vec[SYS_GETKSIG - KERNEL_CALL] = do_getksig;
	call_vec[SYS_ENDKSIG - KERNEL_CALL] = do_endksig;
	call_vec[SYS_SIGSEND - KERNEL_CALL] = do_sigsend;
	call_vec[SYS_SIGRETURN - KERNEL_CALL] = do_sigreturn;
	call_vec[SYS_TRACE - KERNEL_CALL] = do_trace;
}

void
sys_task(void)
{
	message m;

	initialize();
	for (;;) {
		int call, result;
		struct proc *caller;

		if (receive(ANY, &m) != OK)
			panic("system", "receive failed", m.m_type);
		call = m.m_type - KERNEL_CALL;
		caller = proc_addr(m.m_source);
		if (call < 0 || call >= NR_SYS_CALLS)
			result = EBADREQUEST;
		else if (!(priv(caller)->s_call_mask & (1L << call)))
			result = ECALLDENIED;
		else
			result = call_vec[call](&m);
		if (result != EDONTREPLY) {
			m.m_type = result;
			send(m.m_source, &m);
		}
	}
}
