/* Two-level 4 KiB paging: U/S and R/W from both levels at CPL 0 and 3, CR0.WP off and on,
 * accessed/dirty bits written by the page walk, #PF error codes and CR2 (data, instruction
 * fetch, page-crossing accesses), segment checks before paging, and the TLB: a changed PTE is
 * not seen until INVLPG or a CR3 load (SDM Vol. 3A 4.3, 4.6-4.8, 4.10, 6.15 #PF). */
#include "kernel.h"

#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_U   0x004
#define PTE_A   0x020
#define PTE_D   0x040
#define CR0_PG  0x80000000
#define CR0_WP  0x00010000
#define TEST_VA 0x00800000      /* page directory entry 2 maps the test pages */
#define VA(i)   (TEST_VA + ((i) << 12))
#define SCR(n)  ((GDT_SCRATCH + (n)) << 3)

static volatile u32 pd[1024] __attribute__((aligned(4096)));
static u32 pt_low[2][1024] __attribute__((aligned(4096)));
static volatile u32 pt_test[1024] __attribute__((aligned(4096)));
static u8 frames[4][4096] __attribute__((aligned(4096)));
volatile u32 user_arg;
static volatile u32 sink;

__asm__(
	".text\n"
	"u_read:\n  movl user_arg, %ecx\n movzbl (%ecx), %eax\n int $0x30\n"
	"u_write:\n  movl user_arg, %ecx\n movb $0x77, (%ecx)\n int $0x30\n"
	"u_exec:\n  movl user_arg, %ecx\n call *%ecx\n int $0x30\n"
	"u_push_at:\n  movl user_arg, %esp\n pushl $0x12345678\n int $0x30\n"
	"u_lgdt_at:\n  movl user_arg, %ecx\n lgdt (%ecx)\n int $0x30\n"
	"u_lcall_scr2:\n  lcall $0x63, $0\n int $0x30\n"
	"u_int43:\n  int $0x43\n int $0x30\n"
	"r1_never:\n  hlt\n"
	"u_load_fs_a3:\n  movw $0xa3, %ax\n movw %ax, %fs\n movw %fs, %ax\n int $0x30\n"
	"u_rmw:\n  movl user_arg, %ecx\n addl $1, (%ecx)\n int $0x30\n"
);
extern char u_read[], u_write[], u_exec[], u_rmw[], u_push_at[], u_lgdt_at[], u_lcall_scr2[], u_int43[], r1_never[], u_load_fs_a3[];
u32 bound_va;

static u32 frame(int i) { return (u32)frames[i]; }

static void
set_pte(int i, u32 phys, u32 flags)
{
	pt_test[i] = phys | flags;
	__asm__ volatile("invlpg (%0)" : : "r"(VA(i)) : "memory");
}

static void
set_test_pde(u32 flags)
{
	pd[TEST_VA >> 22] = (u32)pt_test | flags;
	write_cr3((u32)pd);
}

static void k_read(u32 va) { sink = *(volatile u8 *)va; }
static void k_write(u32 va) { *(volatile u8 *)va = 0x55; }

static void
show(const char *name)
{
	if (!trapped)
		printf_("%s: ok\n", name);
	else if (last_trap.vector == V_PF)
		printf_("%s: #PF err=%x cr2=%08x eip=%08x\n", name, last_trap.err, last_trap.cr2, last_trap.eip);
	else
		printf_("%s: %s err=%x eip=%08x\n", name, vector_name(last_trap.vector), last_trap.err, last_trap.eip);
}

static void
user(const char *name, char *code, u32 va)
{
	user_arg = va;
	int r = run_at(SEL_UCODE, SEL_UDATA, (u32)user_stack_top, 0x2, (void (*)(void))code);
	trapped = r;
	show(name);
}

/* the same snippets at CPL 1, which paging treats as supervisor (a Xen guest kernel's ring) */
static void
ring1(const char *name, char *code, u32 va)
{
	user_arg = va;
	int r = run_at(SEL_R1CODE, SEL_R1DATA, (u32)ring1_stack_top, 0x2, (void (*)(void))code);
	trapped = r;
	show(name);
}

