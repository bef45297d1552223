/*
 * ipc.S - the IPC primitives as MINIX's library has them (lib/i386/rts/_ipc.s): the trap is
 * int $33 with eax = source/destination, ebx = message pointer, ecx = primitive | flags; the
 * kernel returns the result in eax. Callable from ring 2 (kernel tasks) and ring 3.
 */
#define __ASSEMBLY__
#include <minix/ipc.h>

/* One routine per primitive: ipc_stub name, primitive */
.macro ipc_stub name, primitive
	.globl \name
	.type \name, @function
\name:
	pushl %ebp
	movl  %esp, %ebp
	pushl %ebx
	movl  8(%ebp), %eax          /* src_dst */
	movl  12(%ebp), %ebx         /* message pointer */
	movl  $\primitive, %ecx
	int   $SYS386_VECTOR
	popl  %ebx
	popl  %ebp
	ret
	.size \name, . - \name
.endm

	.text
	ipc_stub send, SEND
	ipc_stub receive, RECEIVE
	ipc_stub sendrec, SENDREC
	ipc_stub nb_send, SEND|NON_BLOCKING
	ipc_stub nb_receive, RECEIVE|NON_BLOCKING

/* notify(dst): no message */
	.globl notify
	.type notify, @function
notify:
	pushl %ebx
	movl  8(%esp), %eax
	xorl  %ebx, %ebx
	movl  $NOTIFY, %ecx
	int   $SYS386_VECTOR
	popl  %ebx
	ret
	.size notify, . - notify

/* echo(m): the kernel copies the message back to the caller */
	.globl echo
	.type echo, @function
echo:
	pushl %ebx
	movl  $ANY_DUMMY, %eax
	movl  8(%esp), %ebx
	movl  $ECHO, %ecx
	int   $SYS386_VECTOR
	popl  %ebx
	ret
	.size echo, . - echo
	.set ANY_DUMMY, 0

	.section .note.GNU-stack,"",@progbits
