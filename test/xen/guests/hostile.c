/*
 * hostile.c - a guest that attacks its hypervisor: random and invalid hypercalls, every kind of
 * fault (divide, #GP from privileged instructions, #PF on Xen's area and read-only pages,
 * #UD, int n with every DPL outcome), bad segment loads and descriptor updates, random
 * switch_vm86 activations (each ends in a bounce from vm86 mode), and an LDT
 * selector invalidated under its feet so the failsafe callback runs. Faults resume at a
 * recovery point; the host keeps the histogram. It never stops by itself.
 */
#include "xen/xen.h"
#include "xen/io/domain_controller.h"
#include "xen/hypercall.h"
#include "guest.h"

static const char xen_guest_info[] __attribute__((section("__xen_guest"), used)) =
    "GUEST_OS=linux,XEN_VER=2.0,VIRT_BASE=0xC0000000,LOADER=generic";

static char scratch[4096] __attribute__((aligned(4096)));
static char ldt_page[4096] __attribute__((aligned(4096)));
static xen_u32 seed = 12345;
/* Where a fault resumes; set before each deliberate fault. */
static volatile xen_u32 resume_eip;
static volatile xen_u32 faults;
static volatile xen_u32 vm86_rounds;
static xen_u32 scratch_ma, ldt_ma;

static xen_u32
rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

/* An argument drawn from values that probe Xen's checks. */
static xen_u32
arg(void)
{
	static const xen_u32 edge[] = {
		0, 1, 2, 3, 0xffffffff, 0x7ff0, 0x7ff1, 0xfc000000, 0xfc3ffffc, 0xfc400000,
		0xfffff000, 0x1000, 0x80000000, 8193, 296, 512, 0x0808, 0x0819, 0x0820, 0x082b,
	};
	xen_u32 r = rnd();
	switch (r % 4) {
	case 0: return edge[(r >> 2) % (sizeof edge / sizeof edge[0])];
	case 1: return (xen_u32)scratch + ((r >> 4) & 0xff8);
	case 2: return rnd() % 64;
	default: return rnd() ^ (rnd() << 16);
	}
}

/* Randomises the first 64 bytes of the scratch page (every struct a hypercall reads). */
static void
fill_scratch(void)
{
	unsigned i;
	for (i = 0; i < 64; i += 4)
		*(xen_u32 *)(scratch + i) = arg();
}

/* A hypercall with random arguments, steered away from the few that would end the domain
 * (shutdown) or hand Xen garbage handlers/stacks that make every later fault fatal. */