#define K(name, stmt) do { TRY(stmt); show(name); } while (0)

static void
paging_on(void)
{
	for (int t = 0; t < 2; t++)
		for (int i = 0; i < 1024; i++)
			pt_low[t][i] = ((t << 22) + (i << 12)) | PTE_P | PTE_W | PTE_U;
	pt_low[0][0] = 0;   /* page 0 unmapped: null pointers fault */
	pd[0] = (u32)pt_low[0] | PTE_P | PTE_W | PTE_U;
	pd[1] = (u32)pt_low[1] | PTE_P | PTE_W | PTE_U;
	pd[TEST_VA >> 22] = (u32)pt_test | PTE_P | PTE_W | PTE_U;
	write_cr3((u32)pd);
	write_cr0(read_cr0() | CR0_PG);
	printf_("paging.on: cr0=%08x\n", read_cr0() & 0x80010001);
}

static void
protection(void)
{
	set_pte(0, frame(0), 0);
	K("k.read_not_present", k_read(VA(0) + 0x123));
	K("k.write_not_present", k_write(VA(0) + 0x123));
	user("u.read_not_present", u_read, VA(0) + 0x10);
	user("u.write_not_present", u_write, VA(0) + 0x10);
	set_pte(0, frame(0), PTE_P | PTE_W);
	user("u.read_supervisor", u_read, VA(0) + 0x20);
	user("u.write_supervisor", u_write, VA(0) + 0x20);
	K("k.read_supervisor", k_read(VA(0) + 0x20));
	set_pte(0, frame(0), PTE_P | PTE_U);
	user("u.read_user_ro", u_read, VA(0) + 0x30);
	user("u.write_user_ro", u_write, VA(0) + 0x30);
	K("k.write_user_ro_wp0", k_write(VA(0) + 0x30));
	set_pte(0, frame(0), PTE_P);
	K("k.write_supervisor_ro_wp0", k_write(VA(0) + 0x40));
	write_cr0(read_cr0() | CR0_WP);
	K("k.write_supervisor_ro_wp1", k_write(VA(0) + 0x40));
	set_pte(0, frame(0), PTE_P | PTE_U);
	K("k.write_user_ro_wp1", k_write(VA(0) + 0x50));
	K("k.read_user_ro_wp1", k_read(VA(0) + 0x50));
	write_cr0(read_cr0() & ~CR0_WP);

	/* CPL 1 is supervisor: U/S=0 pages are open to it, and CR0.WP guards read-only pages */
	set_pte(0, frame(0), PTE_P | PTE_W);
	ring1("r1.read_supervisor", u_read, VA(0) + 0x20);
	ring1("r1.write_supervisor", u_write, VA(0) + 0x20);
	set_pte(0, frame(0), PTE_P);
	ring1("r1.write_supervisor_ro_wp0", u_write, VA(0) + 0x24);
	write_cr0(read_cr0() | CR0_WP);
	ring1("r1.write_supervisor_ro_wp1", u_write, VA(0) + 0x24);
	set_pte(0, frame(0), PTE_P | PTE_U);
	ring1("r1.write_user_ro_wp1", u_write, VA(0) + 0x28);
	write_cr0(read_cr0() & ~CR0_WP);
	set_pte(0, frame(0), 0);
	ring1("r1.read_not_present", u_read, VA(0) + 0x2c);
	set_pte(0, frame(0), PTE_P | PTE_W);
	frames[0][0] = 0xc3;    /* ret */
	ring1("r1.fetch_supervisor", u_exec, VA(0));

	/* the directory entry's bits combine with the table entry's */
	set_pte(0, frame(0), PTE_P | PTE_W | PTE_U);
	set_test_pde(PTE_P | PTE_W);
	user("pde.supervisor_u_read", u_read, VA(0) + 0x60);
	K("pde.supervisor_k_read", k_read(VA(0) + 0x60));
	set_test_pde(PTE_P | PTE_U);
	user("pde.ro_u_write", u_write, VA(0) + 0x60);
	user("pde.ro_u_read", u_read, VA(0) + 0x60);
	K("pde.ro_k_write_wp0", k_write(VA(0) + 0x60));
	write_cr0(read_cr0() | CR0_WP);
	K("pde.ro_k_write_wp1", k_write(VA(0) + 0x60));
	write_cr0(read_cr0() & ~CR0_WP);
	set_test_pde(PTE_W | PTE_U);
	K("pde.not_present_k_read", k_read(VA(0) + 0x60));
	user("pde.not_present_u_write", u_write, VA(0) + 0x60);
	set_test_pde(PTE_P | PTE_W | PTE_U);
}

