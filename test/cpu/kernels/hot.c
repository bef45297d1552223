/* Hot code: the same checks as the other kernels, but inside loops that run thousands of
 * times, so an emulator that compiles hot blocks runs them compiled. Faults and traps in the
 * middle of a loop must leave exactly the registers the interpreter would, and code written
 * while it runs (even the next instruction of the same block) must take effect (SDM Vol. 3A
 * 6.5 fault restartability, 8.1.3 self-modifying code, 17.3.1.4 single-step). */
#include "kernel.h"

#define PTE_P 1
#define PTE_W 2
#define SCR(n)  ((GDT_SCRATCH + (n)) << 3)

static u32 pd[1024] __attribute__((aligned(4096)));
static u32 pt[2][1024] __attribute__((aligned(4096)));
static u32 data[2048] __attribute__((aligned(4096)));     /* 8 KiB: the second page gets unmapped */

/* Loops in assembly so the registers at a fault are known exactly. */
__asm__(
	".text\n"
	/* sum data[ecx] while ecx < 2000; data's second page is not present */
	"hot_sum:\n"
	"  pushl %esi\n pushl %ebx\n xorl %eax, %eax\n xorl %ecx, %ecx\n xorl %edx, %edx\n movl $data, %esi\n"
	"1: addl (%esi,%ecx,4), %eax\n addl $3, %edx\n incl %ecx\n cmpl $2000, %ecx\n jne 1b\n"
	"  popl %ebx\n popl %esi\n ret\n"
	/* divide 100000 by (600 - i) until the divisor reaches 0 */
	"hot_div:\n"
	"  pushl %ebx\n xorl %ebx, %ebx\n movl $600, %ecx\n"
	"1: movl $100000, %eax\n xorl %edx, %edx\n divl %ecx\n addl %eax, %ebx\n decl %ecx\n jmp 1b\n"
	/* write ecx into the imm32 of the `add $imm32, %eax` (opcode 05) that follows in the same block */
	"hot_smc_next:\n"
	"  pushl %ebx\n xorl %eax, %eax\n xorl %ecx, %ecx\n"
	"1: movl %ecx, 2f+1\n"
	"2: .byte 0x05\n .long 0\n incl %ecx\n cmpl $1000, %ecx\n jne 1b\n"
	"  popl %ebx\n ret\n"
	/* call a function whose immediate is bumped every iteration */
	"hot_smc_call:\n"
	"  pushl %ebx\n xorl %ebx, %ebx\n movl $1000, %ecx\n"
	"1: pushl %ecx\n call smc_target\n popl %ecx\n addl %eax, %ebx\n incl smc_target+1\n decl %ecx\n jnz 1b\n"
	"  movl %ebx, %eax\n popl %ebx\n ret\n"
	"smc_target:\n  movl $7, %eax\n ret\n"
	/* flags across a block: 64-bit additions with adc, and a borrow chain with sbb */
	"hot_flags:\n"
	"  pushl %ebx\n pushl %esi\n xorl %eax, %eax\n xorl %edx, %edx\n movl $0x9e3779b9, %ebx\n xorl %esi, %esi\n movl $5000, %ecx\n"
	"1: addl %ebx, %eax\n adcl $0, %edx\n roll $5, %ebx\n sbbl %ecx, %esi\n setc %bl\n rcrl $1, %esi\n decl %ecx\n jnz 1b\n"
	"  xorl %esi, %eax\n xorl %ebx, %edx\n popl %esi\n popl %ebx\n ret\n"
	/* a loop run with TF set: every instruction traps once; the last popf clears TF */
	"hot_step:\n"
	"  pushfl\n orl $0x100, (%esp)\n movl $50, %ecx\n xorl %eax, %eax\n popfl\n"
	"1: addl %ecx, %eax\n decl %ecx\n jnz 1b\n"
	"  pushfl\n andl $0xfffffeff, (%esp)\n popfl\n ret\n"
	"hot_plain:\n"
	"  movl $50, %ecx\n xorl %eax, %eax\n"
	"1: addl %ecx, %eax\n decl %ecx\n jnz 1b\n ret\n"
	/* read fs:ecx byte by byte upwards until the segment limit stops it (or 0x1000 bytes) */
	"hot_limit:\n"
	"  pushl %ebx\n xorl %ecx, %ecx\n xorl %eax, %eax\n"
	"1: movzbl %fs:(%ecx), %ebx\n addl %ebx, %eax\n incl %ecx\n cmpl $0x1000, %ecx\n jne 1b\n"
	"  popl %ebx\n ret\n"
);
extern char hot_sum[], hot_div[], hot_smc_next[], hot_smc_call[], hot_flags[], hot_step[],
	hot_plain[], hot_limit[];