static void
random_hypercall(void)
{
	xen_u32 nr = rnd() % 34;
	xen_u32 a1 = arg(), a2 = arg(), a3 = arg(), a4 = arg(), a5 = arg();
	evtchn_op_t *op = (evtchn_op_t *)scratch;

	fill_scratch();
	switch (nr & 31) {
	case __HYPERVISOR_set_trap_table:
		((trap_info_t *)scratch)->cs = 0x0808;   /* refused before anything changes */
		((trap_info_t *)scratch)->address = 1;
		a1 = (rnd() & 1) ? (xen_u32)scratch : 0xfc000000;
		break;
	case __HYPERVISOR_mmu_update: {
		mmu_update_t *u = (mmu_update_t *)scratch;
		static const xen_u32 bad_ext[] = { MMUEXT_PIN_L3_TABLE, MMUEXT_PIN_L4_TABLE, MMUEXT_FLUSH_CACHE,
		    MMUEXT_TRANSFER_PAGE, MMUEXT_REASSIGN_PAGE, MMUEXT_UNPIN_TABLE, MMUEXT_PIN_L1_TABLE, 77 };
		switch (rnd() % 5) {
		case 0: u->ptr = (rnd() << 2) | 1; break;                      /* unused command */
		case 1: u->ptr = scratch_ma | MMU_EXTENDED_COMMAND; u->val = bad_ext[rnd() % 8]; break;
		case 2: u->ptr = (0xf0000000 | (rnd() << 2)) & ~3u; u->val = rnd(); break; /* beyond RAM */
		case 3: u->ptr = scratch_ma | MMU_EXTENDED_COMMAND; u->val = MMUEXT_SET_LDT | (9000 << 8); break;
		default: u->ptr = scratch_ma | MMU_EXTENDED_COMMAND; u->val = MMUEXT_SET_FOREIGNDOM | (rnd() << 16); break;
		}
		a1 = (rnd() % 8) ? (xen_u32)scratch : a1;
		a2 = 1 + rnd() % 2;
		a3 = (rnd() & 1) ? 0 : (xen_u32)scratch + 2048;
		break;
	}
	case __HYPERVISOR_stack_switch:
		a1 &= ~3u;                                 /* RPL 0: refused */
		break;
	case __HYPERVISOR_set_callbacks:
		a1 = 0x0810;                               /* refused */
		break;
	case __HYPERVISOR_sched_op:
		a1 = (rnd() & 1) ? SCHEDOP_yield : 3 + rnd() % 200;
		break;
	case __HYPERVISOR_set_debugreg:
		if (a1 == 7)
			a2 |= 1 << 13;                     /* GD: refused */
		if (a1 < 4)
			a2 |= 0xfc400000;                  /* into Xen: refused */
		break;
	case __HYPERVISOR_update_descriptor:
		a1 = (rnd() & 1) ? (scratch_ma + (rnd() & 0xff8)) : a1;
		break;
	case __HYPERVISOR_dom_mem_op:
		a1 = rnd() % 3;                            /* 2: no such command */
		a3 = rnd() % 4;
		a2 = (xen_u32)scratch;
		a4 = rnd() % 2;
		if (rnd() & 1)
			a5 = DOMID_SELF;                   /* else mostly another domain: refused */
		break;
	case __HYPERVISOR_multicall:
		a1 = (rnd() & 1) ? 0xfc000000 : (xen_u32)scratch;
		/* Entries Xen refuses inside a multicall: a nested multicall, switch_vm86. */
		((multicall_entry_t *)scratch)->op = (rnd() & 1) ? __HYPERVISOR_multicall : __HYPERVISOR_switch_vm86;
		a2 = 1;
		break;
	case __HYPERVISOR_update_va_mapping:
		a1 = (rnd() & 1) ? 0xfc000 + rnd() % 0x400 : rnd() % 0x400; /* Xen's area, or unmapped */
		break;
	case __HYPERVISOR_event_channel_op:
		op->cmd = rnd() % 9;
		if (op->cmd == EVTCHNOP_close && op->u.close.port < 8)
			op->u.close.port = 8 + rnd() % 100;
		a1 = (rnd() % 8) ? (xen_u32)scratch : a1;
		break;
	case __HYPERVISOR_console_io:
		a1 = (rnd() & 1) ? CONSOLEIO_write : 7;
		a3 = 0xfc000000 + (rnd() & 0xffff);        /* a pointer into Xen */
		break;
	case __HYPERVISOR_fpu_taskswitch:
		break;
	case __HYPERVISOR_switch_vm86: {
		/* A random activation: nothing is mapped below 1.1 MiB here, so the first fetch faults
		 * (or a pending event arrives first) and the round ends with a bounce from vm86 mode. */
		vm86_activation_t act = {
			.eax = a1, .eip = a2, .cs = a3, .eflags = a4, .esp = a5, .ss = rnd(),
			.es = rnd(), .ds = rnd(), .fs = rnd(), .gs = rnd(),
		};
		vm86_call(&act);
		vm86_rounds++;
		return;
	}
	default:
		break;
	}
	_hypercall5(nr, a1, a2, a3, a4, a5);
}

void
on_event(unsigned port)
{
	(void)port;
}

void
on_trap(struct trapframe *f)
{
	faults++;
	if (f->vector == TRAP_no_device || f->vector == TRAP_int3 || f->vector == TRAP_overflow
	    || f->vector == 0x80 || f->vector == 0x40 || f->vector == TRAP_debug)
		return;                                    /* traps: continue after the instruction */
	f->eip = resume_eip;
}

