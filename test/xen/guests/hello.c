/*
 * hello.c - the hello guest: prints through console_io and through the control-interface
 * console ring, calls every Xen 2.0 hypercall once and prints each result, takes VIRQ_TIMER
 * events from a 10 ms one-shot timer it re-arms, and echoes console input from the ring.
 */
#include "xen/xen.h"
#include "xen/io/domain_controller.h"
#include "xen/hypercall.h"
#include "guest.h"

static int timer_port = -1;
static volatile xen_u32 ticks;
static volatile xen_u32 traps_seen;
/* Where a deliberate fault resumes (0: none expected), and what it was. */
static volatile xen_u32 resume_eip;
static volatile xen_u32 last_vector, last_error;
static char scratch[4096] __attribute__((aligned(4096)));

static const char xen_guest_info[] __attribute__((section("__xen_guest"), used)) =
    "GUEST_OS=linux,XEN_VER=2.0,VIRT_BASE=0xC0000000,LOADER=generic";

static void
arm_timer(void)
{
	HYPERVISOR_set_timer_op(system_time_ns() + 10000000ull);
}

static void
report(unsigned nr, long rc)
{
	con_puts("hypercall ");
	con_putd(nr);
	con_puts(" = ");
	con_putx((xen_u32)rc);
	con_puts("\n");
}

/* switch_vm86 into code at 1000:0000, which nothing maps: the fetch faults and Xen bounces
 * the #PF from vm86 mode; the report is the vector that brought us back. */
static void
vm86_round(void)
{
	static const vm86_activation_t act = {
		.eax = 0x5a5a, .eip = 0, .cs = 0x1000, .eflags = 0x2 | X86_EFLAGS_IOPL, .esp = 0xfffe,
		.ss = 0x2000, .es = 0x3000, .ds = 0x4000, .fs = 0x5000, .gs = 0x6000,
	};
	vm86_call(&act);
	report(23, vm86_exit.vector);
	con_puts("hello: vm86 #PF error ");
	con_putx(vm86_exit.error);
	con_puts(" cr2 ");
	con_putx(vm86_exit.cr2);
	con_puts(" at ");
	con_putx(vm86_exit.frame.cs);
	con_puts(":");
	con_putx(vm86_exit.frame.eip);
	con_puts(" eflags ");
	con_putx(vm86_exit.frame.eflags);
	con_puts(" ds ");
	con_putx(vm86_exit.frame.ds);
	con_puts("\n");
}

/* Asks for the domain's grant-table frame through the typed wrapper and prints what came back. */
static void
grant_setup(void)
{
	static xen_u32 frame = 0xdeadbeef;
	gnttab_setup_table_t st;
	long rc;

	st.dom = DOMID_SELF;
	st.nr_frames = 1;
	st.status = 0x7777;
	st.frame_list = &frame;
	rc = HYPERVISOR_grant_setup_table(&st);
	con_puts("hello: grant setup_table ");
	con_putx((xen_u32)rc);
	con_puts(" status ");
	con_putx((xen_u32)(long)st.status);
	con_puts(" frame ");
	con_putx(frame);
	con_puts("\n");
}