static u32
call0(char *fn)
{
	u32 r;
	__asm__ volatile("call *%1" : "=a"(r) : "r"(fn) : "ecx", "edx", "memory", "cc");
	return r;
}

static void
show(const char *name)
{
	if (!trapped) {
		printf_("%s: ok\n", name);
		return;
	}
	printf_("%s: %s err=%x eip=%08x eax=%08x ecx=%08x esi=%08x edi=%08x cr2=%08x\n", name,
		vector_name(last_trap.vector), last_trap.err, last_trap.eip, last_trap.eax, last_trap.ecx,
		last_trap.esi, last_trap.edi, last_trap.vector == V_PF ? last_trap.cr2 : 0);
}

void
tests(void)
{
	for (int i = 0; i < 2048; i++) data[i] = (u32)i * 2654435761u;

	/* warm up with everything mapped, then the same loop into a missing page */
	for (int t = 0; t < 2; t++)
		for (int i = 0; i < 1024; i++) pt[t][i] = ((u32)t << 22) | ((u32)i << 12) | PTE_P | PTE_W;
	pd[0] = (u32)pt[0] | PTE_P | PTE_W;
	pd[1] = (u32)pt[1] | PTE_P | PTE_W;
	write_cr3((u32)pd);
	write_cr0(read_cr0() | 0x80000000);
	u32 warm = 0;
	for (int i = 0; i < 30; i++) warm += call0(hot_sum);
	printf_("hot.sum_mapped: %08x\n", warm);
	pt[(((u32)data + 4096) >> 22) & 1][(((u32)data + 4096) >> 12) & 1023] = 0;
	__asm__ volatile("invlpg (%0)" : : "r"((u32)data + 4096) : "memory");
	TRY(call0(hot_sum));
	show("hot.sum_into_not_present");
	TRY(call0(hot_sum));
	show("hot.sum_into_not_present_again");
	write_cr0(read_cr0() & ~0x80000000u);

	TRY(call0(hot_div));
	show("hot.div_until_zero");

	printf_("hot.smc_next_instruction: %08x\n", call0(hot_smc_next));
	printf_("hot.smc_next_instruction_again: %08x\n", call0(hot_smc_next));
	printf_("hot.smc_called_function: %08x\n", call0(hot_smc_call));

	u32 f = 0;
	for (int i = 0; i < 20; i++) f ^= call0(hot_flags) + (u32)i;
	printf_("hot.flags_chain: %08x\n", f);

	for (int i = 0; i < 40; i++) call0(hot_plain);
	db_count = 0;
	db_counting = 1;
	u32 s = call0(hot_step);
	db_counting = 0;
	printf_("hot.single_step_count: %d sum=%x\n", db_count, s);

	set_gdt(GDT_SCRATCH, seg_desc((u32)data, 0x7ff, D_P | D_S | D_WRITE, F_DB));
	for (volatile int i = 0; i < 2; i++) {
		/* a trap's longjmp reloads the kernel's flat FS, so load the small segment each time */
		TRY(__asm__ volatile("movw %w0, %%fs" : : "r"(SCR(0))); call0(hot_limit));
		show(i == 0 ? "hot.limit_loop" : "hot.limit_loop_again");
	}
	__asm__ volatile("movw %w0, %%fs" : : "r"(SEL_KDATA));
}
