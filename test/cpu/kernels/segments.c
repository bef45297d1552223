/* Segment loads and accesses at CPL 0: descriptor checks on MOV Sreg / far JMP / LTR / LLDT,
 * the exceptions and error codes they raise, limit checks (expand-up, expand-down, byte and
 * page granularity, read-only and code segments), LAR/LSL/VERR/VERW, the accessed bit and
 * LDT selectors (SDM Vol. 3A 3.4-3.5, 5.3-5.6; Vol. 2 MOV, LAR, LSL, VERR, LTR, LLDT). */
#include "kernel.h"

#define SCR(n)  ((GDT_SCRATCH + (n)) << 3)
#define DATA_RW (D_P | D_S | D_WRITE)
#define CODE_R  (D_P | D_S | D_CODE | D_READ)

static u8 buffer[0x2000] __attribute__((aligned(4096)));
/* a code page plus a guard page of int3: an emulator that ignores the CS limit traps there */
static u8 code_page[0x3000] __attribute__((aligned(4096)));
static u64 ldt[4] __attribute__((aligned(8)));
static volatile u32 sink;

static void
load_fs(u32 sel)
{
	__asm__ volatile("movw %w0, %%fs\n movw %w1, %%fs" : : "r"(sel), "r"(SEL_KDATA));
}

static void
load_ss(u32 sel)
{
	/* a successful load is undone at once; the next instruction is not interrupted anyway */
	__asm__ volatile("movw %%ss, %%dx\n movw %w0, %%ss\n movw %%dx, %%ss" : : "r"(sel) : "edx");
}

static void
read_fs_b(u32 sel, u32 off)
{
	u32 v;
	__asm__ volatile("movw %w1, %%fs\n movzbl %%fs:(%2), %0\n movw %w3, %%fs"
		: "=&r"(v) : "r"(sel), "r"(off), "r"(SEL_KDATA));
	sink = v;
}

static void
read_fs_w(u32 sel, u32 off)
{
	u32 v;
	__asm__ volatile("movw %w1, %%fs\n movzwl %%fs:(%2), %0\n movw %w3, %%fs"
		: "=&r"(v) : "r"(sel), "r"(off), "r"(SEL_KDATA));
	sink = v;
}

static void
read_fs_l(u32 sel, u32 off)
{
	u32 v;
	__asm__ volatile("movw %w1, %%fs\n movl %%fs:(%2), %0\n movw %w3, %%fs"
		: "=&r"(v) : "r"(sel), "r"(off), "r"(SEL_KDATA));
	sink = v;
}

static void
write_fs_b(u32 sel, u32 off)
{
	__asm__ volatile("movw %w0, %%fs\n movb $0x5a, %%fs:(%1)\n movw %w2, %%fs"
		: : "r"(sel), "r"(off), "r"(SEL_KDATA) : "memory");
}

static void
far_jmp_off(u32 sel, u32 off)
{
	static struct { u32 off; u16 sel; } __attribute__((packed)) target;
	target.sel = (u16)sel;
	target.off = off;   /* never reached: every selector used here is refused */
	__asm__ volatile("ljmp *%0" : : "m"(target));
}

static void far_jmp(u32 sel) { far_jmp_off(sel, 0); }

/* prints ZF and the value LAR / LSL returned */
static void
show_lar_lsl(const char *name, u32 sel)
{
	u32 lar = 0xdeadbeef, lsl = 0xdeadbeef, zl, zs, zr, zw;
	__asm__ volatile("larl %2, %0\n setz %b1" : "+r"(lar), "=q"(zl) : "r"(sel));
	__asm__ volatile("lsll %2, %0\n setz %b1" : "+r"(lsl), "=q"(zs) : "r"(sel));
	__asm__ volatile("verr %w1\n setz %b0" : "=q"(zr) : "r"(sel));
	__asm__ volatile("verw %w1\n setz %b0" : "=q"(zw) : "r"(sel));
	/* bits 19:16 of LAR's result are undefined (SDM Vol. 2 LAR): masked */
	printf_("%s: lar=%d:%08x lsl=%d:%08x verr=%d verw=%d\n", name, zl & 1,
		(zl & 1) ? lar & 0xfff0ff00 : 0, zs & 1, (zs & 1) ? lsl : 0, zr & 1, zw & 1);
}

