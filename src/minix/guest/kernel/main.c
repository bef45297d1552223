/*
 * main.c - the kernel's main (report 6.2.2, MINIX kernel/main.c): events first, then the
 * process table from the image table and the boot headers the builder passed, the banner,
 * and the first restart. Also the idle task, which blocks the vcpu in Xen, and shutdown.
 */
#include "kernel.h"
#include "system.h"

extern char t_stack[];

/*
 * Memory map of a loaded program, the stack at the top of its data segment. Common I&D: T has
 * length 0 and D spans text, data and stack from the load address. Separate I&D: T is the text
 * (whole clicks from the load address), D and S start at virtual 0 on the clicks after it.
 */
static void
map_boot_process(struct proc *rp, const process_t *pr, const image_header_t *hdr)
{
	phys_clicks base = pr->base >> CLICK_SHIFT;
	vir_clicks total = (pr->size + CLICK_SIZE - 1) >> CLICK_SHIFT;
	vir_clicks text = 0, data;

	if (hdr->a_flags & A_SEP)
		text = (hdr->a_text + CLICK_SIZE - 1) >> CLICK_SHIFT;
	data = total - text;
	rp->p_memmap[T].mem_vir = 0;
	rp->p_memmap[T].mem_phys = base;
	rp->p_memmap[T].mem_len = text;
	rp->p_memmap[D].mem_vir = 0;
	rp->p_memmap[D].mem_phys = base + text;
	rp->p_memmap[D].mem_len = data;
	rp->p_memmap[S].mem_vir = data;
	rp->p_memmap[S].mem_phys = base + text + data;
	rp->p_memmap[S].mem_len = 0;
}

/* Kernel tasks see all memory from 0, like the kernel. */
static void
map_kernel_task(struct proc *rp)
{
	vir_clicks len = kinfo.mem_size >> CLICK_SHIFT;

	memset(rp->p_memmap, 0, sizeof rp->p_memmap);
	rp->p_memmap[D].mem_len = len;
	rp->p_memmap[S].mem_vir = len;
}

static void
init_proc_table(void)
{
	struct proc *rp;
	struct priv *sp;
	int i;

	for (rp = BEG_PROC_ADDR, i = -NR_TASKS; rp < END_PROC_ADDR; rp++, i++) {
		int gdt = rp->p_gdt_index;      /* set by prot_init */

		memset(rp, 0, sizeof *rp);
		rp->p_gdt_index = gdt;
		rp->p_rts_flags = SLOT_FREE;
		rp->p_nr = i;
	}
	for (sp = &ppriv[0], i = 0; sp < &ppriv[NR_PRIV_SLOTS]; sp++, i++) {
		memset(sp, 0, sizeof *sp);
		sp->s_proc_nr = NONE;
		sp->s_id = i;
	}
	ppriv[USER_PRIV_ID].s_proc_nr = ANY;    /* shared by ordinary user processes */
}

