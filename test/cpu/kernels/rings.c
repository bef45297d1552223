/* Privilege rings: iret from ring 0 to rings 1-3 (and the data-segment nulling it does),
 * int n from outer rings with gate DPL checks and the TSS stack switch, call gates to inner
 * rings with parameter copying, far returns to outer rings, conforming code, and the checks
 * that refuse inward iret/lret (SDM Vol. 3A 5.8-5.9, 6.12; Vol. 2 CALL, RET, IRET, INT n). */
#include "kernel.h"

#define SCR(n)  ((GDT_SCRATCH + (n)) << 3)
#define CODE_R  (D_P | D_S | D_CODE | D_READ)

/* what the gate targets saw on their stack */
volatile u32 gate_seen[8];

/* Ring-3 (or ring-1) snippets. They end with int $0x30, whose frame carries eax. */
__asm__(
	".text\n"
	/* eax = cs | ss << 16 */
	"u_report_cs_ss:\n"
	"  movl %cs, %eax\n movl %ss, %ebx\n shll $16, %ebx\n orl %ebx, %eax\n int $0x30\n"
	/* eax = ds | es << 8 | fs << 16 | gs << 24 */
	"u_report_data_segs:\n"
	"  xorl %eax, %eax\n movw %gs, %ax\n shll $8, %eax\n movw %fs, %bx\n orb %bl, %al\n"
	"  shll $8, %eax\n movw %es, %bx\n orb %bl, %al\n shll $8, %eax\n movw %ds, %bx\n orb %bl, %al\n"
	"  int $0x30\n"
	"u_int40:\n  int $0x40\n int $0x30\n"
	"u_int3:\n  int3\n int $0x30\n"
	"u_int3_long:\n  .byte 0xcd, 0x03\n int $0x30\n"
	"u_into:\n  movl $0x7fffffff, %eax\n addl $1, %eax\n into\n int $0x30\n"
	"u_div0:\n  xorl %ecx, %ecx\n movl $1, %eax\n cltd\n divl %ecx\n int $0x30\n"
	/* int $0x31 returns here; eax = esp after it minus esp before it (must be 0) */
	"u_int31_roundtrip:\n"
	"  movl %esp, %esi\n movl $0x31313131, %eax\n int $0x31\n movl %esp, %eax\n subl %esi, %eax\n"
	"  movw %ds, %bx\n shll $16, %ebx\n orl %ebx, %eax\n int $0x30\n"
	/* lcall through the gate in scratch 0 with two parameters; eax = esp change */
	"u_lcall_gate:\n"
	"  movl %esp, %esi\n pushl $0x22222222\n pushl $0x11111111\n lcall $0x50, $0\n"
	"  movl %esp, %eax\n subl %esi, %eax\n int $0x30\n"
	"u_lcall_gate_rpl3:\n  lcall $0x53, $0\n int $0x30\n"
	"u_ljmp_gate:\n  ljmp $0x50, $0\n int $0x30\n"
	/* lcall straight to a conforming DPL 0 segment (scratch 1); it reports cs */
	"u_lcall_conforming:\n  lcall $0x5b, $k_conforming_target\n int $0x30\n"
	"u_lret_inward:\n  pushl $0x08\n pushl $k_never\n lret\n"
	"u_iret_inward:\n  pushfl\n pushl $0x08\n pushl $k_never\n iret\n"
	"u_hlt:\n  hlt\n int $0x30\n"
	/* segment loads at CPL 3 from user_arg */
	"u_load_ds:\n  movl user_arg, %eax\n movw %ax, %ds\n movw %ds, %ax\n int $0x30\n"
	"u_load_ss:\n  movl user_arg, %eax\n movw %ss, %bx\n movw %ax, %ss\n movw %bx, %ss\n int $0x30\n"
	"u_pop_es:\n  pushl user_arg\n popl %es\n movw %es, %ax\n int $0x30\n"
	/* gate targets */
	"k_gate_target:\n"
	"  movl 0(%esp), %eax\n movl %eax, gate_seen\n"
	"  movl 4(%esp), %eax\n movl %eax, gate_seen+4\n"
	"  movl 8(%esp), %eax\n movl %eax, gate_seen+8\n"
	"  movl 12(%esp), %eax\n movl %eax, gate_seen+12\n"
	"  movl 16(%esp), %eax\n movl %eax, gate_seen+16\n"
	"  movl 20(%esp), %eax\n movl %eax, gate_seen+20\n"
	"  movl %cs, %eax\n movl %eax, gate_seen+24\n"
	"  movl %esp, %eax\n movl %eax, gate_seen+28\n"
	"  lret $8\n"
	/* loads kernel data into ES and FS, then returns to ring 3: both must come back null */
	"k_gate_dirty_segs:\n"
	"  movw $0x10, %ax\n movw %ax, %es\n movw %ax, %fs\n movw $0x23, %ax\n movw %ax, %gs\n lret $8\n"
	"u_lcall_gate_report:\n"
	"  pushl $0\n pushl $0\n lcall $0x50, $0\n jmp u_report_data_segs\n"
	"k_conforming_target:\n"
	"  movl %cs, %eax\n movl %eax, gate_seen+24\n lret\n"
	"k_never:\n  hlt\n"
	/* a ring-1 handler (as a Xen guest kernel's): records its frame and irets */
	"r1_handler:\n"
	"  movl 0(%esp), %eax\n movl %eax, r1_seen\n movl 4(%esp), %eax\n movl %eax, r1_seen+4\n"
	"  movl 8(%esp), %eax\n movl %eax, r1_seen+8\n movl 12(%esp), %eax\n movl %eax, r1_seen+12\n"
	"  movl 16(%esp), %eax\n movl %eax, r1_seen+16\n movl %esp, r1_seen+20\n"
	"  movl %cs, %eax\n movl %eax, r1_seen+24\n movl %ss, %eax\n movl %eax, r1_seen+28\n iret\n"
	/* a handler in conforming code: runs at the interrupted CPL, on the same stack */
	"conf_handler:\n"
	"  movl %cs, %eax\n movl %eax, r1_seen+24\n movl %esp, r1_seen+20\n movl 4(%esp), %eax\n movl %eax, r1_seen+4\n iret\n"
	"u_int44:\n  int $0x44\n movl $0x44, %eax\n int $0x30\n"
	/* gate targets that corrupt their return frame before lret to ring 3 (no parameters) */
	"k_ret_bad_ss:\n  movl $0x10, 12(%esp)\n lret\n"
	"k_ret_ss_rpl0:\n  andl $0xfffc, 12(%esp)\n lret\n"
	"k_ret_cs_not_present:\n  movl $0x6b, 4(%esp)\n lret\n"
	"k_ret_esp:\n  movl $0x12345678, 8(%esp)\n lret\n"
	"u_lcall_gate0:\n  movl %esp, %esi\n lcall $0x50, $0\n movl %esp, %eax\n int $0x30\n"
	"u_int42:\n  movl $0x4242, %eax\n int $0x42\n movl %ss, %eax\n int $0x30\n"
);
extern char u_report_cs_ss[], u_report_data_segs[], u_int40[], u_int3[], u_int3_long[], u_into[],
	u_div0[], u_int31_roundtrip[], u_lcall_gate[], u_lcall_gate_rpl3[], u_ljmp_gate[],
	u_lcall_conforming[], u_lret_inward[], u_iret_inward[], u_hlt[], k_gate_target[],
	k_gate_dirty_segs[], u_lcall_gate_report[], u_load_ds[], u_load_ss[], u_pop_es[];
