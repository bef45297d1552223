/* Virtual-8086 mode (SDM Vol. 3A ch. 20; Vol. 2 IRET, INT n, PUSHF, POPF): entry by IRET from
 * CPL 0, real-mode segment arithmetic with prefixes, far transfers, IOPL-sensitive instructions
 * at IOPL 0 and 3, the I/O bitmap, the ring-0 frame with GS FS DS ES above SS, INT n through
 * gates (DPL, target code segment), exceptions with and without error code, paging, and the
 * instructions that are #UD or #GP(0) there. Real-mode snippets are copied below 1 MiB. */
#include "kernel.h"

#define IOPL(n)    ((n) << 12)
#define EF_IF      0x200
#define EF_RF      0x10000
#define EF_VM      0x20000
#define V86_CODE   0x2000           /* code segment: linear 0x20000 */
#define V86_DATA   0x3000           /* data and stack segment: linear 0x30000 */
#define V86_SP     0xf000

struct v86_entry { u32 eip, cs, eflags, esp, ss, es, ds, fs, gs; };
int run_v86(struct v86_entry *e);

__asm__(
	".text\n"
	".globl run_v86\n"
	"run_v86:\n"
	"  pushl $run_buf\n call k_setjmp\n addl $4, %esp\n testl %eax, %eax\n jnz 2f\n"
	"  movl $1, catch_armed_run\n movl 4(%esp), %eax\n"
	"  pushl 32(%eax)\n pushl 28(%eax)\n pushl 24(%eax)\n pushl 20(%eax)\n pushl 16(%eax)\n"
	"  pushl 12(%eax)\n pushl 8(%eax)\n pushl 4(%eax)\n pushl 0(%eax)\n"
	/* V86 code sees known general registers whatever the loader left in them */
	"  xorl %eax, %eax\n xorl %ebx, %ebx\n xorl %ecx, %ecx\n xorl %edx, %edx\n"
	"  xorl %esi, %esi\n xorl %edi, %edi\n xorl %ebp, %ebp\n iret\n"
	"2: cli\n subl $1, %eax\n ret\n"
	/* Target of the 16-bit gates: a code segment based here (gate offsets are 16 bits), which
	 * moves to the flat kernel code at once, notes where the 16-bit frame is and unwinds. */
	".globl h16_entry\n"
	"h16_entry:\n"
	"  ljmp $0x08, $h16_flat\n"
	"h16_flat:\n"
	"  movl %esp, %ss:h16_esp\n movw $0x10, %ax\n movw %ax, %ds\n movw %ax, %es\n"
	"  movl $0, catch_armed_run\n pushl $2\n pushl $run_buf\n call k_longjmp\n"
	/* the real-mode blob; every snippet ends in ud2 (#UD) or traps earlier */
	".p2align 4\n"
	".globl v86_blob, v86_blob_end\n"
	"v86_blob:\n"
	".code16\n"
	"s_seg:\n  movw 0x10, %ax\n movw %es:0x20, %cx\n movw %fs:0x30, %si\n movw %gs:0x40, %di\n ud2\n"
	"s_sreg:\n  movw $0x3010, %cx\n movw %cx, %es\n pushw $0x3020\n popw %fs\n movl $0x12345678, %eax\n"
	"  movl %es:0, %esi\n movw %fs:0x10, %di\n movw %fs, %cx\n ud2\n"
	"s_far:\n  ljmp $0x1ff0, $(1f - v86_blob + 0x100)\n"
	"1: movw %cs, %ax\n lcall $0x2000, $(3f - v86_blob)\n ud2\n"
	"3: movw %cs, %cx\n movw %sp, %si\n movw %ss:(%si), %di\n lret\n"
	"s_cli:\n  cli\n pushfl\n popl %eax\n ud2\n"
	"s_sti:\n  sti\n pushfl\n popl %eax\n ud2\n"
	"s_pushf:\n  pushfl\n popl %eax\n pushfw\n popw %cx\n ud2\n"
	"s_popfl:\n  pushl $0x000408d5\n popfl\n pushfl\n popl %eax\n movw %cs, %cx\n ud2\n"
	"s_popfw:\n  pushw $0x0046\n popfw\n pushfl\n popl %eax\n ud2\n"
	"s_int30:\n  movw $0x30, %ax\n int $0x30\n ud2\n"
	"s_int31:\n  movw $0x1111, %ax\n int $0x31\n movw %ds, %cx\n movw %es, %si\n movw %gs, %di\n"
	"  incw %ax\n ud2\n"
	"s_int40:\n  movw $0x40, %ax\n int $0x40\n ud2\n"
	"s_iret:\n  pushw $0x0046\n pushw %cs\n pushw $(1f - v86_blob)\n iret\n"
	"1: pushfl\n popl %eax\n movw %cs, %cx\n ud2\n"
	"s_in:\n  inb $0x80, %al\n movb $0x5a, %al\n ud2\n"
	"s_out:\n  outb %al, $0x80\n ud2\n"
	"s_insb:\n  movw $0x80, %dx\n movw $0x100, %di\n insb\n ud2\n"
	"s_hlt:\n  hlt\n ud2\n"
	"s_lgdt:\n  lgdt %ds:0x100\n ud2\n"
	"s_movcr0:\n  movl %cr0, %eax\n ud2\n"
	"s_lldt:\n  xorw %ax, %ax\n lldt %ax\n ud2\n"
	"s_ltr:\n  movw $0x28, %ax\n ltr %ax\n ud2\n"
	"s_sldt:\n  sldt %ax\n ud2\n"
	"s_str:\n  str %ax\n ud2\n"
	"s_lar:\n  movw $0x08, %cx\n lar %cx, %ax\n ud2\n"
	"s_lsl:\n  movw $0x08, %cx\n lsl %cx, %ax\n ud2\n"
	"s_verr:\n  movw $0x08, %cx\n verr %cx\n ud2\n"
	"s_verw:\n  movw $0x10, %cx\n verw %cx\n ud2\n"
	"s_arpl:\n  movw $0x0b, %cx\n arpl %cx, %ax\n ud2\n"
	"s_de:\n  movw $7, %ax\n xorw %dx, %dx\n xorw %cx, %cx\n divw %cx\n ud2\n"
	"s_int3:\n  movw $3, %ax\n int3\n ud2\n"
	"s_into:\n  movb $0x7f, %al\n addb $1, %al\n into\n ud2\n"
	"s_pf_np:\n  movw 0x5000, %ax\n ud2\n"
	"s_pf_ro:\n  movw 0x6002, %cx\n movw %cx, 0x6000\n ud2\n"
	"s_pf_sup:\n  movw 0x7000, %ax\n ud2\n"
	"s_pf_stack:\n  movw $0x5010, %sp\n pushw %ax\n ud2\n"
	"s_addr32:\n  movl $0x10000, %esi\n addr32 movw (%esi), %ax\n ud2\n"
	"s_word_ffff:\n  movw 0xffff, %ax\n ud2\n"
	"s_push_wrap:\n  movw $2, %sp\n pushl %eax\n ud2\n"
	"s_int41:\n  movw $0x41, %ax\n int $0x41\n ud2\n"
	"s_lock:\n  movw $0x40, %bx\n lock incw (%bx)\n movw (%bx), %ax\n ud2\n"
	".code32\n"
	"v86_blob_end:\n"
);
extern char v86_blob[], v86_blob_end[];
extern char s_seg[], s_sreg[], s_far[], s_cli[], s_sti[], s_pushf[], s_popfl[], s_popfw[],
	s_int30[], s_int31[], s_int40[], s_iret[], s_in[], s_out[], s_insb[], s_hlt[], s_lgdt[],
	s_movcr0[], s_lldt[], s_ltr[], s_sldt[], s_str[], s_lar[], s_lsl[], s_verr[], s_verw[],
	s_arpl[], s_de[], s_int3[], s_into[], s_pf_np[], s_pf_ro[], s_pf_sup[], s_pf_stack[],
	s_addr32[], s_word_ffff[], s_push_wrap[], s_lock[], s_int41[], h16_entry[];