static void
accessed_dirty(void)
{
	set_pte(1, frame(1), PTE_P | PTE_W | PTE_U);
	pd[TEST_VA >> 22] &= ~(PTE_A | PTE_D);
	write_cr3((u32)pd);
	printf_("ad.fresh: pte=%x pde=%x\n", pt_test[1] & 0x60, pd[TEST_VA >> 22] & 0x60);
	k_read(VA(1));
	printf_("ad.after_read: pte=%x pde=%x\n", pt_test[1] & 0x60, pd[TEST_VA >> 22] & 0x60);
	k_write(VA(1));
	printf_("ad.after_write: pte=%x pde=%x\n", pt_test[1] & 0x60, pd[TEST_VA >> 22] & 0x60);
	set_pte(1, frame(1), PTE_P | PTE_W | PTE_U);
	k_write(VA(1));
	printf_("ad.write_first: pte=%x\n", pt_test[1] & 0x60);
	/* the TLB holds a clean read entry; the first write must still set D in memory */
	set_pte(1, frame(1), PTE_P | PTE_W | PTE_U);
	k_read(VA(1));
	pt_test[1] &= ~PTE_A;   /* no invlpg: the cached entry is used */
	k_write(VA(1));
	printf_("ad.write_after_cached_read: pte=%x\n", pt_test[1] & 0x60);
	set_pte(1, frame(1), PTE_P | PTE_U);
	user("ad.protection_fault", u_write, VA(1));
	printf_("ad.after_protection_fault: pte=%x\n", pt_test[1] & 0x60);
	set_pte(1, frame(1), PTE_W | PTE_U);
	user("ad.not_present_fault", u_write, VA(1));
	printf_("ad.after_not_present_fault: pte=%x\n", pt_test[1] & 0x60);
	set_pte(1, frame(1), PTE_P | PTE_W | PTE_U);
	user("ad.user_read", u_read, VA(1));
	printf_("ad.after_user_read: pte=%x\n", pt_test[1] & 0x60);
}

static void
tlb(void)
{
	frames[2][0] = 0x22;
	frames[3][0] = 0x33;
	set_pte(2, frame(2), PTE_P | PTE_W | PTE_U);
	k_read(VA(2));
	pt_test[2] = frame(3) | PTE_P | PTE_W | PTE_U;    /* no invlpg */
	k_read(VA(2));
	printf_("tlb.stale_after_pte_change: %x\n", sink);
	__asm__ volatile("invlpg (%0)" : : "r"(VA(2)) : "memory");
	k_read(VA(2));
	printf_("tlb.after_invlpg: %x\n", sink);
	pt_test[2] = frame(2) | PTE_P | PTE_W | PTE_U;
	k_read(VA(2));
	printf_("tlb.stale_again: %x\n", sink);
	write_cr3(read_cr3());
	k_read(VA(2));
	printf_("tlb.after_cr3_load: %x\n", sink);
	pt_test[2] = 0;       /* not present, but still cached */
	K("tlb.stale_present_entry", k_read(VA(2)));
	__asm__ volatile("invlpg (%0)" : : "r"(VA(2)) : "memory");
	K("tlb.invlpg_then_not_present", k_read(VA(2)));
	/* invlpg of another page leaves this one cached */
	set_pte(2, frame(2), PTE_P | PTE_W | PTE_U);
	k_read(VA(2));
	pt_test[2] = frame(3) | PTE_P | PTE_W | PTE_U;
	__asm__ volatile("invlpg (%0)" : : "r"(VA(3)) : "memory");
	k_read(VA(2));
	printf_("tlb.invlpg_other_page: %x\n", sink);
	write_cr3(read_cr3());
}

