/*
 * entry.S - where PM's children start: the stack pointer they find is passed to C as the one
 * argument, so a child can prove that its first instruction ran on the stack SYS_EXEC gave it.
 */
	.text
	.globl child_entry, exec_entry
	.type child_entry, @function
child_entry:
	movl  %esp, %eax
	xorl  %ebp, %ebp
	pushl %eax
	call  child_main
1:	jmp   1b
	.size child_entry, . - child_entry

	.type exec_entry, @function
exec_entry:
	movl  %esp, %eax
	xorl  %ebp, %ebp
	pushl %eax
	call  exec_main
1:	jmp   1b
	.size exec_entry, . - exec_entry

	.section .note.GNU-stack,"",@progbits