volatile u32 h16_esp;

/* Runs `code` with vector `vec` behind a 16-bit interrupt gate and prints the words pushed. */
static void
v86_gate16(const char *name, u32 iopl, u32 vec, char *code, int err)
{
	u64 old = idt[vec];
	set_gdt(GDT_SCRATCH + 1, seg_desc((u32)h16_entry, 0xfffff, D_P | D_S | D_CODE | D_READ | D_DPL(0), F_G | F_DB));
	set_idt(vec, gate_desc((GDT_SCRATCH + 1) << 3, 0, 0x6, 3, 1, 0));
	struct v86_entry e = {
		.eip = (u32)(code - v86_blob), .cs = V86_CODE, .eflags = 0x2 | EF_VM | IOPL(iopl),
		.esp = V86_SP, .ss = V86_DATA, .es = 0x3100, .ds = V86_DATA, .fs = 0x3200, .gs = 0x3300,
	};
	h16_esp = 0;
	int r = run_v86(&e);
	idt[vec] = old;
	volatile u16 *w = (volatile u16 *)h16_esp;
	printf_("%s: r=%d sp0=%08x", name, r, (u32)ring0_trap_stack_top - h16_esp);
	for (int i = 0; i < 9 + err; i++)
		printf_(" %04x", w[i]);
	printf_("\n");
}

static u32 page_dir[1024] __attribute__((aligned(4096)));
static u32 page_table[1024] __attribute__((aligned(4096)));

