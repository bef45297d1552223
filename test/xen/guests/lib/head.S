/*
 * head.S - entry of the Xen test guests, and the trap path: one stub per vector evens out
 * Xen's bounce frames to [vector] [cr2] [error] EIP CS EFLAGS, trap_common saves the
 * registers and calls trap_c(struct trapframe *), which may change EIP to skip a fault.
 * The event upcall enters the same way with vector -1; the failsafe callback drops the four
 * data selectors Xen left on the stack and reloads flat ones.
 */
#include "xen/xen.h"

	.section .text.head, "ax"
	.globl _start
_start:
	/* Xen: ESI = start_info, ESP = top of the boot stack, flat ring-1 segments. */
	cld
	movl $boot_stack_top, %esp
	pushl %esi
	call guest_main
1:	pushl $(SCHEDOP_shutdown | (SHUTDOWN_poweroff << SCHEDOP_reasonshift))
	popl %ebx
	movl $__HYPERVISOR_sched_op, %eax
	int $0x82
	jmp 1b

	.text
/* Vectors without an error code: push a zero error and a zero cr2. */
#define TRAP_NOERR(name, vec) \
	.globl name; name: pushl $0; pushl $0; pushl $vec; jmp trap_common
/* Vectors with an error code: push a zero cr2 below it. */
#define TRAP_ERR(name, vec) \
	.globl name; name: pushl $0; pushl $vec; jmp trap_common

TRAP_NOERR(trap_divide, 0)
TRAP_NOERR(trap_debug, 1)
TRAP_NOERR(trap_int3, 3)
TRAP_NOERR(trap_overflow, 4)
TRAP_NOERR(trap_bounds, 5)
TRAP_NOERR(trap_invalid_op, 6)
TRAP_NOERR(trap_no_device, 7)
TRAP_ERR(trap_invalid_tss, 10)
TRAP_ERR(trap_no_segment, 11)
TRAP_ERR(trap_stack, 12)
TRAP_ERR(trap_gp, 13)
TRAP_NOERR(trap_coproc, 16)
TRAP_ERR(trap_align, 17)
TRAP_NOERR(trap_syscall, 0x80)
TRAP_NOERR(trap_soft, 0x40)

	/* #PF: Xen already pushed cr2 below the error code. */
	.globl trap_page_fault
trap_page_fault:
	pushl $14
	jmp trap_common

	/* Event upcall: Xen entered with events masked. */
	.globl hypervisor_callback
hypervisor_callback:
	pushl $0
	pushl $0
	pushl $-1
	jmp trap_common

trap_common:
	pushal
	movl $FLAT_RING1_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	pushl %esp
	call trap_c
	addl $4, %esp
	popal
	addl $12, %esp
	iret

	/* vm86_enter(act): the activation goes on the stack under EAX = switch_vm86; trap_c
	 * sends the bounce that ends the round to vm86_return, which restores our stack. */
	.globl vm86_enter, vm86_return
vm86_enter:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, vm86_saved_esp
	pushfl
	popl vm86_saved_eflags
	movl 20(%esp), %esi
	subl $40, %esp
	movl %esp, %edi
	movl $10, %ecx
	cld
	rep movsl
	movl $__HYPERVISOR_switch_vm86, %eax
	int $0x82
	ud2
vm86_return:
	movl vm86_saved_esp, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	/* Failsafe: DS ES FS GS are on the stack, null selectors are loaded. */
	.globl failsafe_callback
failsafe_callback:
	pushl %eax
	movl $FLAT_RING1_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %fs
	movl %eax, %gs
	popl %eax
	addl $16, %esp
	incl failsafe_count
	iret

	.bss
vm86_saved_esp:
	.long 0
	.globl vm86_saved_eflags
vm86_saved_eflags:
	.long 0
	.align 4096
	.globl vm86_stack_top
	.space 4096
vm86_stack_top:
	.globl boot_stack
boot_stack:
	.space 16384
	.globl boot_stack_top
boot_stack_top:
	.section .note.GNU-stack,"",@progbits