/* One call of each hypercall, valid where a domU can make it valid. */
static void
exercise_hypercalls(void)
{
	static const trap_info_t none[] = { { 0, 0, 0, 0 } };
	mmu_update_t flush = { 0 | MMU_EXTENDED_COMMAND, MMUEXT_TLB_FLUSH };
	multicall_entry_t mc[2];
	evtchn_op_t op;
	xen_u32 ext[1];

	report(0, HYPERVISOR_set_trap_table(none));
	report(1, HYPERVISOR_mmu_update(&flush, 1, 0));
	report(2, HYPERVISOR_set_gdt(ext, 10));
	report(3, HYPERVISOR_stack_switch(FLAT_RING1_DS, (xen_u32)boot_stack_top));
	report(4, HYPERVISOR_set_callbacks(FLAT_RING1_CS, (xen_u32)hypervisor_callback, FLAT_RING1_CS, (xen_u32)failsafe_callback));
	report(5, HYPERVISOR_fpu_taskswitch());
	report(6, HYPERVISOR_yield());
	report(7, _hypercall1(__HYPERVISOR_dom0_op, (xen_u32)scratch));
	report(8, HYPERVISOR_set_debugreg(0, 0xC0001000));
	report(9, HYPERVISOR_get_debugreg(0));
	report(10, HYPERVISOR_update_descriptor(1, 0, 0));
	report(11, HYPERVISOR_set_fast_trap(0x80));
	report(12, HYPERVISOR_dom_mem_op(MEMOP_increase_reservation, ext, 1, 0));
	memset_(mc, 0, sizeof mc);
	mc[0].op = __HYPERVISOR_xen_version;
	mc[1].op = __HYPERVISOR_stack_switch;
	mc[1].args[0] = 0x0820;
	report(13, HYPERVISOR_multicall(mc, 2));
	report(13, mc[0].args[5]);
	report(13, mc[1].args[5]);
	report(14, HYPERVISOR_update_va_mapping((xen_u32)shared, start_info->shared_info | 7, UVMF_INVLPG));
	report(15, HYPERVISOR_set_timer_op(0));
	memset_(&op, 0, sizeof op);
	op.cmd = EVTCHNOP_status;
	op.u.status.dom = DOMID_SELF;
	op.u.status.port = 0;
	report(16, HYPERVISOR_event_channel_op(&op));
	report(17, HYPERVISOR_xen_version(0));
	report(18, HYPERVISOR_console_io(CONSOLEIO_write, 0, scratch));
	report(19, HYPERVISOR_physdev_op(scratch));
	report(20, HYPERVISOR_grant_table_op(0, scratch, 0));
	grant_setup();
	report(21, HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_4gb_segments));
	report(22, _hypercall4(__HYPERVISOR_update_va_mapping_otherdomain, 0, 0, 0, 0));
	vm86_round();
	report(24, _hypercall0(24));
}

/* Batches long enough that Xen preempts them and the guest re-enters the call. */
static void
long_batches(void)
{
	static mmu_update_t reqs[1000];
	static multicall_entry_t calls[300];
	unsigned i, done = 0, ok = 0;
	long rc;

	for (i = 0; i < 1000; i++) {
		reqs[i].ptr = MMU_EXTENDED_COMMAND;
		reqs[i].val = MMUEXT_TLB_FLUSH;
	}
	rc = HYPERVISOR_mmu_update(reqs, 1000, &done);
	con_puts("hello: long mmu_update rc ");
	con_putx((xen_u32)rc);
	con_puts(" done ");
	con_putd(done);
	con_puts("\n");
	memset_(calls, 0, sizeof calls);
	for (i = 0; i < 300; i++) {
		calls[i].op = __HYPERVISOR_xen_version;
		calls[i].args[5] = 0xdead;
	}
	rc = HYPERVISOR_multicall(calls, 300);
	for (i = 0; i < 300; i++)
		ok += calls[i].args[5] == XEN_VERSION;
	con_puts("hello: long multicall rc ");
	con_putx((xen_u32)rc);
	con_puts(" ok ");
	con_putd(ok);
	con_puts("\n");
}

/* A fresh L1 hooked at VA 0x80000000, then written directly with the writable-page-table assist. */
static char l1_page[4096] __attribute__((aligned(4096)));

static void
writable_pagetables(start_info_t *si)
{
	const xen_u32 *p2m = (const xen_u32 *)si->mfn_list;
	xen_u32 l1_mfn = p2m[((xen_u32)l1_page - 0xC0000000) >> 12];
	xen_u32 l2_mfn = p2m[(si->pt_base - 0xC0000000) >> 12];
	xen_u32 scratch_mfn = p2m[((xen_u32)scratch - 0xC0000000) >> 12];
	volatile xen_u32 *window = (volatile xen_u32 *)0x80000000;
	volatile xen_u32 *l1 = (volatile xen_u32 *)l1_page;
	mmu_update_t hook;
	long rc;
	int ok;

	HYPERVISOR_update_va_mapping((xen_u32)l1_page, (l1_mfn << 12) | 0x21, UVMF_INVLPG);
	hook.ptr = (l2_mfn << 12) + (0x80000000 >> 22) * 4;
	hook.val = (l1_mfn << 12) | 0x67;
	rc = HYPERVISOR_mmu_update(&hook, 1, 0);
	HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables);
	*(volatile xen_u32 *)scratch = 0x5a5a1234;
	l1[0] = (scratch_mfn << 12) | 0x23;     /* a plain store into a read-only page table */
	HYPERVISOR_xen_version(0);              /* any entry into Xen validates and reconnects it */
	ok = rc == 0 && window[0] == 0x5a5a1234;
	l1[0] = 0;
	HYPERVISOR_xen_version(0);
	HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_writable_pagetables);
	con_puts(ok ? "hello: writable page tables ok\n" : "hello: writable page tables broken\n");
}

