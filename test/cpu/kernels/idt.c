/* Exception and interrupt delivery through the IDT at CPL 0 and from outer rings: what is
 * pushed (error code or not, faulting or next eip, EFLAGS), IF/TF after interrupt and trap
 * gates, IDT limit and gate checks with the IDT/EXT bits of the error code, double faults,
 * single-step traps and the stack-segment checks on pushes (SDM Vol. 3A 6.4-6.15). */
#include "kernel.h"

#define SCR(n)  ((GDT_SCRATCH + (n)) << 3)
#define EFLAGS_TF 0x100
#define EFLAGS_IF 0x200

volatile u32 pre_esp;
u32 bound_pair[2] = { 10, 20 };

__asm__(
	".text\n"
	"u_push:\n  pushl $1\n int $0x30\n"
	"u_ud2:\n  ud2\n int $0x30\n"
	/* reads a dword at user_stack - 3 (misaligned) with EFLAGS.AC set */
	"u_misaligned:\n  pushfl\n orl $0x40000, (%esp)\n popfl\n movl -3(%esp), %eax\n int $0x30\n"
	"u_misaligned_noac:\n  pushfl\n andl $0xfffbffff, (%esp)\n popfl\n movl -3(%esp), %eax\n int $0x30\n"
);
extern char u_push[], u_ud2[], u_misaligned[], u_misaligned_noac[];

/* vector, error code, eip relative to the named label, and bytes pushed */
static void
frame(const char *name, u32 label)
{
	if (!trapped) {
		printf_("%s: ok\n", name);
		return;
	}
	printf_("%s: %s err=%x eip=label%c%x pushed=%x eflags=%08x entry_if_tf=%x\n", name,
		vector_name(last_trap.vector), last_trap.err,
		last_trap.eip >= label ? '+' : '-',
		last_trap.eip >= label ? last_trap.eip - label : label - last_trap.eip,
		pre_esp - last_trap.handler_esp, last_trap.eflags, trap_entry_eflags & (EFLAGS_IF | EFLAGS_TF));
}

/* runs `insn` after recording esp and the address of insn */
#define AT(name, insn) do { \
	static u32 label; \
	TRY(__asm__ volatile("movl $1f, %1\n movl %%esp, %0\n 1: " insn "\n" \
		: "=m"(pre_esp), "=m"(label) : : "eax", "ecx", "edx", "memory", "cc")); \
	__asm__ volatile("cli"); \
	frame(name, label); \
} while (0)

static void
same_ring_frames(void)
{
	AT("frame.de", "xorl %%ecx, %%ecx\n movl $1, %%eax\n xorl %%edx, %%edx\n divl %%ecx");
	AT("frame.ud2", "ud2");
	AT("frame.int3", "int3");
	AT("frame.int_n", "int $0x40");
	AT("frame.into", "movl $0x7fffffff, %%eax\n addl $1, %%eax\n into");
	AT("frame.into_no_overflow", "xorl %%eax, %%eax\n into");
	AT("frame.bound", "movl $25, %%eax\n boundl %%eax, bound_pair");
	AT("frame.bound_in_range", "movl $15, %%eax\n boundl %%eax, bound_pair");
	AT("frame.gp_error_code", "movw $0x7ff8, %%ax\n movw %%ax, %%fs");
	AT("frame.flags_pushed", "movl $0xffffffff, %%eax\n addl $1, %%eax\n ud2");
	AT("frame.int_gate_clears_if", "sti\n int $0x40");
	set_idt(0x40, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(0x40), T_TRAPGATE, 0, 1, 0));
	AT("frame.trap_gate_keeps_if", "sti\n int $0x40");
	set_idt(0x40, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(0x40), T_INTGATE, 0, 1, 0));
	AT("frame.lock_nop_ud", ".byte 0xf0, 0x90");
	AT("frame.lock_add_reg_ud", ".byte 0xf0, 0x01, 0xc0");
}

static u32 step_pushed;