static void
selector_loads(void)
{
	CHECK("load.fs_null", load_fs(0));
	CHECK("load.fs_null_rpl3", load_fs(3));
	CHECK("access.fs_null", read_fs_b(0, 0));
	CHECK("load.ss_null", load_ss(0));
	CHECK("load.fs_beyond_gdt", load_fs(GDT_ENTRIES << 3));
	CHECK("load.fs_beyond_gdt_rpl3_err_drops_rpl", load_fs((GDT_ENTRIES << 3) | 3));
	CHECK("load.fs_ldt_sel_no_ldt", load_fs(0x0c));

	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, D_P | D_S | D_CODE, F_G | F_DB));
	CHECK("load.fs_exec_only_code", load_fs(SCR(0)));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, CODE_R, F_G | F_DB));
	CHECK("load.fs_readable_code", load_fs(SCR(0)));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, DATA_RW & ~D_P, F_G | F_DB));
	CHECK("load.fs_not_present", load_fs(SCR(0)));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, (D_P | D_S | D_CODE) & ~D_P, F_G | F_DB));
	CHECK("load.fs_not_present_exec_only_type_first", load_fs(SCR(0)));
	CHECK("load.fs_tss_descriptor", load_fs(SEL_TSS));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, DATA_RW | D_DPL(0), F_G | F_DB));
	CHECK("load.fs_dpl0_rpl3", load_fs(SCR(0) | 3));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, DATA_RW | D_DPL(2), F_G | F_DB));
	CHECK("load.fs_dpl2_rpl3", load_fs(SCR(0) | 3));
	CHECK("load.fs_dpl2_rpl2", load_fs(SCR(0) | 2));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, CODE_R | D_CONF | D_DPL(0), F_G | F_DB));
	CHECK("load.fs_conforming_dpl0_rpl3", load_fs(SCR(0) | 3));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, (DATA_RW | D_DPL(3)) & ~D_P, F_G | F_DB));
	CHECK("load.fs_not_present_dpl_ok_rpl3", load_fs(SCR(0) | 3));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, (DATA_RW | D_DPL(0)) & ~D_P, F_G | F_DB));
	CHECK("load.fs_not_present_dpl_fail", load_fs(SCR(0) | 3));

	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, CODE_R, F_G | F_DB));
	CHECK("load.ss_code", load_ss(SCR(0)));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, D_P | D_S, F_G | F_DB));
	CHECK("load.ss_read_only", load_ss(SCR(0)));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, DATA_RW, F_G | F_DB));
	CHECK("load.ss_rpl3_cpl0", load_ss(SCR(0) | 3));
	CHECK("load.ss_ok", load_ss(SCR(0)));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, DATA_RW | D_DPL(3), F_G | F_DB));
	CHECK("load.ss_dpl3_cpl0", load_ss(SCR(0)));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, DATA_RW & ~D_P, F_G | F_DB));
	CHECK("load.ss_not_present", load_ss(SCR(0)));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, (DATA_RW | D_DPL(3)) & ~D_P, F_G | F_DB));
	CHECK("load.ss_not_present_dpl_wrong", load_ss(SCR(0)));

	/* the CPU sets the accessed bit in the descriptor when it loads it */
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, DATA_RW, F_G | F_DB));
	printf_("accessed.before: %x\n", (u32)(gdt[GDT_SCRATCH] >> 40) & 0xff);
	CHECK("accessed.load", load_fs(SCR(0)));
	printf_("accessed.after: %x\n", (u32)(gdt[GDT_SCRATCH] >> 40) & 0xff);
}