static void
start_boot_processes(void)
{
	struct domain_setup_info_t *setup = &msi->setup_info;
	char *ktsb = t_stack;
	int i;

	for (i = 0; i < NR_BOOT_PROCS; i++) {
		struct boot_image *ip = &image[i];
		struct proc *rp = proc_addr(ip->proc_nr);
		int hdr = iskerneln(ip->proc_nr) ? 0 : 1 + i - NR_TASKS;

		strncpy(rp->p_name, ip->proc_name, P_NAME_LEN);
		if (get_priv(rp, (ip->flags & SYS_PROC) != 0) != OK)
			panic("main", "no free privilege slot for process", rp->p_nr);
		rp->p_priv->s_flags = (short)ip->flags;
		rp->p_priv->s_trap_mask = ip->trap_mask;
		rp->p_priv->s_ipc_to = ip->ipc_to;
		rp->p_priv->s_call_mask = ip->call_mask;
		rp->p_max_priority = rp->p_priority = (char)ip->priority;
		rp->p_quantum_size = rp->p_ticks_left = (char)ip->quantum;
		if (iskerneln(ip->proc_nr)) {
			map_kernel_task(rp);
			ktsb += ip->stksize;
			rp->p_reg.pc = (reg_t)ip->initial_pc;
			rp->p_reg.sp = (reg_t)ktsb;
			rp->p_reg.psw = INIT_TASK_PSW;
		} else {
			if ((u32_t)hdr >= setup->nr_procs) {
				kprintf("main: boot image has no program for %s (slot %d), not started\n",
				    ip->proc_name, ip->proc_nr);
				continue;
			}
			process_t pr = setup->processes[hdr];

			map_boot_process(rp, &pr, &setup->procheaders[hdr]);
			rp->p_reg.pc = setup->procheaders[hdr].a_entry;
			rp->p_reg.sp = rp->p_memmap[S].mem_vir << CLICK_SHIFT;
			rp->p_reg.psw = INIT_PSW;
		}
		alloc_segments(rp);
		if (ip->proc_nr == HARDWARE) {
			rp->p_rts_flags = NO_MAP;       /* the kernel's image slot never runs */
		} else {
			rp->p_rts_flags = 0;
			enqueue(rp);
		}
	}
}

/*
 * The privilege structure ordinary user processes share: SENDREC and ECHO only, sends to
 * SYSTEM and PM (3.1.1's USR_M, less the servers not here yet), no kernel calls.
 */
static void
init_user_priv(void)
{
	struct priv *up = &ppriv[USER_PRIV_ID];

	up->s_flags = USR_F;
	up->s_trap_mask = USR_T;
	up->s_call_mask = 0;
	up->s_ipc_to = 1U << priv(proc_addr(SYSTEM))->s_id;
	if (!isemptyn(PM_PROC_NR))
		up->s_ipc_to |= 1U << priv(proc_addr(PM_PROC_NR))->s_id;
}

void
main(void)
{
	int i;

	init_events();
	init_proc_table();
	start_boot_processes();
	init_user_priv();
	kprintf("MINIX %s.%s on Xen. Copyright 2006, Vrije Universiteit, Amsterdam, The Netherlands\n",
	    OS_RELEASE, OS_VERSION);
	kprintf("Executing in 32-bit protected mode, ring %d; %u KiB of memory, boot image of %u programs\n",
	    current_ring(), kinfo.mem_size >> 10, msi->setup_info.nr_procs);
	for (i = 0; i < (int)msi->setup_info.nr_procs && i < PROCESS_MAX; i++)
		kprintf("  %-8s at 0x%08x, %u bytes\n", msi->setup_info.procheaders[i].name,
		    msi->setup_info.processes[i].base, msi->setup_info.processes[i].size);
	if (kinfo.params[0] != '\0') {
		const char *p;

		kprintf("boot parameters:");
		for (p = kinfo.params; *p != '\0'; p += strlen(p) + 1)
			kprintf(" %s", p);
		kprintf("\n");
	}
	if (system_hz != HZ)
		kprintf("clock: %u ticks per second (boot parameter hz)\n", system_hz);
	bill_ptr = proc_addr(IDLE);
	proc_ptr = proc_addr(IDLE);
	restart();
}

/* IDLE: nothing is ready, so give the vcpu back to Xen until an event arrives. */
void
idle_task(void)
{
	for (;;)
		hypervisor_block();
}

void
prepare_shutdown(int how)
{
	/* No boot monitor to return to: RBT_MONITOR powers off; a server's panic is a crash, as the kernel's. */
	unsigned reason = how == RBT_REBOOT || how == RBT_RESET ? SHUTDOWN_reboot :
	    how == RBT_PANIC ? SHUTDOWN_crash : SHUTDOWN_poweroff;

	kprintf("MINIX: shutting down (%d): %s\n", how,
	    reason == SHUTDOWN_reboot ? "reboot" : reason == SHUTDOWN_crash ? "crash" : "power off");
	hypervisor_shutdown(reason);
}