/* runs snippet `which` under TF with the counting #DB handler and prints the trap offsets */
static void
step_list(const char *name, int which)
{
	u32 label = 0;
	db_count = 0;
	db_counting = 1;
	switch (which) {
	case 0:
		__asm__ volatile("movl $1f, %0\n pushfl\n orl $0x100, (%%esp)\n popfl\n nop\n"
			"1: rep movsb\n nop\n pushfl\n andl $0xfffffeff, (%%esp)\n popfl"
			: "=m"(label) : "S"(0), "D"(0), "c"(0) : "memory", "cc");
		break;
	case 1:
		__asm__ volatile("movl $1f, %0\n pushfl\n orl $0x100, (%%esp)\n popfl\n nop\n"
			"1: int $0x31\n nop\n pushfl\n andl $0xfffffeff, (%%esp)\n popfl"
			: "=m"(label) : : "memory", "cc");
		break;
	case 2:
		__asm__ volatile("movl $1f, %0\n pushfl\n orl $0x100, (%%esp)\n pushl %%cs\n pushl $1f\n iret\n"
			"1: nop\n nop\n pushfl\n andl $0xfffffeff, (%%esp)\n popfl"
			: "=m"(label) : : "memory", "cc");
		break;
	default:
		__asm__ volatile("movl $1f, %0\n pushfl\n orl $0x100, (%%esp)\n popfl\n"
			"1: pushfl\n popl %1\n pushfl\n andl $0xfffffeff, (%%esp)\n popfl"
			: "=m"(label), "=m"(step_pushed) : : "memory", "cc");
		break;
	}
	db_counting = 0;
	printf_("%s: traps=%d at", name, db_count);
	for (u32 i = 0; i < db_count && i < 16; i++) printf_(" %c%x", db_eips[i] >= label ? '+' : '-',
		db_eips[i] >= label ? db_eips[i] - label : label - db_eips[i]);
	if (which == 3) printf_(" pushed_tf=%x", step_pushed & 0x100);
	printf_("\n");
}

static void
single_step(void)
{
	__asm__ volatile("movl %0, %%dr6" : : "r"(0));
	AT("step.after_nop", "pushfl\n orl $0x100, (%%esp)\n popfl\n nop\n nop");
	u32 dr6;
	__asm__ volatile("movl %%dr6, %0" : "=r"(dr6));
	printf_("step.dr6_bs: %x\n", dr6 & 0x4000);
	__asm__ volatile("movl %0, %%dr6" : : "r"(0));
	AT("step.popf_clearing_tf", "pushfl\n orl $0x100, (%%esp)\n popfl\n pushfl\n andl $0xfffffeff, (%%esp)\n popfl\n nop\n ud2");
	/* MOV SS (and POP SS) hold off the single-step trap for one instruction */
	{
		static u32 label;
		db_count = 0;
		db_counting = 1;
		__asm__ volatile("movl $1f, %0\n pushfl\n orl $0x100, (%%esp)\n popfl\n"
			"1: nop\n movw %%ss, %%ax\n movw %%ax, %%ss\n nop\n pushl %%ss\n popl %%ss\n nop\n nop\n"
			"pushfl\n andl $0xfffffeff, (%%esp)\n popfl" : "=m"(label) : : "eax", "memory", "cc");
		db_counting = 0;
		printf_("step.mov_ss_shadow: traps=%d at", db_count);
		for (u32 i = 0; i < db_count && i < 16; i++) printf_(" +%x", db_eips[i] - label);
		printf_("\n");
	}
	/* a REP string instruction under TF traps after every iteration, eip staying on it */
	{
		static u32 label;
		static u8 src[8], dst[8];
		db_count = 0;
		db_counting = 1;
		__asm__ volatile("movl $1f, %0\n pushfl\n orl $0x100, (%%esp)\n popfl\n"
			"nop\n 1: rep movsb\n nop\n pushfl\n andl $0xfffffeff, (%%esp)\n popfl"
			: "=m"(label) : "S"(src), "D"(dst), "c"(4) : "memory", "cc");
		db_counting = 0;
		printf_("step.rep_movsb: traps=%d at", db_count);
		for (u32 i = 0; i < db_count && i < 16; i++) printf_(" %c%x", db_eips[i] >= label ? '+' : '-',
			db_eips[i] >= label ? db_eips[i] - label : label - db_eips[i]);
		printf_("\n");
	}
	/* more instructions under TF, each run listing where the #DB traps landed */
	step_list("step.rep_ecx0", 0);
	step_list("step.int_n_resuming", 1);
	step_list("step.iret_setting_tf", 2);
	step_list("step.pushf_sees_tf", 3);
	/* a trapping instruction under TF: the #DE fault is delivered, not the step trap */
	AT("step.fault_wins", "xorl %%ecx, %%ecx\n pushfl\n orl $0x100, (%%esp)\n popfl\n divl %%ecx");
}

