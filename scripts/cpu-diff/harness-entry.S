/* Entry, case launch and signal return of the native snippet harness (i386 Linux, static).
 * run_case loads the guest registers and eflags from g_case_regs and jumps into the code page;
 * the case always ends in a signal (the trailing int3 or a fault), whose handler records the
 * state and rewrites the signal context so sigreturn lands on case_resume. */

	.section .note.GNU-stack,"",@progbits
	.text
	.globl _start
_start:
	andl	$-16, %esp
	call	harness_main
	movl	%eax, %ebx
	movl	$1, %eax		/* exit */
	int	$0x80
	hlt

/* long sys6(long nr, long a, long b, long c, long d, long e) */
	.globl sys6
sys6:
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	movl	16(%esp), %eax
	movl	20(%esp), %ebx
	movl	24(%esp), %ecx
	movl	28(%esp), %edx
	movl	32(%esp), %esi
	movl	36(%esp), %edi
	int	$0x80
	popl	%edi
	popl	%esi
	popl	%ebx
	ret

/* The sa_restorer: the handler returns here, rt_sigreturn reloads the (edited) context. */
	.globl sig_restorer
sig_restorer:
	movl	$173, %eax		/* rt_sigreturn */
	int	$0x80
	hlt

/* void run_case(void): state comes from g_case_regs (eax..edi, eflags, ds, es, fs, gs) and
 * g_case_entry. Loads go through %cs because the case may set %ds to anything. */
	.globl run_case
	.globl case_resume
run_case:
	pushal
	movl	%esp, g_host_esp
	pushl	%cs:g_case_regs+32	/* eflags */
	movw	%cs:g_case_regs+36, %ax
	movw	%ax, %ds
	movw	%cs:g_case_regs+38, %ax
	movw	%ax, %es
	movw	%cs:g_case_regs+40, %ax
	movw	%ax, %fs
	movw	%cs:g_case_regs+42, %ax
	movw	%ax, %gs
	popfl
	movl	%cs:g_case_regs+0, %eax
	movl	%cs:g_case_regs+4, %ecx
	movl	%cs:g_case_regs+8, %edx
	movl	%cs:g_case_regs+12, %ebx
	movl	%cs:g_case_regs+20, %ebp
	movl	%cs:g_case_regs+24, %esi
	movl	%cs:g_case_regs+28, %edi
	movl	%cs:g_case_regs+16, %esp
	jmp	*%cs:g_case_entry
case_resume:
	popal
	ret