static int
has_err(u32 v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17;
}

/* Runs snippet `code` in V86 mode with the given IOPL and prints what ended it: the vector,
 * the CPU's frame on the ring-0 stack (EFLAGS without RF: QEMU pushes RF clear for faults,
 * see the idt kernel), the data segments the handler found, and the registers. */
static void
v86(const char *name, u32 iopl, char *code)
{
	struct v86_entry e = {
		.eip = (u32)(code - v86_blob), .cs = V86_CODE, .eflags = 0x2 | EF_VM | IOPL(iopl),
		.esp = V86_SP, .ss = V86_DATA, .es = 0x3100, .ds = V86_DATA, .fs = 0x3200, .gs = 0x3300,
	};
	int r = run_v86(&e);
	u32 v = last_trap.vector;
	u32 *f = (u32 *)(last_trap.handler_esp + (has_err(v) ? 4 : 0)); /* EIP CS EFLAGS ESP SS ES DS FS GS */
	u32 *h = f - 2;                                                 /* vector, err pushed by the stub */
	printf_("%s: %s%s", name, r == 0 ? "call " : "", vector_name(v));
	if (has_err(v))
		printf_("(%04x)", last_trap.err);
	if (v == V_PF)
		printf_(" cr2=%08x", last_trap.cr2);
	printf_(" eip=%04x cs=%04x fl=%08x sp=%08x ss=%04x es=%04x ds=%04x fs=%04x gs=%04x",
		f[0], f[1] & 0xffff, f[2] & ~EF_RF, f[3], f[4] & 0xffff, f[5] & 0xffff, f[6] & 0xffff,
		f[7] & 0xffff, f[8] & 0xffff);
	printf_(" hds=%04x hes=%04x hfs=%04x hgs=%04x", h[-1] & 0xffff, h[-2] & 0xffff, h[-3] & 0xffff,
		h[-4] & 0xffff);
	printf_(" eax=%08x ecx=%08x esi=%08x edi=%08x\n", last_trap.eax, last_trap.ecx, last_trap.esi,
		last_trap.edi);
}

static void
setup_memory(void)
{
	for (u32 i = 0; i < (u32)(v86_blob_end - v86_blob); i++)
		((volatile u8 *)(V86_CODE << 4))[i] = (u8)v86_blob[i];
	/* recognisable words where the segment arithmetic should land */
	*(volatile u16 *)0x30010 = 0xd510;
	*(volatile u16 *)0x30012 = 0xd512;
	*(volatile u16 *)0x30100 = 0x0017;
	*(volatile u32 *)0x30102 = 0x00100000;
	*(volatile u16 *)0x30110 = 0xd610;
	*(volatile u16 *)0x31020 = 0xe520;
	*(volatile u16 *)0x30120 = 0xf120;
	*(volatile u16 *)0x30210 = 0xf210;
	*(volatile u16 *)0x32030 = 0xf530;
	*(volatile u16 *)0x33040 = 0xa540;
	*(volatile u16 *)0x36002 = 0x6262;
}

static void
paging_on(void)
{
	for (u32 i = 0; i < 1024; i++)
		page_table[i] = (i << 12) | 7;
	page_table[0x35] = 0;                       /* not present */
	page_table[0x36] = 0x36000 | 5;             /* user, read-only */
	page_table[0x37] = 0x37000 | 3;             /* supervisor only */
	for (u32 i = 0; i < 1024; i++)
		page_dir[i] = 0;
	page_dir[0] = (u32)page_table | 7;
	write_cr3((u32)page_dir);
	write_cr0(read_cr0() | 0x80000000u);
}

static void
paging_off(void)
{
	write_cr0(read_cr0() & ~0x80000000u);
}