static void
cr2_and_fetch(void)
{
	set_pte(0, frame(0), PTE_P | PTE_W | PTE_U);
	set_pte(1, frame(1), 0);
	K("cr2.dword_crossing_into_not_present", sink = *(volatile u32 *)(VA(1) - 2));
	K("cr2.word_crossing_into_not_present", sink = *(volatile u16 *)(VA(1) - 1));
	K("cr2.write_crossing_into_not_present", *(volatile u32 *)(VA(1) - 3) = 0);
	frames[0][0] = 0xc3;            /* ret */
	K("fetch.k_present", ((void (*)(void))VA(0))());
	K("fetch.k_not_present", ((void (*)(void))VA(1))());
	frames[0][4094] = 0x90;         /* nop */
	frames[0][4095] = 0xb8;         /* mov $imm32, %eax: its immediate is in the next page */
	K("fetch.k_crossing_into_not_present", ((void (*)(void))(VA(1) - 2))());
	user("fetch.u_not_present", u_exec, VA(1));
	set_pte(0, frame(0), PTE_P | PTE_W);
	user("fetch.u_supervisor", u_exec, VA(0));
	set_pte(0, frame(0), PTE_P | PTE_U);
	user("fetch.u_read_only_is_executable", u_exec, VA(0));

	/* segmentation comes before paging: a limit violation on a not-present page is #GP */
	set_pte(1, frame(1), 0);
	set_pte(2, frame(2), 0);
	set_gdt(GDT_SCRATCH, seg_desc(TEST_VA, 0x1fff, D_P | D_S | D_WRITE, F_DB));
	K("priority.limit_before_page", __asm__ volatile(
		"movw %w0, %%fs\n movb %%fs:0x2000, %%al\n movw %w1, %%fs" : : "r"(SCR(0)), "r"(SEL_KDATA) : "eax"));
	K("priority.in_limit_page_fault", __asm__ volatile(
		"movw %w0, %%fs\n movb %%fs:0xfff, %%al\n movb $0, %%fs:0x1000\n movw %w1, %%fs"
		: : "r"(SCR(0)), "r"(SEL_KDATA) : "eax"));
	K("k.null_pointer", k_read(0));

	/* privilege is checked before the memory operand is touched */
	user("priority.u_lgdt_operand_not_present", u_lgdt_at, VA(2) + 0x10);
	/* BOUND must read its bounds: a missing page is #PF, not #BR */
	bound_va = VA(2);
	K("priority.bound_operand_not_present", __asm__ volatile(
		"movl bound_va, %%ecx\n movl $-5, %%eax\n boundl %%eax, (%%ecx)" : : : "eax", "ecx", "memory"));
	/* a CS limit violation on fetch comes before the page fault on that fetch */
	set_gdt(GDT_SCRATCH + 1, seg_desc(VA(0), 0xfff, D_P | D_S | D_CODE | D_READ, F_DB));
	frames[0][0xffe] = 0x90;
	frames[0][0xfff] = 0x90;
	{
		static struct { u32 off; u16 sel; } __attribute__((packed)) target;
		target.off = 0xffe;
		target.sel = SCR(1);
		K("priority.cs_limit_before_fetch_page_fault", __asm__ volatile("lcall *%0" : : "m"(target) : "memory"));
	}

	/* read-modify-write instructions fault as writes, even where the read is refused first */
	set_pte(1, frame(1), 0);
	K("rmw.k_add_not_present", __asm__ volatile("addl $1, (%0)" : : "r"(VA(1) + 8) : "memory", "cc"));
	user("rmw.u_add_not_present", u_rmw, VA(1) + 8);
	set_pte(1, frame(1), PTE_P | PTE_U);
	K("rmw.k_add_read_only_wp0", __asm__ volatile("addl $1, (%0)" : : "r"(VA(1) + 8) : "memory", "cc"));
	write_cr0(read_cr0() | CR0_WP);
	K("rmw.k_add_read_only_wp1", __asm__ volatile("addl $1, (%0)" : : "r"(VA(1) + 8) : "memory", "cc"));
	K("rmw.k_xchg_read_only_wp1", __asm__ volatile("xchgl %%eax, (%0)" : : "r"(VA(1) + 8) : "eax", "memory"));
	write_cr0(read_cr0() & ~CR0_WP);
	set_pte(1, frame(1), 0);
	K("rmw.k_inc_byte_not_present", __asm__ volatile("incb (%0)" : : "r"(VA(1) + 9) : "memory", "cc"));
	K("rmw.k_xchg_not_present", __asm__ volatile("xchgl %%eax, (%0)" : : "r"(VA(1) + 8) : "eax", "memory"));
}