static void
limits(void)
{
	u32 b = (u32)buffer;
	set_gdt(GDT_SCRATCH, seg_desc(b, 0xfff, DATA_RW, F_DB));
	CHECK("limit.byte_at_limit", read_fs_b(SCR(0), 0xfff));
	CHECK("limit.byte_past_limit", read_fs_b(SCR(0), 0x1000));
	CHECK("limit.dword_ending_at_limit", read_fs_l(SCR(0), 0xffc));
	CHECK("limit.dword_crossing_limit", read_fs_l(SCR(0), 0xffe));
	CHECK("limit.word_crossing_limit", read_fs_w(SCR(0), 0xfff));
	CHECK("limit.offset_ffffffff", read_fs_b(SCR(0), 0xffffffff));
	set_gdt(GDT_SCRATCH, seg_desc(b, 0, DATA_RW, F_G | F_DB));
	CHECK("limit.page_gran_last_byte", read_fs_b(SCR(0), 0xfff));
	CHECK("limit.page_gran_past", read_fs_b(SCR(0), 0x1000));
	set_gdt(GDT_SCRATCH, seg_desc(b, 0, DATA_RW, F_DB));
	CHECK("limit.zero_limit_byte0", read_fs_b(SCR(0), 0));
	CHECK("limit.zero_limit_word0", read_fs_w(SCR(0), 0));

	/* expand-down: valid offsets are limit+1 .. 0xffffffff (B=1) or 0xffff (B=0) */
	set_gdt(GDT_SCRATCH, seg_desc(b - 0x1000, 0xfff, DATA_RW | D_EXPDOWN, F_DB));
	CHECK("expdown32.at_limit", read_fs_b(SCR(0), 0xfff));
	CHECK("expdown32.limit_plus_1", read_fs_b(SCR(0), 0x1000));
	CHECK("expdown32.dword_straddling_limit", read_fs_l(SCR(0), 0xffe));
	CHECK("expdown32.top_dword", read_fs_l(SCR(0), 0xfffffffc));
	set_gdt(GDT_SCRATCH, seg_desc(b - 0x1000, 0xfff, DATA_RW | D_EXPDOWN, 0));
	CHECK("expdown16.at_ffff", read_fs_b(SCR(0), 0xffff));
	CHECK("expdown16.word_at_ffff", read_fs_w(SCR(0), 0xffff));
	CHECK("expdown16.at_10000", read_fs_b(SCR(0), 0x10000));
	CHECK("expdown16.at_limit", read_fs_b(SCR(0), 0xfff));
	set_gdt(GDT_SCRATCH, seg_desc(b - 0x1000, 0xfffff, DATA_RW | D_EXPDOWN, F_DB));
	CHECK("expdown32.limit_fffff_byte_gran", read_fs_b(SCR(0), 0x100000));
	set_gdt(GDT_SCRATCH, seg_desc(b - 0x1000, 0, DATA_RW | D_EXPDOWN, F_G | F_DB));
	CHECK("expdown32.page_gran_at_fff", read_fs_b(SCR(0), 0xfff));
	CHECK("expdown32.page_gran_at_1000", read_fs_b(SCR(0), 0x1000));

	set_gdt(GDT_SCRATCH, seg_desc(b, 0xfff, D_P | D_S, F_DB));
	CHECK("type.read_only_read", read_fs_b(SCR(0), 0));
	CHECK("type.read_only_write", write_fs_b(SCR(0), 0));
	CHECK("type.write_via_cs", __asm__ volatile("movb $0, %%cs:(%0)" : : "r"(b) : "memory"));
	CHECK("type.read_via_cs", sink = *(volatile u8 *)b; __asm__ volatile("movb %%cs:(%0), %%al" : : "r"(b) : "eax"));
	set_gdt(GDT_SCRATCH, seg_desc(b, 0xfff, CODE_R, F_DB));
	CHECK("type.write_readable_code_via_fs", write_fs_b(SCR(0), 0));
	CHECK("type.read_readable_code_via_fs", read_fs_b(SCR(0), 0));

	/* a Xen 2.0 guest's flat segments: base 0, 4 KiB granular limit 0xfc3ff -> 0xfc3fffff */
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfc3ff, DATA_RW, F_G | F_DB));
	CHECK("xenlimit.last_byte", read_fs_b(SCR(0), 0xfc3fffff));
	CHECK("xenlimit.first_byte_above", read_fs_b(SCR(0), 0xfc400000));
	CHECK("xenlimit.dword_straddling", read_fs_l(SCR(0), 0xfc3ffffe));
	CHECK("xenlimit.top_of_4g", read_fs_b(SCR(0), 0xffffffff));

	/* string instructions stop at the limit part-way, with the count and pointers of that moment */
	set_gdt(GDT_SCRATCH, seg_desc(b, 0xfff, DATA_RW, F_DB));
	TRY(__asm__ volatile("movw %w0, %%fs\n cld\n rep movsb %%fs:(%%esi), %%es:(%%edi)"
		: : "r"(SCR(0)), "S"(0xffc), "D"(b + 0x100), "c"(8) : "memory"));
	if (trapped)
		printf_("string.rep_movsb_fs_past_limit: %s ecx=%x esi=%x edi=+%x\n", vector_name(last_trap.vector),
			last_trap.ecx, last_trap.esi, last_trap.edi - b);
	else
		printf_("string.rep_movsb_fs_past_limit: ok\n");
	TRY(__asm__ volatile("movw %w0, %%es\n cld\n rep stosl" : : "r"(SCR(0)), "D"(0xff0), "c"(8), "a"(0) : "memory"));
	if (trapped)
		printf_("string.rep_stosl_es_past_limit: %s ecx=%x edi=%x\n", vector_name(last_trap.vector),
			last_trap.ecx, last_trap.edi);
	else
		printf_("string.rep_stosl_es_past_limit: ok\n");

	/* base: fs:0 is buffer[0x10] */
	buffer[0x10] = 0xa5;
	set_gdt(GDT_SCRATCH, seg_desc(b + 0x10, 0xfff, DATA_RW, F_DB));
	TRY(read_fs_b(SCR(0), 0));
	printf_("base.read: trapped=%d value=%x\n", trapped, trapped ? 0 : sink);
	/* the linear address wraps at 4 GiB: base 0xfffff000 + offset 0x1000 + buffer */
	set_gdt(GDT_SCRATCH, seg_desc(0xfffff000, 0xfffff, DATA_RW, F_G | F_DB));
	TRY(read_fs_b(SCR(0), b + 0x1010));
	printf_("base.wrap: trapped=%d value=%x\n", trapped, trapped ? 0 : sink);
}

