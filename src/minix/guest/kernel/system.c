/*
 * system.c - the SYSTEM task (MINIX kernel/system.c): kernel calls as messages. Each caller's
 * call mask is checked, the call dispatched through call_vec to its handler (one file each in
 * kernel/system/), and the reply carries the result in m_type. Also the helpers they share.
 */
#include "kernel.h"
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

/* Pseudo-physical address of [vir, vir+bytes) in remote segment `index` of a process. */
phys_bytes
umap_remote(struct proc *rp, int index, vir_bytes vir, vir_bytes bytes)
{
	struct far_mem *fm;

	if (index < 0 || index >= NR_REMOTE_SEGS || bytes == 0 || vir + bytes < vir)
		return 0;
	fm = &priv(rp)->s_farmem[index];
	if (!fm->in_use || vir + bytes > fm->mem_len)
		return 0;
	return fm->mem_phys + vir;
}

/* The process `who` names (SELF = the caller), or 0 when there is none. */
struct proc *
proc_or_self(int who, int caller)
{
	if (who == SELF)
		who = caller;
	if (!isokprocn(who) || isemptyn(who))
		return 0;
	return proc_addr(who);
}

/*
 * Gives `rp` a privilege structure: the shared user one, or a free system one of its own.
 * Returns ENOSPC when every system slot is taken.
 */
int
get_priv(struct proc *rp, int sys)
{
	struct priv *sp;

	if (!sys) {
		rp->p_priv = &ppriv[USER_PRIV_ID];
		return OK;
	}
	for (sp = &ppriv[USER_PRIV_ID + 1]; sp < &ppriv[NR_PRIV_SLOTS]; sp++)
		if (sp->s_proc_nr == NONE) {
			sp->s_proc_nr = rp->p_nr;
			rp->p_priv = sp;
			return OK;
		}
	return ENOSPC;
}

/*
 * May a kernel call read (or write) pseudo-physical [base, base+bytes)? Never the kernel's
 * image; for writing also never the builder's read-only GDT frames and page tables (a write
 * there would fault the kernel), which lie between the boot processes and free memory.
 */
int
phys_range_ok(phys_bytes base, phys_bytes bytes, int writing)
{
	phys_bytes end = base + bytes;

	if (end < base || base < kinfo.kmem_size || end > kinfo.mem_size)
		return 0;
	if (writing && base < kinfo.free_base && end > msi->setup_info.gdt_vaddr)
		return 0;
	return 1;
}

static int
do_unused(message *m)
{
	kprintf("system: unused kernel call %d from %d\n", m->m_type, m->m_source);
	return EBADREQUEST;
}

/*
 * SYS_DEVIO, SDEVIO, VDEVIO, IRQCTL, INT86, IOPENABLE: a Xen 2.0 domU has no I/O ports, no BIOS
 * and no hardware interrupts (its devices are Xen's virtual ones, through CTRLIF and events).
 */
static int
do_no_device(message *m)
{
	(void)m;
	return EBADREQUEST;
}

static call_t call_vec[NR_SYS_CALLS];

static void
initialize(void)
{
	int i;

	for (i = 0; i < NR_SYS_CALLS; i++)
		call_vec[i] = do_unused;
	call_vec[SYS_DEVIO - KERNEL_CALL] = do_no_device;
	call_vec[SYS_SDEVIO - KERNEL_CALL] = do_no_device;
	call_vec[SYS_VDEVIO - KERNEL_CALL] = do_no_device;
	call_vec[SYS_IRQCTL - KERNEL_CALL] = do_no_device;
	call_vec[SYS_INT86 - KERNEL_CALL] = do_no_device;
	call_vec[SYS_IOPENABLE - KERNEL_CALL] = do_no_device;
	call_vec[SYS_FORK - KERNEL_CALL] = do_fork;
	call_vec[SYS_EXEC - KERNEL_CALL] = do_exec;
	call_vec[SYS_NEWMAP - KERNEL_CALL] = do_newmap;
	call_vec[SYS_PRIVCTL - KERNEL_CALL] = do_privctl;
	call_vec[SYS_SEGCTL - KERNEL_CALL] = do_segctl;
	call_vec[SYS_EXIT - KERNEL_CALL] = do_exit;
	call_vec[SYS_NICE - KERNEL_CALL] = do_nice;
	call_vec[SYS_UMAP - KERNEL_CALL] = do_umap;
	call_vec[SYS_MEMSET - KERNEL_CALL] = do_memset;
	call_vec[SYS_VIRVCOPY - KERNEL_CALL] = do_virvcopy;
	call_vec[SYS_PHYSVCOPY - KERNEL_CALL] = do_physvcopy;
	call_vec[SYS_VIRCOPY - KERNEL_CALL] = do_copy;
	call_vec[SYS_PHYSCOPY - KERNEL_CALL] = do_copy;
	call_vec[SYS_TIMES - KERNEL_CALL] = do_times;
	call_vec[SYS_GETINFO - KERNEL_CALL] = do_getinfo;
	call_vec[SYS_ABORT - KERNEL_CALL] = do_abort;
	call_vec[SYS_SETALARM - KERNEL_CALL] = do_setalarm;
	call_vec[SYS_KILL - KERNEL_CALL] = do_kill;
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