static u32
call_code(u32 va)
{
	u32 r;
	__asm__ volatile("call *%1" : "=a"(r) : "r"(va) : "ecx", "edx", "memory");
	return r;
}

static void
put_mov_eax_ret(u8 *p, u32 imm)
{
	p[0] = 0xb8;    /* mov $imm32, %eax */
	p[1] = (u8)imm; p[2] = (u8)(imm >> 8); p[3] = (u8)(imm >> 16); p[4] = (u8)(imm >> 24);
	p[5] = 0xc3;    /* ret */
}

/* code that changes: the CPU must run what memory holds, however it was written */
static void
self_modifying(void)
{
	set_pte(2, frame(2), PTE_P | PTE_W | PTE_U);
	set_pte(3, frame(2), PTE_P | PTE_W | PTE_U);    /* a second mapping of the same frame */
	put_mov_eax_ret(frames[2], 1);
	printf_("smc.first: %x\n", call_code(VA(2)));
	frames[2][1] = 2;
	printf_("smc.after_write_same_address: %x\n", call_code(VA(2)));
	((volatile u8 *)VA(3))[1] = 3;
	printf_("smc.after_write_through_alias: %x\n", call_code(VA(2)));
	/* movb $4, (imm of the next instruction); mov $5, %eax; ret -- the store hits code just ahead */
	u8 *p = frames[2] + 0x100;
	u32 imm = VA(2) + 0x100 + 7 + 1;
	p[0] = 0xc6; p[1] = 0x05;
	p[2] = (u8)imm; p[3] = (u8)(imm >> 8); p[4] = (u8)(imm >> 16); p[5] = (u8)(imm >> 24);
	p[6] = 0x04;
	put_mov_eax_ret(p + 7, 5);
	printf_("smc.store_into_next_instruction: %x\n", call_code(VA(2) + 0x100));
	printf_("smc.store_into_next_instruction_again: %x\n", call_code(VA(2) + 0x100));
	/* the frame is remapped to other code at the same linear address */
	put_mov_eax_ret(frames[3], 6);
	set_pte(2, frame(3), PTE_P | PTE_W | PTE_U);
	printf_("smc.remapped_page: %x\n", call_code(VA(2)));
}

/* a string instruction stopped by a page fault part-way, and a push into a missing stack page */
static void
partial_progress(void)
{
	set_pte(0, frame(0), PTE_P | PTE_W | PTE_U);
	set_pte(1, frame(1), 0);
	u32 src = VA(0) + 0xff8, dst = (u32)frames[3];
	TRY(__asm__ volatile("cld\n rep movsb" : : "S"(src), "D"(dst), "c"(16) : "memory"));
	printf_("rep.movsb_into_not_present: %s cr2=%08x ecx=%x esi=+%x edi=+%x\n",
		trapped ? vector_name(last_trap.vector) : "ok", last_trap.cr2, last_trap.ecx,
		last_trap.esi - src, last_trap.edi - dst);
	TRY(__asm__ volatile("std\n rep stosl\n cld" : : "D"(VA(1) + 8), "c"(8), "a"(0) : "memory"));
	__asm__ volatile("cld");
	printf_("rep.stosl_down_not_present: %s cr2=%08x ecx=%x edi=%08x\n",
		trapped ? vector_name(last_trap.vector) : "ok", last_trap.cr2, last_trap.ecx, last_trap.edi);
	user_arg = VA(1) + 0x10;
	int r = run_at(SEL_UCODE, SEL_UDATA, (u32)user_stack_top, 0x2, (void (*)(void))u_push_at);
	printf_("push.into_not_present: r=%d %s err=%x cr2=%08x esp=%08x\n", r, vector_name(last_trap.vector),
		last_trap.err, last_trap.cr2, last_trap.esp);
}

