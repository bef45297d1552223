/* Descriptor tables of the CPU test kernels: a GDT with flat segments for rings 0-3 plus
 * scratch entries each test rewrites, a 256-gate IDT pointing at the stubs in start.S, and a
 * 32-bit TSS whose ring-0/1/2 stacks are separate from the kernel's own stack. */
#include "kernel.h"

u64 gdt[GDT_ENTRIES] __attribute__((aligned(8)));
u64 idt[256] __attribute__((aligned(8)));
struct tss_block tssb;
extern char trap_stubs[];

static struct {
	u16 limit;
	u32 base;
} __attribute__((packed)) gdtr, idtr;

u64
seg_desc(u32 base, u32 limit, u8 access, u8 flags)
{
	u64 d = 0;
	d |= limit & 0xffff;
	d |= (u64)(base & 0xffffff) << 16;
	d |= (u64)access << 40;
	d |= (u64)((limit >> 16) & 0xf) << 48;
	d |= (u64)(flags & 0xf) << 52;
	d |= (u64)(base >> 24) << 56;
	return d;
}

u64
gate_desc(u16 sel, u32 offset, u8 type, u8 dpl, u8 present, u8 params)
{
	u64 d = 0;
	d |= offset & 0xffff;
	d |= (u64)sel << 16;
	d |= (u64)(params & 0x1f) << 32;
	d |= (u64)((present ? 0x80 : 0) | (dpl << 5) | type) << 40;
	d |= (u64)(offset >> 16) << 48;
	return d;
}

void set_gdt(int index, u64 d) { gdt[index] = d; }
void set_idt(int vector, u64 d) { idt[vector] = d; }

void
lgdt_current(void)
{
	gdtr.limit = sizeof(gdt) - 1;
	gdtr.base = (u32)gdt;
	__asm__ volatile("lgdt %0" : : "m"(gdtr));
}

void
lidt_limit(u16 limit)
{
	idtr.limit = limit;
	idtr.base = (u32)idt;
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

u32 read_cr0(void) { u32 v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
void write_cr0(u32 v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
u32 read_cr2(void) { u32 v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
u32 read_cr3(void) { u32 v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
void write_cr3(u32 v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
u32 read_cr4(void) { u32 v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
void write_cr4(u32 v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
u32 read_eflags(void) { u32 v; __asm__ volatile("pushfl; popl %0" : "=r"(v)); return v; }

void
desc_init(void)
{
	set_gdt(0, 0);
	set_gdt(1, seg_desc(0, 0xfffff, D_P | D_S | D_CODE | D_READ | D_DPL(0), F_G | F_DB));
	set_gdt(2, seg_desc(0, 0xfffff, D_P | D_S | D_WRITE | D_DPL(0), F_G | F_DB));
	set_gdt(3, seg_desc(0, 0xfffff, D_P | D_S | D_CODE | D_READ | D_DPL(3), F_G | F_DB));
	set_gdt(4, seg_desc(0, 0xfffff, D_P | D_S | D_WRITE | D_DPL(3), F_G | F_DB));
	set_gdt(5, seg_desc((u32)&tssb, sizeof(tssb) - 1, D_P | T_TSS32, 0));
	set_gdt(6, seg_desc(0, 0xfffff, D_P | D_S | D_CODE | D_READ | D_DPL(1), F_G | F_DB));
	set_gdt(7, seg_desc(0, 0xfffff, D_P | D_S | D_WRITE | D_DPL(1), F_G | F_DB));
	set_gdt(8, seg_desc(0, 0xfffff, D_P | D_S | D_CODE | D_READ | D_DPL(2), F_G | F_DB));
	set_gdt(9, seg_desc(0, 0xfffff, D_P | D_S | D_WRITE | D_DPL(2), F_G | F_DB));
	lgdt_current();
	__asm__ volatile(
		"ljmp %0, $1f\n1:\n"
		"movw %w1, %%ds\n movw %w1, %%es\n movw %w1, %%fs\n movw %w1, %%gs\n movw %w1, %%ss\n"
		: : "i"(SEL_KCODE), "r"(SEL_KDATA));

	tssb.t.ss0 = SEL_KDATA;
	tssb.t.esp0 = (u32)ring0_trap_stack_top;
	tssb.t.ss1 = SEL_R1DATA;
	tssb.t.esp1 = (u32)ring1_stack_top;
	tssb.t.ss2 = SEL_R2DATA;
	tssb.t.esp2 = (u32)ring2_stack_top;
	tssb.t.iomap = sizeof(struct tss32);
	for (int i = 0; i < 8192; i++) tssb.iomap[i] = 0xff;   /* every port denied */
	tssb.iomap[8192] = 0xff;
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
	__asm__ volatile("lldt %w0" : : "r"(0));   /* LDTR null, not the reset-time real-mode cache */

	for (int v = 0; v < 256; v++)
		set_idt(v, gate_desc(SEL_KCODE, (u32)trap_stubs + 16 * v, T_INTGATE, 0, 1, 0));
	set_idt(V_SYSCALL, gate_desc(SEL_KCODE, (u32)trap_stubs + 16 * V_SYSCALL, T_TRAPGATE, 3, 1, 0));
	set_idt(V_SYSCALL + 1, gate_desc(SEL_KCODE, (u32)trap_stubs + 16 * (V_SYSCALL + 1), T_TRAPGATE, 3, 1, 0));
	lidt_limit(sizeof(idt) - 1);
}
