/* Multiboot kernel that runs one workload on bare hardware with paging on, for our CPU's
 * bare mode: flat GDT, 2-level 4 KiB page tables identity-mapping 32 MiB, CR0.PG|WP. The
 * runner writes bench_params (workload, n) into memory before starting, and sees port 0x80
 * writes 1 and 2 just before and after the workload call. The checksum goes to COM1; then it
 * stops the machine the way qemu (port 0xF4) and Bochs (port 0x8900) understand. */
#include "workloads.h"

volatile struct { u32 workload, n; } bench_params = { 0, 1 };

static unsigned long long gdt[3] __attribute__((aligned(8))) = {
	0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull,
};
static u32 pd[1024] __attribute__((aligned(4096)));
static u32 pt[8][1024] __attribute__((aligned(4096)));

static inline void outb(unsigned short port, unsigned char v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }

static inline unsigned char inb(unsigned short port) { unsigned char v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static void
putc_(char c)
{
	while ((inb(0x3f8 + 5) & 0x20) == 0)
		;
	outb(0x3f8, (unsigned char)c);
}

static void
put_hex(u32 v)
{
	for (int s = 28; s >= 0; s -= 4) putc_("0123456789abcdef"[(v >> s) & 15]);
}

void
bare_main(void)
{
	outb(0x3f8 + 3, 0x03);  /* 8 data bits (Bochs's UART starts with 5) */
	static struct { unsigned short limit; u32 base; } __attribute__((packed)) gdtr;
	gdtr.limit = sizeof(gdt) - 1;
	gdtr.base = (u32)gdt;
	__asm__ volatile("lgdt %0\n ljmp $0x08, $1f\n 1: movw $0x10, %%ax\n movw %%ax, %%ds\n"
		"movw %%ax, %%es\n movw %%ax, %%ss\n movw %%ax, %%fs\n movw %%ax, %%gs" : : "m"(gdtr) : "eax");
	for (u32 t = 0; t < 8; t++) {
		for (u32 i = 0; i < 1024; i++) pt[t][i] = (t << 22) | (i << 12) | 3;
		pd[t] = (u32)pt[t] | 3;
	}
	__asm__ volatile("movl %0, %%cr3\n movl %%cr0, %%eax\n orl $0x80010000, %%eax\n movl %%eax, %%cr0"
		: : "r"(pd) : "eax", "memory");

	static u32 (*const table[])(u32) = { work_reg, work_mem, work_call, work_sort };
	u32 w = bench_params.workload;
	u32 sum = 0;
	if (w < 4) {
		outb(0x80, 1);
		sum = bench_call(table[w], bench_params.n);
		outb(0x80, 2);
	}
	putc_('='); put_hex(sum); putc_('\n');
	while ((inb(0x3f8 + 5) & 0x40) == 0)
		;   /* let the UART drain */
	outb(0xf4, 0);  /* qemu isa-debug-exit and our runner */
	for (const char *p = "Shutdown"; *p; p++)
		outb(0x8900, (unsigned char)*p);    /* Bochs */
	for (;;) __asm__ volatile("cli; hlt");
}