/* A GDT in a read-only page (as a Xen guest's is): setting a descriptor's accessed bit is an
 * implicit supervisor write, so it page-faults under CR0.WP; an already accessed one loads. */
static void
gdt_read_only(void)
{
	static struct { u16 limit; u32 base; } __attribute__((packed)) ro_gdtr;
	u64 *copy = (u64 *)frames[3];
	set_gdt(GDT_SCRATCH, seg_desc(0, 0xfffff, D_P | D_S | D_WRITE, F_G | F_DB));     /* A clear */
	for (int i = 0; i < GDT_ENTRIES; i++) copy[i] = gdt[i];
	set_pte(3, frame(3), PTE_P);
	ro_gdtr.limit = sizeof(gdt) - 1;
	ro_gdtr.base = VA(3);
	__asm__ volatile("lgdt %0" : : "m"(ro_gdtr));
	write_cr0(read_cr0() | CR0_WP);
	TRY(__asm__ volatile("movw %w0, %%fs\n movw %w1, %%fs" : : "r"(SCR(0)), "r"(SEL_KDATA)));
	/* The SDM does not say how wide the accessed-bit write is, so CR2 may point at the
	 * descriptor's start, its high dword (qemu) or its access byte (Bochs): only "inside
	 * the descriptor" is checked. */
	printf_("gdt_ro.load_accessed_clear_wp1: %s err=%x cr2_in_descriptor=%d\n",
		trapped ? vector_name(last_trap.vector) : "ok", last_trap.err,
		last_trap.cr2 - (VA(3) + SCR(0)) < 8);
	write_cr0(read_cr0() & ~CR0_WP);
	K("gdt_ro.load_accessed_clear_wp0", __asm__ volatile("movw %w0, %%fs\n movw %w1, %%fs" : : "r"(SCR(0)), "r"(SEL_KDATA)));
	printf_("gdt_ro.accessed_after_wp0_load: %x\n", (u32)(copy[GDT_SCRATCH] >> 40) & 1);
	write_cr0(read_cr0() | CR0_WP);
	K("gdt_ro.load_accessed_set_wp1", __asm__ volatile("movw %w0, %%fs\n movw %w1, %%fs" : : "r"(SCR(0)), "r"(SEL_KDATA)));
	write_cr0(read_cr0() & ~CR0_WP);
	lgdt_current();
}

/* CR4.PSE 4 MiB pages: one directory entry maps physical 0-4 MiB at 12 MiB; its A and D bits */
static void
large_pages(void)
{
	const u32 big = 0x00c00000;
	frames[2][0x40] = 0x5e;
	write_cr4(read_cr4() | 0x10);
	pd[big >> 22] = 0x80 | PTE_P | PTE_W;      /* PS, supervisor, writable, A/D clear */
	write_cr3((u32)pd);
	sink = *(volatile u8 *)(big + (u32)frames[2] + 0x40);
	printf_("pse.read: value=%x pde_ad=%x\n", sink, pd[big >> 22] & 0x60);
	*(volatile u8 *)(big + (u32)frames[2] + 0x41) = 1;
	printf_("pse.write: pde_ad=%x phys=%x\n", pd[big >> 22] & 0x60, frames[2][0x41]);
	user("pse.user_read_supervisor", u_read, big + (u32)frames[2]);
	pd[big >> 22] = 0x80 | PTE_P | PTE_U;
	__asm__ volatile("invlpg (%0)" : : "r"(big + (u32)frames[2]) : "memory");
	user("pse.user_write_read_only", u_write, big + (u32)frames[2] + 0x42);
	pd[big >> 22] = 0;
	write_cr3((u32)pd);
	write_cr4(read_cr4() & ~0x10u);
}

