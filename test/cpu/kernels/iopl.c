/* Privileged and IOPL-sensitive instructions by CPL and IOPL: what faults at CPL 1 and 3,
 * CLI/STI/IN/OUT against IOPL and the TSS I/O permission bitmap, which EFLAGS bits POPF and
 * IRET may change at each CPL, CR4.TSD and RDTSC, and #UD before #GP (SDM Vol. 3A 2.8, 5.9,
 * 18.5; Vol. 1 19.5-19.6; Vol. 2 POPF, IRET, CLI, STI, IN, OUT, RDTSC). */
#include "kernel.h"

#define IOPL(n) ((n) << 12)
#define EFLAGS_IF 0x200
#define CR4_TSD 0x4

struct { u16 limit; u32 base; } __attribute__((packed)) table_buf;
volatile u32 user_arg;

/* Each snippet runs at CPL 1 or 3 and reports through eax at int $0x30. */
__asm__(
	".text\n"
	"p_hlt:\n  hlt\n int $0x30\n"
	"p_cli:\n  cli\n pushfl\n popl %eax\n int $0x30\n"
	"p_sti:\n  sti\n pushfl\n popl %eax\n int $0x30\n"
	"p_in:\n  inb $0x80, %al\n xorl %eax, %eax\n int $0x30\n"
	"p_out:\n  outb %al, $0x80\n xorl %eax, %eax\n int $0x30\n"
	"p_out81:\n  outb %al, $0x81\n xorl %eax, %eax\n int $0x30\n"
	"p_outw7f:\n  movw $0x7f, %dx\n outw %ax, %dx\n xorl %eax, %eax\n int $0x30\n"
	"p_outw80:\n  movw $0x80, %dx\n outw %ax, %dx\n xorl %eax, %eax\n int $0x30\n"
	"p_outl80:\n  movw $0x80, %dx\n outl %eax, %dx\n xorl %eax, %eax\n int $0x30\n"
	"p_insb:\n  movw $0x80, %dx\n leal -8(%esp), %edi\n insb\n xorl %eax, %eax\n int $0x30\n"
	"p_lgdt:\n  lgdt table_buf\n int $0x30\n"
	"p_lidt:\n  lidt table_buf\n int $0x30\n"
	"p_lldt:\n  xorl %eax, %eax\n lldt %ax\n int $0x30\n"
	"p_ltr:\n  movw $0x28, %ax\n ltr %ax\n int $0x30\n"
	"p_mov_from_cr0:\n  movl %cr0, %eax\n int $0x30\n"
	"p_mov_to_cr3:\n  movl %cr3, %eax\n int $0x30\n"
	"p_mov_from_dr7:\n  movl %dr7, %eax\n int $0x30\n"
	"p_mov_from_cr1:\n  .byte 0x0f, 0x20, 0xc8\n int $0x30\n"
	"p_lock_hlt:\n  .byte 0xf0, 0xf4\n int $0x30\n"
	"p_invlpg:\n  invlpg (%esp)\n int $0x30\n"
	"p_clts:\n  clts\n int $0x30\n"
	"p_wbinvd:\n  wbinvd\n int $0x30\n"
	"p_invd:\n  invd\n int $0x30\n"
	"p_rdmsr:\n  xorl %ecx, %ecx\n rdmsr\n int $0x30\n"
	"p_lmsw:\n  smsw %ax\n lmsw %ax\n int $0x30\n"
	"p_rdtsc:\n  rdtsc\n xorl %eax, %eax\n int $0x30\n"
	"p_smsw:\n  smsw %ax\n andl $0xffff, %eax\n int $0x30\n"
	"p_sgdt:\n  subl $8, %esp\n sgdt (%esp)\n movzwl (%esp), %eax\n addl $8, %esp\n int $0x30\n"
	"p_str:\n  xorl %eax, %eax\n str %ax\n int $0x30\n"
	/* popf of user_arg; eax = EFLAGS after it */
	"p_popf:\n  pushl user_arg\n popfl\n pushfl\n popl %eax\n int $0x30\n"
	/* iret to the same ring with EFLAGS = user_arg; eax = EFLAGS after it */
	"p_iret_same:\n  pushl user_arg\n pushl %cs\n pushl $1f\n iret\n 1: pushfl\n popl %eax\n int $0x30\n"
	"p_pushf:\n  pushfl\n popl %eax\n int $0x30\n"
);
extern char p_hlt[], p_cli[], p_sti[], p_in[], p_out[], p_out81[], p_outw7f[], p_outw80[],
	p_outl80[], p_insb[], p_lgdt[], p_lidt[], p_lldt[], p_ltr[], p_mov_from_cr0[], p_mov_to_cr3[],
	p_mov_from_dr7[], p_mov_from_cr1[], p_lock_hlt[], p_invlpg[], p_clts[], p_wbinvd[], p_invd[],
	p_rdmsr[], p_lmsw[], p_rdtsc[], p_smsw[], p_sgdt[], p_str[], p_popf[], p_iret_same[], p_pushf[];

