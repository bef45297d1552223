/*
 * crt0.S - start of every boot process other than the kernel: the kernel starts it at a_entry
 * (0) with esp at the top of its segment; call main, and if it returns, ask SYSTEM to end it.
 */
	.text
	.globl _start
	.type _start, @function
_start:
	xorl  %ebp, %ebp             /* ends gdb backtraces here */
	call  main
	pushl %eax
	call  exit_process
1:	jmp   1b
	.size _start, . - _start

	.section .note.GNU-stack,"",@progbits