static void
transfers(void)
{
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, DATA_RW, F_G | F_DB));
	CHECK("ljmp.to_data", far_jmp(SCR(0)));
	CHECK("ljmp.to_null", far_jmp(0));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, (CODE_R) & ~D_P, F_G | F_DB));
	CHECK("ljmp.to_not_present_code", far_jmp(SCR(0)));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, CODE_R | D_DPL(3), F_G | F_DB));
	CHECK("ljmp.to_dpl3_nonconforming", far_jmp(SCR(0)));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, CODE_R | D_CONF | D_DPL(3), F_G | F_DB));
	CHECK("ljmp.to_dpl3_conforming", far_jmp(SCR(0)));
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfff, CODE_R, F_DB));
	CHECK("ljmp.beyond_cs_limit", far_jmp_off(SCR(0), 0x1000));
	CHECK("ltr.data_selector", __asm__ volatile("ltr %w0" : : "r"(SEL_KDATA)));
	CHECK("ltr.busy_tss", __asm__ volatile("ltr %w0" : : "r"(SEL_TSS)));
	CHECK("ltr.null", __asm__ volatile("ltr %w0" : : "r"(0)));
	CHECK("lldt.tss_selector", __asm__ volatile("lldt %w0" : : "r"(SEL_TSS)));
	CHECK("lldt.null", __asm__ volatile("lldt %w0" : : "r"(0)));

	/* an LDT with one data segment based at buffer */
	buffer[0] = 0x3c;
	ldt[1] = seg_desc((u32)buffer, 0xfff, DATA_RW, F_DB);
	set_gdt(GDT_SCRATCH + 1, seg_desc((u32)ldt, sizeof(ldt) - 1, D_P | T_LDT, 0));
	CHECK("lldt.ldt", __asm__ volatile("lldt %w0" : : "r"(SCR(1))));
	TRY(read_fs_b(0x0c, 0));
	printf_("ldt.read: trapped=%d value=%x\n", trapped, trapped ? 0 : sink);
	CHECK("ldt.beyond_limit", load_fs((4 << 3) | 4));
	CHECK("ldt.null_entry", load_fs(0x04));
	__asm__ volatile("lldt %w0" : : "r"(0));
}

static void
lar_lsl(void)
{
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, (D_S | D_CODE), F_G | F_DB));
	set_gdt(GDT_SCRATCH + 2, seg_desc(0x1234, 0x5678, D_P | D_S | D_EXPDOWN, F_DB));
	set_gdt(GDT_SCRATCH + 3, gate_desc(SEL_KCODE, 0x1000, T_CALLGATE, 3, 1, 2));
	set_gdt(GDT_SCRATCH + 4, seg_desc(0, 0xabc, D_P | D_S | D_CODE | D_CONF | D_DPL(0), F_G));
	show_lar_lsl("lar.null", 0);
	show_lar_lsl("lar.kcode", SEL_KCODE);
	show_lar_lsl("lar.kdata", SEL_KDATA);
	show_lar_lsl("lar.kdata_rpl3", SEL_KDATA | 3);
	show_lar_lsl("lar.udata", SEL_UDATA);
	show_lar_lsl("lar.tss_busy", SEL_TSS);
	show_lar_lsl("lar.not_present_exec_only", SCR(0));
	show_lar_lsl("lar.ro_expdown_byte_gran", SCR(2));
	show_lar_lsl("lar.call_gate", SCR(3));
	show_lar_lsl("lar.conforming_page_gran", SCR(4) | 3);
	show_lar_lsl("lar.beyond_gdt", GDT_ENTRIES << 3);
}