volatile u32 user_arg;
volatile u32 r1_seen[8];
extern char r1_handler[], u_int42[], conf_handler[], u_int44[], k_ret_bad_ss[], k_ret_ss_rpl0[],
	k_ret_cs_not_present[], k_ret_esp[], u_lcall_gate0[];

#define USER(fn) run_at(SEL_UCODE, SEL_UDATA, (u32)user_stack_top, 0x2, (void (*)(void))(fn))

/* "name: int30 eax=..." when the code came back, or the trap that stopped it */
static void
show_run(const char *name, int r)
{
	if (r == 0)
		printf_("%s: returned eax=%08x from cs=%x\n", name, last_trap.eax, last_trap.cs);
	else if (last_trap.vector == V_GP || last_trap.vector == V_NP || last_trap.vector == V_TS ||
		 last_trap.vector == V_SS || last_trap.vector == V_PF)
		printf_("%s: %s(%04x) at eip=%08x cs=%x\n", name, vector_name(last_trap.vector),
			last_trap.err, last_trap.eip, last_trap.cs);
	else
		printf_("%s: %s at eip=%08x cs=%x\n", name, vector_name(last_trap.vector),
			last_trap.eip, last_trap.cs);
}

static void
iret_outward(void)
{
	int r = USER(u_report_cs_ss);
	show_run("iret.ring3_cs_ss", r);
	printf_("iret.ring3_frame: ss=%x esp=top-%x handler_esp=esp0-%x\n", last_trap.ss,
		(u32)user_stack_top - last_trap.esp, (u32)ring0_trap_stack_top - last_trap.handler_esp);

	/* iret to ring 3 nulls DS/ES/FS/GS that hold DPL<3 data or non-conforming code */
	set_gdt(GDT_SCRATCH + 1, seg_desc(0, 0xfffff, CODE_R | D_CONF, F_G | F_DB));
	r = run_at_seg(SEL_UCODE, SEL_UDATA, (u32)user_stack_top, 0x2, (void (*)(void))u_report_data_segs,
		SEL_KDATA, SEL_UDATA, SEL_KCODE, SCR(1));
	show_run("iret.nulls_kernel_segments", r);
	r = run_at_seg(SEL_R1CODE, SEL_R1DATA, (u32)ring1_stack_top, 0x2, (void (*)(void))u_report_data_segs,
		SEL_KDATA, SEL_R1DATA, SEL_R2DATA, SEL_UDATA);
	show_run("iret.ring1_nulls_dpl0_only", r);
	r = run_at(SEL_R1CODE, SEL_R1DATA, (u32)ring1_stack_top, 0x2, (void (*)(void))u_report_cs_ss);
	show_run("iret.ring1_cs_ss", r);
	printf_("iret.ring1_frame: ss=%x esp=top-%x handler_esp=esp0-%x\n", last_trap.ss,
		(u32)ring1_stack_top - last_trap.esp, (u32)ring0_trap_stack_top - last_trap.handler_esp);

	/* refusals checked by iret itself */
	r = run_at(SEL_UCODE, SEL_KDATA, (u32)user_stack_top, 0x2, (void (*)(void))u_report_cs_ss);
	show_run("iret.ss_rpl_differs_from_cs_rpl", r);
	r = run_at_seg(SEL_UCODE, SEL_R1DATA | 3, (u32)user_stack_top, 0x2, (void (*)(void))u_report_cs_ss,
		SEL_UDATA, SEL_UDATA, SEL_UDATA, SEL_UDATA);
	show_run("iret.ss_dpl_differs", r);
	set_gdt(GDT_SCRATCH + 2, seg_desc(0, 0xfffff, (CODE_R | D_DPL(3)) & ~D_P, F_G | F_DB));
	r = run_at(SCR(2) | 3, SEL_UDATA, (u32)user_stack_top, 0x2, (void (*)(void))u_report_cs_ss);
	show_run("iret.cs_not_present", r);
	r = run_at(SEL_UDATA, SEL_UDATA, (u32)user_stack_top, 0x2, (void (*)(void))u_report_cs_ss);
	show_run("iret.cs_is_data", r);
	r = run_at(0, SEL_UDATA, (u32)user_stack_top, 0x2, (void (*)(void))u_report_cs_ss);
	show_run("iret.cs_null", r);
	r = run_at(SEL_UCODE, 0, (u32)user_stack_top, 0x2, (void (*)(void))u_report_cs_ss);
	show_run("iret.ss_null_to_ring3", r);
	set_gdt(GDT_SCRATCH + 2, seg_desc(0, 0xfffff, (D_P | D_S | D_WRITE | D_DPL(3)) & ~D_P, F_G | F_DB));
	r = run_at_seg(SEL_UCODE, SCR(2) | 3, (u32)user_stack_top, 0x2, (void (*)(void))u_report_cs_ss,
		SEL_UDATA, SEL_UDATA, SEL_UDATA, SEL_UDATA);
	show_run("iret.ss_not_present", r);

	show_run("user.lret_inward", USER(u_lret_inward));
	show_run("user.iret_inward", USER(u_iret_inward));
	show_run("user.hlt", USER(u_hlt));

	/* MOV/POP Sreg at CPL 3: max(CPL, RPL) must not exceed a data segment's DPL */
	static const struct { const char *name; char *code; u32 sel; } loads[] = {
		{ "user.mov_ds_udata", u_load_ds, SEL_UDATA },
		{ "user.mov_ds_kdata", u_load_ds, SEL_KDATA },
		{ "user.mov_ds_kdata_rpl3", u_load_ds, SEL_KDATA | 3 },
		{ "user.mov_ds_ring1_data", u_load_ds, SEL_R1DATA },
		{ "user.mov_ds_ucode_readable", u_load_ds, SEL_UCODE },
		{ "user.mov_ds_null", u_load_ds, 0 },
		{ "user.mov_ss_udata", u_load_ss, SEL_UDATA },
		{ "user.mov_ss_udata_rpl0", u_load_ss, SEL_UDATA & ~3u },
		{ "user.mov_ss_kdata", u_load_ss, SEL_KDATA },
		{ "user.mov_ss_null", u_load_ss, 3 },
		{ "user.pop_es_kdata", u_pop_es, SEL_KDATA },
		{ "user.pop_es_udata", u_pop_es, SEL_UDATA },
	};
	for (unsigned i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		user_arg = loads[i].sel;
		show_run(loads[i].name, USER(loads[i].code));
	}
}