void
tests(void)
{
	setup_memory();

	/* segment arithmetic, prefixes, segment loads and far transfers */
	v86("seg.base_times_16", 0, s_seg);
	v86("seg.mov_pop_sreg_and_66", 0, s_sreg);
	v86("seg.far_jmp_call_ret", 0, s_far);

	/* IOPL-sensitive instructions */
	static const struct { const char *name; char *code; } sens[] = {
		{ "cli", s_cli }, { "sti", s_sti }, { "pushf", s_pushf }, { "popfl", s_popfl },
		{ "popfw", s_popfw }, { "int30", s_int30 }, { "iret", s_iret },
		{ "in", s_in }, { "out", s_out }, { "insb", s_insb },
	};
	char name[40];
	for (u32 iopl = 0; iopl <= 3; iopl += 3)
		for (unsigned i = 0; i < sizeof(sens) / sizeof(sens[0]); i++) {
			char *p = name;
			const char *s = "iopl";
			while (*s) *p++ = *s++;
			*p++ = (char)('0' + iopl);
			*p++ = '.';
			for (s = sens[i].name; *s;) *p++ = *s++;
			*p = 0;
			v86(name, iopl, sens[i].code);
		}
	/* the I/O bitmap decides whatever IOPL is: allow port 0x80 */
	tssb.iomap[0x80 >> 3] &= (u8)~(1 << (0x80 & 7));
	v86("iomap.out_80_iopl0", 0, s_out);
	v86("iomap.in_80_iopl3", 3, s_in);
	tssb.iomap[0x80 >> 3] |= (u8)(1 << (0x80 & 7));

	/* a handler that irets straight back into V86 mode (32-bit IRET from CPL 0, VM=1) */
	v86("iret_from_ring0", 3, s_int31);

	/* the 64 KiB limit holds for 32-bit offsets and straddling accesses (SDM Vol. 3B 20.1.1);
	 * LOCK is not IOPL-sensitive on processors after the 386 (Vol. 3B 20.2.7 lists none) */
	v86("limit.addr32_beyond_ffff", 0, s_addr32);
	v86("limit.word_at_ffff", 0, s_word_ffff);
	v86("limit.push32_wrapping_sp", 0, s_push_wrap);
	*(volatile u16 *)0x30040 = 0x4140;
	v86("lock.iopl0", 0, s_lock);

	/* privileged and protected-mode-only instructions */
	v86("priv.hlt", 0, s_hlt);
	v86("priv.lgdt", 0, s_lgdt);
	v86("priv.mov_cr0", 0, s_movcr0);
	v86("ud.lldt", 0, s_lldt);
	v86("ud.ltr", 0, s_ltr);
	v86("ud.sldt", 0, s_sldt);
	v86("ud.str", 0, s_str);
	v86("ud.lar", 0, s_lar);
	v86("ud.lsl", 0, s_lsl);
	v86("ud.verr", 0, s_verr);
	v86("ud.verw", 0, s_verw);
	v86("ud.arpl", 0, s_arpl);

	/* exceptions without and with error code; int3/into are not IOPL-sensitive */
	v86("exc.de", 0, s_de);
	v86("exc.int3_gate_dpl0", 0, s_int3);
	v86("exc.into_gate_dpl0", 0, s_into);
	set_idt(V_BP, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(V_BP), T_INTGATE, 3, 1, 0));
	set_idt(V_OF, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(V_OF), T_TRAPGATE, 3, 1, 0));
	v86("exc.int3_gate_dpl3", 0, s_int3);
	v86("exc.into_gate_dpl3", 0, s_into);
	set_idt(V_BP, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(V_BP), T_INTGATE, 0, 1, 0));
	set_idt(V_OF, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(V_OF), T_INTGATE, 0, 1, 0));

	/* INT n through gates (IOPL 3): gate DPL, presence, and the target code segment */
	u32 g = (u32)trap_stubs_addr(0x40);
	v86("gate.dpl0", 3, s_int40);
	set_idt(0x40, gate_desc(SEL_KCODE, g, T_INTGATE, 3, 1, 0));
	v86("gate.dpl3_intgate", 3, s_int40);
	printf_("gate.dpl3_intgate.entry_eflags: %08x\n", trap_entry_eflags & ~EF_RF);
	set_idt(0x40, gate_desc(SEL_KCODE, g, T_TRAPGATE, 3, 1, 0));
	v86("gate.dpl3_trapgate", 3, s_int40);
	printf_("gate.dpl3_trapgate.entry_eflags: %08x\n", trap_entry_eflags & ~EF_RF);
	set_idt(0x40, gate_desc(SEL_KCODE, g, T_INTGATE, 3, 0, 0));
	v86("gate.not_present", 3, s_int40);
	set_idt(0x40, gate_desc(SEL_UCODE, g, T_INTGATE, 3, 1, 0));
	v86("gate.target_dpl3", 3, s_int40);
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, D_P | D_S | D_CODE | D_CONF | D_READ | D_DPL(0), F_G | F_DB));
	set_idt(0x40, gate_desc(GDT_SCRATCH << 3, g, T_INTGATE, 3, 1, 0));
	v86("gate.target_conforming", 3, s_int40);
	set_idt(0x40, gate_desc(SEL_KCODE, g, T_INTGATE, 0, 1, 0));

	/* 16-bit gates push the same slots as words */
	v86_gate16("gate16.int41", 3, 0x41, s_int41, 0);
	v86_gate16("gate16.gp_from_cli", 0, V_GP, s_cli, 1);

	/* paging applies at CPL 3 */
	paging_on();
	v86("paging.not_present", 0, s_pf_np);
	v86("paging.read_only_write", 0, s_pf_ro);
	v86("paging.supervisor_read", 0, s_pf_sup);
	v86("paging.stack_push", 0, s_pf_stack);
	v86("paging.seg_still_ok", 0, s_seg);
	paging_off();
}