static void
gate_checks(void)
{
	lidt_limit(0x40 * 8 + 7);
	AT("idt.limit_last_vector", "int $0x40");
	AT("idt.limit_exceeded", "int $0x41");
	lidt_limit(sizeof(idt) - 1);

	set_idt(0x41, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(0x41), T_INTGATE, 0, 0, 0));
	AT("idt.gate_not_present_soft", "int $0x41");
	set_idt(0x41, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(0x41), 0x1, 0, 1, 0));
	AT("idt.gate_bad_type", "int $0x41");
	set_idt(0x41, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(0x41), T_CALLGATE, 0, 1, 0));
	AT("idt.call_gate_in_idt", "int $0x41");
	set_idt(0x41, gate_desc(0, (u32)trap_stubs_addr(0x41), T_INTGATE, 0, 1, 0));
	AT("idt.gate_null_selector", "int $0x41");
	set_idt(0x41, gate_desc(SEL_KDATA, (u32)trap_stubs_addr(0x41), T_INTGATE, 0, 1, 0));
	AT("idt.gate_data_selector", "int $0x41");
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, (D_P | D_S | D_CODE | D_READ) & ~D_P, F_G | F_DB));
	set_idt(0x41, gate_desc(SCR(0), (u32)trap_stubs_addr(0x41), T_INTGATE, 0, 1, 0));
	AT("idt.gate_code_not_present", "int $0x41");
	set_idt(0x41, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(0x41), T_INTGATE, 0, 1, 0));

	/* a hardware exception whose gate fails carries EXT = 1 */
	set_idt(V_UD, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(V_UD), T_INTGATE, 0, 0, 0));
	AT("idt.ud_gate_not_present_ext", "ud2");
	set_idt(V_UD, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(V_UD), T_INTGATE, 0, 1, 0));
	set_idt(V_BP, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(V_BP), T_INTGATE, 0, 0, 0));
	AT("idt.int3_gate_not_present", "int3");
	set_idt(V_BP, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(V_BP), T_INTGATE, 0, 1, 0));

	/* contributory during contributory: double fault with error code 0 */
	set_idt(V_GP, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(V_GP), T_INTGATE, 0, 0, 0));
	AT("df.gp_gate_not_present", "movw $0x7ff8, %%ax\n movw %%ax, %%fs");
	set_idt(V_GP, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(V_GP), T_INTGATE, 0, 1, 0));
	set_idt(V_DE, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(V_DE), T_INTGATE, 0, 0, 0));
	AT("df.de_gate_not_present", "xorl %%ecx, %%ecx\n divl %%ecx");
	set_idt(V_DE, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(V_DE), T_INTGATE, 0, 1, 0));
}