static void
int_from_outer_rings(void)
{
	show_run("int.gate_dpl0_from_ring3", USER(u_int40));
	show_run("int3.gate_dpl0_from_ring3", USER(u_int3));
	show_run("int_03.gate_dpl0_from_ring3", USER(u_int3_long));
	show_run("into.gate_dpl0_from_ring3", USER(u_into));
	show_run("div0.gate_dpl0_from_ring3", USER(u_div0));
	set_idt(V_BP, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(V_BP), T_TRAPGATE, 3, 1, 0));
	set_idt(V_OF, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(V_OF), T_TRAPGATE, 3, 1, 0));
	show_run("int3.gate_dpl3", USER(u_int3));
	show_run("int_03.gate_dpl3", USER(u_int3_long));
	show_run("into.gate_dpl3", USER(u_into));
	set_idt(0x40, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(0x40), T_INTGATE, 3, 0, 0));
	show_run("int.gate_not_present", USER(u_int40));
	set_idt(0x40, gate_desc(SEL_UDATA, (u32)trap_stubs_addr(0x40), T_INTGATE, 3, 1, 0));
	show_run("int.gate_to_data_segment", USER(u_int40));
	set_idt(0x40, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(0x40), T_INTGATE, 0, 1, 0));

	/* a DPL 1 trap gate (like Xen's int 0x82 hypercall gate) admits rings 0-1, not ring 3 */
	set_idt(0x40, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(0x40), T_TRAPGATE, 1, 1, 0));
	show_run("int.gate_dpl1_from_ring3", USER(u_int40));
	int r = run_at(SEL_R1CODE, SEL_R1DATA, (u32)ring1_stack_top, 0x2, (void (*)(void))u_int40);
	show_run("int.gate_dpl1_from_ring1", r);
	printf_("int.gate_dpl1_from_ring1_frame: ss=%x esp=top-%x handler_esp=esp0-%x\n", last_trap.ss,
		(u32)ring1_stack_top - last_trap.esp, (u32)ring0_trap_stack_top - last_trap.handler_esp);
	set_idt(0x40, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(0x40), T_INTGATE, 0, 1, 0));

	/* a DPL 3 gate into ring-1 code: the CPU switches to the TSS ring-1 stack */
	set_idt(0x42, gate_desc(SEL_R1CODE, (u32)r1_handler, T_INTGATE, 3, 1, 0));
	for (int i = 0; i < 8; i++) r1_seen[i] = 0;
	r = USER(u_int42);
	show_run("int.ring3_to_ring1_handler", r);
	printf_("int.ring1_frame: eip=%x cs=%x eflags=%x esp=top-%x ss=%x handler_esp=esp1-%x cs=%x ss=%x\n",
		r1_seen[0], r1_seen[1], r1_seen[2], (u32)user_stack_top - r1_seen[3], r1_seen[4],
		(u32)ring1_stack_top - r1_seen[5], r1_seen[6], r1_seen[7]);
	for (int i = 0; i < 8; i++) r1_seen[i] = 0;
	r = run_at(SEL_R1CODE, SEL_R1DATA, (u32)ring1_stack_top - 0x100, 0x2, (void (*)(void))u_int42);
	show_run("int.ring1_to_ring1_handler", r);
	printf_("int.ring1_same_ring_frame: cs=%x handler_esp=esp1-%x\n", r1_seen[1],
		(u32)ring1_stack_top - r1_seen[5]);

	/* a gate into conforming DPL 0 code: no privilege change, the ring-3 stack is used */
	set_gdt(GDT_SCRATCH + 3, seg_desc(0, 0xfffff, D_P | D_S | D_CODE | D_READ | D_CONF, F_G | F_DB));
	set_idt(0x44, gate_desc(SCR(3), (u32)conf_handler, T_INTGATE, 3, 1, 0));
	for (int i = 0; i < 8; i++) r1_seen[i] = 0;
	r = USER(u_int44);
	show_run("int.gate_to_conforming_code", r);
	printf_("int.conforming_frame: cs_inside=%x pushed_cs=%x esp=top-%x\n", r1_seen[6], r1_seen[1],
		(u32)user_stack_top - r1_seen[5]);

	r = USER(u_int31_roundtrip);
	show_run("int31.roundtrip_esp_delta_and_ds", r);
	r = run_at(SEL_R1CODE, SEL_R1DATA, (u32)ring1_stack_top, 0x2, (void (*)(void))u_int40);
	show_run("int.gate_dpl0_from_ring1", r);
}