/* Inward transfers whose new (ring-1) stack from the TSS is not writable: the pushes are
 * supervisor writes, the #PF is taken with the caller's state intact, on the ring-0 stack. */
static void
inner_stack_faults(void)
{
	u32 saved_esp1 = tssb.t.esp1, saved_ss1 = tssb.t.ss1;
	set_gdt(GDT_SCRATCH + 2, gate_desc(SEL_R1CODE, (u32)r1_never, T_CALLGATE, 3, 1, 1));
	set_idt(0x43, gate_desc(SEL_R1CODE, (u32)r1_never, T_INTGATE, 3, 1, 0));
	set_pte(1, frame(1), 0);
	tssb.t.esp1 = VA(1) + 0x10;
	tssb.t.ss1 = SEL_R1DATA;
	user("inner_stack.callgate_not_present", u_lcall_scr2, 0);
	printf_("inner_stack.callgate_not_present_state: cs=%x esp=top-%x\n", last_trap.cs, (u32)user_stack_top - last_trap.esp);
	user("inner_stack.int_not_present", u_int43, 0);
	set_pte(1, frame(1), PTE_P);
	write_cr0(read_cr0() | CR0_WP);
	user("inner_stack.callgate_read_only_wp1", u_lcall_scr2, 0);
	user("inner_stack.int_read_only_wp1", u_int43, 0);
	write_cr0(read_cr0() & ~CR0_WP);
	tssb.t.esp1 = saved_esp1;
	tssb.t.ss1 = saved_ss1;
	set_idt(0x43, gate_desc(SEL_KCODE, (u32)trap_stubs_addr(0x43), T_INTGATE, 0, 1, 0));
}

/* Descriptor-table reads are implicit supervisor accesses even at CPL 3: a GDT page without
 * U/S serves ring 3, and a missing one faults with U/S = 0 in the error code. The GDT copy
 * straddles two pages so the descriptors the fault handler needs stay mapped. */
static void
gdt_supervisor_reads(void)
{
	static struct { u16 limit; u32 base; } __attribute__((packed)) split_gdtr;
	u64 *low = (u64 *)(frames[3] + 0xf80), *high = (u64 *)frames[0];
	for (int i = 0; i < 16; i++) low[i] = gdt[i];
	for (int i = 16; i < GDT_ENTRIES; i++) high[i - 16] = gdt[i];
	high[20 - 16] = seg_desc(0, 0xfffff, D_P | D_S | D_WRITE | D_DPL(3) | D_ACC, F_G | F_DB);
	set_pte(3, frame(3), PTE_P | PTE_W);
	set_pte(4, frame(0), PTE_P | PTE_W);
	split_gdtr.limit = sizeof(gdt) - 1;
	split_gdtr.base = VA(3) + 0xf80;
	__asm__ volatile("lgdt %0" : : "m"(split_gdtr));
	user("gdt_sup.u_load_from_supervisor_page", u_load_fs_a3, 0);
	set_pte(4, frame(0), 0);
	user("gdt_sup.u_load_from_missing_page", u_load_fs_a3, 0);
	K("gdt_sup.k_load_from_missing_page", __asm__ volatile("movw $0xa3, %%ax\n movw %%ax, %%gs" : : : "eax"));
	lgdt_current();
	__asm__ volatile("movw %w0, %%gs" : : "r"(SEL_KDATA));
}

void
tests(void)
{
	paging_on();
	gdt_supervisor_reads();
	inner_stack_faults();
	large_pages();
	gdt_read_only();
	self_modifying();
	partial_progress();
	protection();
	accessed_dirty();
	tlb();
	cr2_and_fetch();
}