/* far-calls code_page + entry through a code segment whose limit is `limit` */
static void
call_limited_code(u32 limit, u32 entry)
{
	static struct { u32 off; u16 sel; } __attribute__((packed)) target;
	set_gdt(GDT_SCRATCH, seg_desc((u32)code_page, limit, D_P | D_S | D_CODE | D_READ, F_DB));
	target.off = entry;
	target.sel = SCR(0);
	__asm__ volatile("lcall *%0" : : "m"(target) : "eax", "memory");
}

static void
report_cs(const char *name)
{
	if (!trapped)
		printf_("%s: ok\n", name);
	else
		printf_("%s: %s(%04x) eip=%x cs=%x\n", name, vector_name(last_trap.vector), last_trap.err,
			last_trap.eip, last_trap.cs);
}

/* 16-bit code segments (D = 0): default operand and address size 16, 16-bit far returns,
 * and 16-bit interrupt gates pushing 16-bit frames */
__asm__(
	".text\n"
	"code16_body:\n"
	"  .code16\n"
	"  movl $0x11112222, %eax\n"      /* with D=0 this needs (and has) a 0x66 prefix */
	"  movw $0x3333, %ax\n"
	"  pushw %ax\n popw %bx\n"
	"  lretl\n"                        /* 0x66 lret: pops 32-bit eip and cs pushed by a 32-bit lcall */
	"  .code32\n"
);
extern char code16_body[];

static void
mode16(void)
{
	static struct { u32 off; u16 sel; } __attribute__((packed)) target;
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, D_P | D_S | D_CODE | D_READ, F_G));   /* D = 0 */
	target.off = (u32)code16_body;
	target.sel = SCR(0);
	volatile u32 eax = 0, ebx = 0;
	TRY({
		u32 a, b;
		__asm__ volatile("xorl %%ebx, %%ebx\n lcall *%2" : "=a"(a), "=b"(b) : "m"(target) : "memory");
		eax = a;
		ebx = b;
	});
	if (trapped)
		printf_("code16.call: %s eip=%x\n", vector_name(last_trap.vector), last_trap.eip);
	else
		printf_("code16.call: eax=%08x ebx=%08x\n", eax, ebx);
}

static void
code_limits(void)
{
	/* nops running off the end of the segment: the fetch at limit+1 faults */
	for (int i = 0; i < 0x1000; i++) code_page[i] = 0x90;
	for (int i = 0x1000; i < 0x3000; i++) code_page[i] = 0xcc;
	code_page[0x100] = 0xcb;                    /* lret */
	TRY(call_limited_code(0xfff, 0xffd));
	report_cs("cs.fetch_past_limit");
	TRY(call_limited_code(0xfff, 0x100));
	report_cs("cs.lret_inside_limit");
	/* mov $imm32, %eax at 0xffe: its last bytes lie beyond the limit */
	code_page[0xffe] = 0xb8;
	TRY(call_limited_code(0xfff, 0xffe));
	report_cs("cs.instruction_straddling_limit");
	/* jmp rel32 whose target is beyond the limit faults at the jmp */
	code_page[0x200] = 0xe9;
	code_page[0x201] = 0x00;
	code_page[0x202] = 0x10;
	code_page[0x203] = 0x00;
	code_page[0x204] = 0x00;                     /* target 0x205 + 0x1000 */
	TRY(call_limited_code(0xfff, 0x200));
	report_cs("cs.near_jmp_beyond_limit");
	/* call to beyond the limit: faults before pushing */
	code_page[0x300] = 0xe8;
	code_page[0x301] = 0x00;
	code_page[0x302] = 0x20;
	code_page[0x303] = 0x00;
	code_page[0x304] = 0x00;
	TRY(call_limited_code(0xfff, 0x300));
	report_cs("cs.near_call_beyond_limit");
	/* a far call to an offset beyond the limit */
	TRY(call_limited_code(0xfff, 0x1000));
	report_cs("cs.far_call_beyond_limit");
}

void
tests(void)
{
	selector_loads();
	code_limits();
	mode16();
	limits();
	transfers();
	lar_lsl();
}