static void
call_gates(void)
{
	int r;
	set_gdt(GDT_SCRATCH, gate_desc(SEL_KCODE, (u32)k_gate_target, T_CALLGATE, 3, 1, 2));
	for (int i = 0; i < 8; i++) gate_seen[i] = 0;
	r = USER(u_lcall_gate);
	show_run("callgate.ring3_to_ring0", r);
	printf_("callgate.ring0_stack: ret_cs=%x p1=%x p2=%x old_ss=%x cs=%x esp=esp0-%x old_esp=top-%x\n",
		gate_seen[1], gate_seen[2], gate_seen[3], gate_seen[5], gate_seen[6],
		(u32)ring0_trap_stack_top - gate_seen[7], (u32)user_stack_top - gate_seen[4]);

	set_gdt(GDT_SCRATCH, gate_desc(SEL_R1CODE, (u32)k_gate_target, T_CALLGATE, 3, 1, 2));
	for (int i = 0; i < 8; i++) gate_seen[i] = 0;
	r = USER(u_lcall_gate);
	show_run("callgate.ring3_to_ring1", r);
	printf_("callgate.ring1_stack: ret_cs=%x p1=%x p2=%x old_ss=%x cs=%x esp=esp1-%x\n",
		gate_seen[1], gate_seen[2], gate_seen[3], gate_seen[5], gate_seen[6],
		(u32)ring1_stack_top - gate_seen[7]);

	/* lret to an outer ring nulls data segment registers the outer ring may not use */
	set_gdt(GDT_SCRATCH, gate_desc(SEL_KCODE, (u32)k_gate_dirty_segs, T_CALLGATE, 3, 1, 2));
	show_run("callgate.lret_outward_nulls_segments", USER(u_lcall_gate_report));

	set_gdt(GDT_SCRATCH, gate_desc(SEL_KCODE, (u32)k_gate_target, T_CALLGATE, 0, 1, 2));
	show_run("callgate.dpl0_from_ring3", USER(u_lcall_gate));
	set_gdt(GDT_SCRATCH, gate_desc(SEL_KCODE, (u32)k_gate_target, T_CALLGATE, 0, 0, 2));
	show_run("callgate.dpl0_not_present_privilege_first", USER(u_lcall_gate));
	set_gdt(GDT_SCRATCH, gate_desc(SEL_KCODE, (u32)k_gate_target, T_CALLGATE, 3, 0, 2));
	show_run("callgate.not_present", USER(u_lcall_gate));
	set_gdt(GDT_SCRATCH, gate_desc(SEL_KCODE, (u32)k_gate_target, T_CALLGATE, 2, 1, 2));
	show_run("callgate.dpl2_from_ring3", USER(u_lcall_gate_rpl3));
	set_gdt(GDT_SCRATCH, gate_desc(SEL_KDATA, (u32)k_gate_target, T_CALLGATE, 3, 1, 2));
	show_run("callgate.target_is_data", USER(u_lcall_gate));
	set_gdt(GDT_SCRATCH, gate_desc(0, (u32)k_gate_target, T_CALLGATE, 3, 1, 2));
	show_run("callgate.target_null", USER(u_lcall_gate));
	set_gdt(GDT_SCRATCH, gate_desc(SEL_KCODE, (u32)k_gate_target, T_CALLGATE, 3, 1, 2));
	show_run("callgate.ljmp_to_inner_ring", USER(u_ljmp_gate));

	/* lret to an outer ring checks the popped CS and SS */
	static const struct { const char *name; char *target; } rets[] = {
		{ "lret_outward.ss_kernel_data", k_ret_bad_ss },
		{ "lret_outward.ss_rpl0", k_ret_ss_rpl0 },
		{ "lret_outward.cs_not_present", k_ret_cs_not_present },
		{ "lret_outward.new_esp_taken", k_ret_esp },
	};
	set_gdt(GDT_SCRATCH + 3, seg_desc(0, 0xfffff, (D_P | D_S | D_CODE | D_READ | D_DPL(3)) & ~D_P, F_G | F_DB));
	for (unsigned i = 0; i < sizeof(rets) / sizeof(rets[0]); i++) {
		set_gdt(GDT_SCRATCH, gate_desc(SEL_KCODE, (u32)rets[i].target, T_CALLGATE, 3, 1, 0));
		show_run(rets[i].name, USER(u_lcall_gate0));
	}

	/* a conforming DPL 0 segment runs at the caller's CPL */
	set_gdt(GDT_SCRATCH + 1, seg_desc(0, 0xfffff, CODE_R | D_CONF | D_DPL(0), F_G | F_DB));
	gate_seen[6] = 0;
	r = USER(u_lcall_conforming);
	show_run("conforming.lcall_from_ring3", r);
	printf_("conforming.cs_inside: %x\n", gate_seen[6]);

	/* a TSS whose ring-0 stack segment is invalid: #TS(ss0) on the inward call */
	tssb.t.ss1 = SEL_KDATA;
	set_gdt(GDT_SCRATCH, gate_desc(SEL_R1CODE, (u32)k_gate_target, T_CALLGATE, 3, 1, 2));
	show_run("callgate.tss_ss1_wrong_dpl", USER(u_lcall_gate));
	tssb.t.ss1 = 0;
	show_run("callgate.tss_ss1_null", USER(u_lcall_gate));
	tssb.t.ss1 = SEL_R1DATA;
}

void
tests(void)
{
	iret_outward();
	int_from_outer_rings();
	call_gates();
}