static void
at(const char *name, int ring, u32 eflags, char *code)
{
	u32 cs = ring == 3 ? SEL_UCODE : SEL_R1CODE;
	u32 ss = ring == 3 ? SEL_UDATA : SEL_R1DATA;
	u32 *top = ring == 3 ? user_stack_top : ring1_stack_top;
	int r = run_at(cs, ss, (u32)top, eflags, (void (*)(void))code);
	if (r == 0)
		printf_("%s: ok eax=%08x\n", name, last_trap.eax);
	else if (last_trap.vector == V_GP)
		printf_("%s: #GP(%04x)\n", name, last_trap.err);
	else
		printf_("%s: %s\n", name, vector_name(last_trap.vector));
}

static void
privileged_at_cpl3(void)
{
	static const struct { const char *name; char *code; } rows[] = {
		{ "cpl3.hlt", p_hlt }, { "cpl3.lgdt", p_lgdt }, { "cpl3.lidt", p_lidt },
		{ "cpl3.lldt", p_lldt }, { "cpl3.ltr", p_ltr }, { "cpl3.mov_from_cr0", p_mov_from_cr0 },
		{ "cpl3.mov_from_cr3", p_mov_to_cr3 }, { "cpl3.mov_from_dr7", p_mov_from_dr7 },
		{ "cpl3.mov_from_cr1", p_mov_from_cr1 }, { "cpl3.lock_hlt", p_lock_hlt },
		{ "cpl3.invlpg", p_invlpg }, { "cpl3.clts", p_clts }, { "cpl3.wbinvd", p_wbinvd },
		{ "cpl3.invd", p_invd }, { "cpl3.rdmsr", p_rdmsr }, { "cpl3.lmsw", p_lmsw },
		{ "cpl3.rdtsc", p_rdtsc }, { "cpl3.smsw", p_smsw }, { "cpl3.sgdt_limit", p_sgdt },
		{ "cpl3.str", p_str },
	};
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		at(rows[i].name, 3, 0x2, rows[i].code);
	at("cpl1.hlt", 1, 0x2, p_hlt);
	at("cpl1.mov_from_cr0", 1, 0x2, p_mov_from_cr0);
	at("cpl1.lgdt", 1, 0x2, p_lgdt);
	write_cr4(read_cr4() | CR4_TSD);
	at("cpl3.rdtsc_tsd", 3, 0x2, p_rdtsc);
	at("cpl1.rdtsc_tsd", 1, 0x2, p_rdtsc);
	write_cr4(read_cr4() & ~CR4_TSD);
}