static void
outer_ring_stacks(void)
{
	int r;
	/* ring-3 pushes checked against a small SS: #SS(0), delivered on the ring-0 stack */
	set_gdt(GDT_SCRATCH, seg_desc(0, ((u32)user_stack_top >> 12) - 1, D_P | D_S | D_WRITE | D_DPL(3), F_G | F_DB));
	r = run_at(SEL_UCODE, SCR(0) | 3, (u32)user_stack_top + 8, 0x2, (void (*)(void))u_push);
	printf_("ss.push_beyond_limit: r=%d %s err=%x esp=top+%x\n", r, vector_name(last_trap.vector),
		last_trap.err, last_trap.esp - (u32)user_stack_top);
	r = run_at(SEL_UCODE, SCR(0) | 3, (u32)user_stack_top, 0x2, (void (*)(void))u_push);
	printf_("ss.push_within_limit: r=%d %s\n", r, vector_name(last_trap.vector));
	r = run_at(SEL_UCODE, SCR(0) | 3, (u32)user_stack_top + 2, 0x2, (void (*)(void))u_push);
	printf_("ss.push_straddling_limit: r=%d %s err=%x\n", r, vector_name(last_trap.vector), last_trap.err);
	/* expand-down: the push must stay above the limit */
	set_gdt(GDT_SCRATCH, seg_desc((u32)user_stack_top - 0x10000, 0xff00, D_P | D_S | D_WRITE | D_EXPDOWN | D_DPL(3), F_DB));
	r = run_at(SEL_UCODE, SCR(0) | 3, 0xff04, 0x2, (void (*)(void))u_push);
	printf_("ss.expdown_push_to_limit: r=%d %s err=%x\n", r, vector_name(last_trap.vector), last_trap.err);
	r = run_at(SEL_UCODE, SCR(0) | 3, 0xff08, 0x2, (void (*)(void))u_push);
	printf_("ss.expdown_push_above_limit: r=%d %s\n", r, vector_name(last_trap.vector));

	/* alignment check: CR0.AM and EFLAGS.AC at CPL 3 only */
	write_cr0(read_cr0() | 0x40000);
	r = run_at(SEL_UCODE, SEL_UDATA, (u32)user_stack_top, 0x2, (void (*)(void))u_misaligned);
	printf_("ac.cpl3_am1_ac1: r=%d %s err=%x\n", r, r ? vector_name(last_trap.vector) : "-", r ? last_trap.err : 0);
	r = run_at(SEL_UCODE, SEL_UDATA, (u32)user_stack_top, 0x2, (void (*)(void))u_misaligned_noac);
	printf_("ac.cpl3_am1_ac0: r=%d\n", r);
	r = run_at(SEL_R1CODE, SEL_R1DATA, (u32)ring1_stack_top, 0x2, (void (*)(void))u_misaligned);
	printf_("ac.cpl1_am1_ac1: r=%d\n", r);
	write_cr0(read_cr0() & ~0x40000u);
	r = run_at(SEL_UCODE, SEL_UDATA, (u32)user_stack_top, 0x2, (void (*)(void))u_misaligned);
	printf_("ac.cpl3_am0_ac1: r=%d\n", r);

	/* the ring-0 stack from the TSS receives ss, esp, eflags, cs, eip of ring 3 */
	r = run_at(SEL_UCODE, SEL_UDATA, (u32)user_stack_top - 0x40, 0x202 & ~EFLAGS_IF, (void (*)(void))u_ud2);
	printf_("tss.ring3_ud2: r=%d %s ss=%x esp=top-%x cs=%x handler_esp=esp0-%x\n", r,
		vector_name(last_trap.vector), last_trap.ss, (u32)user_stack_top - last_trap.esp,
		last_trap.cs, (u32)ring0_trap_stack_top - last_trap.handler_esp);
	tssb.t.esp0 = (u32)ring0_trap_stack_top - 0x100;
	r = run_at(SEL_UCODE, SEL_UDATA, (u32)user_stack_top, 0x2, (void (*)(void))u_ud2);
	printf_("tss.esp0_moved: r=%d handler_esp=esp0-%x\n", r,
		(u32)ring0_trap_stack_top - 0x100 - last_trap.handler_esp);
	tssb.t.esp0 = (u32)ring0_trap_stack_top;
	r = run_at(SEL_R1CODE, SEL_R1DATA, (u32)ring1_stack_top - 0x20, 0x2, (void (*)(void))u_ud2);
	printf_("tss.ring1_ud2: r=%d %s ss=%x esp=top-%x cs=%x handler_esp=esp0-%x\n", r,
		vector_name(last_trap.vector), last_trap.ss, (u32)ring1_stack_top - last_trap.esp,
		last_trap.cs, (u32)ring0_trap_stack_top - last_trap.handler_esp);
}

/* the FPU probe sequence OSes use, and CR0.TS/EM/MP turning x87 instructions into #NM */
static void
fpu(void)
{
	u16 sw = 0xffff, cw = 0;
	u32 cr0 = read_cr0();
	write_cr0(cr0 & ~0xeu);     /* MP, EM, TS clear */
	__asm__ volatile("fninit\n fnstsw %0\n fnstcw %1" : "=m"(sw), "=m"(cw));
	printf_("fpu.probe: sw=%x cw=%x\n", sw, cw);
	u16 newcw = 0x027f;
	__asm__ volatile("fldcw %1\n fnstcw %0" : "=m"(cw) : "m"(newcw));
	printf_("fpu.fldcw: cw=%x\n", cw);
	__asm__ volatile("fninit");
	write_cr0((cr0 & ~0xeu) | 0x8);
	AT("fpu.ts_fninit", "fninit");
	AT("fpu.ts_mp0_fwait", "fwait");
	write_cr0((cr0 & ~0xeu) | 0x8 | 0x2);
	AT("fpu.ts_mp1_fwait", "fwait");
	write_cr0((cr0 & ~0xeu) | 0x4);
	AT("fpu.em_fninit", "fninit");
	AT("fpu.em_fwait", "fwait");
	write_cr0(cr0 & ~0xeu);
	__asm__ volatile("clts");
	printf_("fpu.clts: cr0_ts=%x\n", read_cr0() & 0x8);
	write_cr0(cr0);
}

void
tests(void)
{
	fpu();
	same_ring_frames();
	single_step();
	gate_checks();
	outer_ring_stacks();
}