/* Each fault is a few instructions between a recovery label and the faulting one. */
#define FAULT(asm_body) __asm__ volatile( \
	"movl $1f, resume_eip\n\t" asm_body "\n1:" ::: "eax", "ecx", "edx", "memory")

static void
random_fault(void)
{
	switch (rnd() % 16) {
	case 0: FAULT("xorl %%ecx, %%ecx\n\tmovl $1, %%eax\n\tcltd\n\tidivl %%ecx"); break;
	case 1: FAULT("cli"); break;
	case 2: FAULT("hlt"); break;
	case 3: FAULT("inb $0x60, %%al"); break;
	case 4: FAULT("movl 0x1000, %%eax"); break;                 /* unmapped: #PF */
	case 5: FAULT("movl $0, 0xfc000000"); break;                /* M2P is read-only: #PF */
	case 6: FAULT("movl 0xfc400000, %%eax"); break;             /* past the segment limit: #GP */
	case 7: FAULT("ud2"); break;
	case 8: FAULT("int $0x80"); break;                          /* DPL 3 handler */
	case 9: FAULT("int $0x41"); break;                          /* no handler: #GP */
	case 10: FAULT("int3"); break;
	case 11: FAULT("movl $0x1234, %%eax\n\tmovl %%eax, %%gs"); break; /* bad selector */
	case 12: FAULT("movl $0x0810, %%eax\n\tmovl %%eax, %%ds"); break; /* ring-0 data: #GP */
	case 13: FAULT("int $0x40"); break;                         /* DPL 1 handler from ring 1 */
	case 14: FAULT("sti"); break;
	default: FAULT("outb %%al, $0x80"); break;
	}
}

/* An LDT selector loaded into FS, then made not-present: Xen's exit path enters the failsafe. */
static void
failsafe_round(void)
{
	mmu_update_t u;
	xen_u32 before = failsafe_count;
	if (HYPERVISOR_update_descriptor(ldt_ma + 8, 0x0000ffff, 0x00cfb300) != 0)
		return;
	u.ptr = (xen_u32)ldt_page | MMU_EXTENDED_COMMAND;
	u.val = MMUEXT_SET_LDT | (2 << MMUEXT_CMD_SHIFT);
	if (HYPERVISOR_mmu_update(&u, 1, 0) != 0)
		return;
	resume_eip = 0;
	__asm__ volatile("movl $0x0d, %%eax\n\tmovl %%eax, %%fs" ::: "eax");
	HYPERVISOR_update_descriptor(ldt_ma + 8, 0, 0);
	HYPERVISOR_xen_version(0);                         /* the return path checks FS */
	if (failsafe_count == before)
		con_puts("hostile: failsafe not entered\n");
	__asm__ volatile("xorl %%eax, %%eax\n\tmovl %%eax, %%fs" ::: "eax");
}

void
guest_main(start_info_t *si)
{
	xen_u32 *p2m = (xen_u32 *)si->mfn_list;
	xen_u32 round = 0;

	guest_init(si);
	scratch_ma = p2m[((xen_u32)scratch - 0xC0000000) >> 12] << 12;
	ldt_ma = p2m[((xen_u32)ldt_page - 0xC0000000) >> 12] << 12;
	/* The LDT page must be read-only in our tables before Xen will type it. */
	HYPERVISOR_update_va_mapping((xen_u32)ldt_page, ldt_ma | 5, UVMF_INVLPG);
	con_puts("hostile: start\n");
	for (;;) {
		unsigned k = rnd() % 8;
		if (k < 5)
			random_hypercall();
		else if (k < 7)
			random_fault();
		else if ((round & 63) == 0)
			failsafe_round();
		else if (round > 20000 && (rnd() & 1023) == 0)
			/* A fault with the stack pointing at nothing: Xen cannot bounce it and crashes us. */
			__asm__ volatile("movl $0x1000, %%esp\n\tud2" ::: "memory");
		else
			HYPERVISOR_xen_version(0);
		round++;
	}
}