static void
iopl_rules(void)
{
	static const struct { const char *name; char *code; } io[] = {
		{ "cli", p_cli }, { "sti", p_sti }, { "in", p_in }, { "out", p_out }, { "insb", p_insb },
	};
	char name[40];
	for (int ring = 1; ring <= 3; ring += 2)
		for (int iopl = 0; iopl <= 3; iopl += (ring == 1 ? 1 : 3))
			for (unsigned i = 0; i < sizeof(io) / sizeof(io[0]); i++) {
				/* "cplR.iopl-N.op" */
				char *p = name;
				const char *s = "cpl";
				while (*s) *p++ = *s++;
				*p++ = (char)('0' + ring);
				s = ".iopl";
				while (*s) *p++ = *s++;
				*p++ = (char)('0' + iopl);
				*p++ = '.';
				for (s = io[i].name; *s;) *p++ = *s++;
				*p = 0;
				at(name, ring, 0x2 | IOPL(iopl), io[i].code);
			}

	/* the I/O bitmap is consulted only when CPL > IOPL: allow ports 0x80 and 0x81 */
	tssb.iomap[0x80 >> 3] &= (u8)~(3 << (0x80 & 7));
	at("iomap.out_80", 3, 0x2, p_out);
	at("iomap.out_81", 3, 0x2, p_out81);
	at("iomap.outw_7f_half_denied", 3, 0x2, p_outw7f);
	at("iomap.outw_80", 3, 0x2, p_outw80);
	at("iomap.outl_80_half_denied", 3, 0x2, p_outl80);
	at("iomap.cli_still_iopl", 3, 0x2, p_cli);
	tssb.iomap[0x80 >> 3] |= (u8)(3 << (0x80 & 7));
	at("iomap.out_80_denied_again", 3, 0x2, p_out);
	/* an I/O map base beyond the TSS limit denies everything */
	tssb.iomap[0x80 >> 3] &= (u8)~(3 << (0x80 & 7));
	tssb.t.iomap = 0xffff;
	at("iomap.base_beyond_limit", 3, 0x2, p_out);
	tssb.t.iomap = sizeof(struct tss32);
	tssb.iomap[0x80 >> 3] |= (u8)(3 << (0x80 & 7));
}

static void
flag_rules(void)
{
	/* POPF: IOPL changes only at CPL 0, IF only when CPL <= IOPL; no fault either way */
	user_arg = 0x2 | EFLAGS_IF | IOPL(3) | 0x8d5;
	at("popf.cpl3_iopl0", 3, 0x2, p_popf);
	at("popf.cpl3_iopl3", 3, 0x2 | IOPL(3), p_popf);
	at("popf.cpl1_iopl1", 1, 0x2 | IOPL(1), p_popf);
	at("popf.cpl1_iopl0", 1, 0x2, p_popf);
	user_arg = 0x2;
	at("popf.cpl3_iopl3_lower_iopl", 3, 0x2 | IOPL(3), p_popf);
	at("iret.same_ring_cpl3_iopl3_lower", 3, 0x2 | IOPL(3), p_iret_same);
	user_arg = 0x2 | EFLAGS_IF | IOPL(3);
	at("iret.same_ring_cpl3_iopl0", 3, 0x2, p_iret_same);
	at("iret.same_ring_cpl1_iopl1", 1, 0x2 | IOPL(1), p_iret_same);
	/* bits that are reserved or ring-0-only (VM, RF) */
	user_arg = 0x2 | 0x20000 | 0x10000 | 0x8 | 0x20 | 0x8000;
	at("popf.cpl3_reserved_vm_rf", 3, 0x2, p_popf);
	at("pushf.cpl3_iopl2", 3, 0x2 | IOPL(2), p_pushf);

	/* at CPL 0, POPF sets IOPL */
	u32 before = read_eflags(), after;
	__asm__ volatile("pushl %1\n popfl\n pushfl\n popl %0\n pushl %2\n popfl"
		: "=r"(after) : "r"(0x2 | IOPL(2)), "r"(before) : "cc");
	printf_("popf.cpl0_sets_iopl: %08x\n", after);
}

void
tests(void)
{
	privileged_at_cpl3();
	iopl_rules();
	flag_rules();
}