void
on_event(unsigned port)
{
	if ((int)port == timer_port) {
		ticks++;
		arm_timer();
	}
}

void
on_trap(struct trapframe *f)
{
	traps_seen++;
	if (f->vector == TRAP_int3)
		return;
	if (resume_eip != 0) {
		last_vector = f->vector;
		last_error = f->error;
		f->eip = resume_eip;
		resume_eip = 0;
		return;
	}
	con_puts("hello: unexpected trap ");
	con_putd(f->vector);
	con_puts(" at ");
	con_putx(f->eip);
	con_puts("\n");
	HYPERVISOR_shutdown(SHUTDOWN_crash);
}

/* Privileged instructions from ring 1 must reach us as #GP (Xen 2.0 does not emulate them). */
#define PROBE(name, insn) do { \
	last_vector = 0xffff; \
	__asm__ volatile("movl $1f, resume_eip\n\t" insn "\n1:" ::: "eax", "memory"); \
	con_puts("hello: " name " -> trap "); \
	con_putd(last_vector); \
	con_puts(" error "); \
	con_putd(last_error); \
	con_puts("\n"); \
} while (0)

static void
probe_privileged(void)
{
	PROBE("cli", "cli");
	PROBE("sti", "sti");
	PROBE("hlt", "hlt");
	PROBE("in", "inb $0x60, %%al");
	PROBE("out", "outb %%al, $0x80");
	PROBE("mov cr3", "movl %%cr3, %%eax");
	PROBE("int 0x41", "int $0x41");
}

void
guest_main(start_info_t *si)
{
	char buf[64];
	int said_ticks = 0;

	guest_init(si);
	con_puts("hello: console_io works\n");
	ring_puts("hello from the hello guest\n");
	exercise_hypercalls();
	__asm__ volatile("int3");
	con_puts(traps_seen == 1 ? "hello: int3 bounced\n" : "hello: int3 lost\n");
	probe_privileged();
	{
		/* The read-only machine-to-phys table at 0xFC000000 agrees with our P2M list. */
		const xen_u32 *p2m = (const xen_u32 *)si->mfn_list;
		const volatile xen_u32 *m2p = (const volatile xen_u32 *)MACH2PHYS_VIRT_START;
		unsigned pfn, good = 0;
		for (pfn = 0; pfn < 64; pfn++)
			good += m2p[p2m[pfn]] == pfn;
		con_puts("hello: m2p matches p2m for ");
		con_putd(good);
		con_puts(" of 64 pages\n");
	}
	long_batches();
	writable_pagetables(si);

	timer_port = bind_virq(VIRQ_TIMER);
	unmask_port(timer_port);
	unmask_port(si->domain_controller_evtchn);
	arm_timer();
	{
		/* rdtsc must run on the clock shared_info describes: just after its tsc_timestamp. */
		xen_u32 lo, hi;
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		con_puts("hello: tsc delta ");
		con_putd(lo - (xen_u32)shared->tsc_timestamp);
		con_puts(hi == (xen_u32)(shared->tsc_timestamp >> 32) ? " same high\n" : " other high\n");
	}
	con_puts("hello: ready\n");
	for (;;) {
		unsigned n;
		while ((n = ring_read(buf, sizeof buf)) > 0)
			ring_write(buf, n);
		if (!said_ticks && ticks >= 5) {
			said_ticks = 1;
			ring_puts("hello: 5 timer ticks\n");
		}
		HYPERVISOR_block();
	}
}
