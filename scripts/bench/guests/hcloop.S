/*
 * hcloop.S - the hypercall-heavy guest of `npm run bench -- boot-hello`: xen_version(0)
 * COUNT times in a tight loop, one console_io line, then shutdown(poweroff).
 */
#include "xen/xen.h"

#define COUNT 200000

	.section __xen_guest
	.asciz "GUEST_OS=linux,LOADER=generic,XEN_VER=2.0,VIRT_BASE=0xC0000000"

	.text
	.globl _start
_start:
	movl $COUNT, %ebp
1:	movl $__HYPERVISOR_xen_version, %eax
	xorl %ebx, %ebx
	int $0x82
	decl %ebp
	jnz 1b
	movl $__HYPERVISOR_console_io, %eax
	movl $CONSOLEIO_write, %ebx
	movl $(msg_end - msg), %ecx
	movl $msg, %edx
	int $0x82
	movl $__HYPERVISOR_sched_op, %eax
	movl $(SCHEDOP_shutdown | (SHUTDOWN_poweroff << SCHEDOP_reasonshift)), %ebx
	int $0x82
2:	jmp 2b

	.data
msg:	.ascii "hcloop: done\n"
msg_end:
