/*
 * mpx.S - the kernel's way in and out under Xen (report 6.2.2, 6.2.3; MINIX's mpx386.s):
 * the entry that enables the builder's GDT, the exception stubs, the IPC trap, the ring-2
 * proxy trap, the event and failsafe callbacks, and save/restart. Every entry from ring 2/3
 * arrives on the stack stack_switch set (the end of proc_ptr's frame), so the registers are
 * saved straight into the process table, as MINIX does with the TSS on hardware.
 */
#define __ASSEMBLY__
#include <xen/xen.h>
#include <minix/const.h>
#include <minix/ipc.h>
#include <minix/bootinfo.h>
#include "protect.h"
#include "sconst.h"

#define KERNEL_FLAGS   0x001D   /* K_I386|K_CHMEM|K_HIGH|K_HDR: the rest served the boot monitor */
#define UPCALL_PENDING (SHARED_INFO_VA + 0)
#define UPCALL_MASK    (SHARED_INFO_VA + 1)

	.section .text.entry, "ax"
	.globl MINIX
	.type MINIX, @function
/* Text offset 0: a 2-byte jmp over the click shift (offset 2) and kernel flags (offset 4). */
MINIX:
	.byte 0xEB, over - MINIX - 2
	.word CLICK_SHIFT
	.word KERNEL_FLAGS
	nop
over:
	/*
	 * Entry state (report 5.2.5): Xen's flat ring-1 selectors, esi = start info VA, esp at the
	 * top of the builder's boot stack page. Even here hypercalls go through xen_op, the one
	 * routine that makes them: set_gdt(the 16 MFNs, BOOT_GDT_ENTRIES).
	 */
	movl  %esi, %ebp
	pushl $0
	pushl $0
	pushl $0
	pushl $BOOT_GDT_ENTRIES
	leal  MSI_GDT_MFNS(%esi), %eax
	pushl %eax
	pushl $__HYPERVISOR_set_gdt
	call  xen_op
	addl  $24, %esp
	testl %eax, %eax
	jnz   gdt_failed
	/* The builder's descriptors are live: reload every selector, cs with a far jump. */
	movl  $KERNEL_DS_SELECTOR, %eax
	movw  %ax, %ds
	movw  %ax, %es
	movw  %ax, %fs
	movw  %ax, %gs
	movw  %ax, %ss
	ljmp  $KERNEL_CS_SELECTOR, $1f
1:	movl  $k_stktop, %esp
	pushl %ebp
	call  xen_cstart
	addl  $4, %esp
	call  main
2:	jmp   2b

gdt_failed:
	/* Nothing in C works without the GDT: say so on the debug console and crash. */
	pushl $0
	pushl $0
	pushl $gdt_msg
	pushl $gdt_msg_end - gdt_msg
	pushl $CONSOLEIO_write
	pushl $__HYPERVISOR_console_io
	call  xen_op
	addl  $24, %esp
	pushl $0
	pushl $0
	pushl $0
	pushl $0
	pushl $(SCHEDOP_shutdown | (SHUTDOWN_crash << SCHEDOP_reasonshift))
	pushl $__HYPERVISOR_sched_op
	call  xen_op
	addl  $24, %esp
	jmp   gdt_failed
gdt_msg:
	.ascii "MINIX: kernel entry: set_gdt of the builder's 16 GDT frames failed\n"
gdt_msg_end:
	.size MINIX, . - MINIX

	.text
/*
 * Exception stubs. Each pushes its vector; those Xen gives an error code for pop it into
 * trap_errno, and the page fault also pops the cr2 word Xen puts below the error code.
 * Until save runs, ds may be the process's, so kernel variables are reached through %ss.
 */
.macro trap_noerr name, vector
	.globl \name
\name:
	pushl $\vector
	jmp   exception_noerr
.endm
.macro trap_err name, vector
	.globl \name
\name:
	pushl $\vector
	jmp   exception_err
.endm

	trap_noerr divide_error, 0
	trap_noerr single_step_exception, 1
	trap_noerr breakpoint_exception, 3
	trap_noerr overflow, 4
	trap_noerr bounds_check, 5
	trap_noerr inval_opcode, 6
	trap_noerr copr_not_available, 7
	trap_noerr copr_seg_overrun, 9
	trap_err   inval_tss, 10
	trap_err   segment_not_present, 11
	trap_err   stack_exception, 12
	trap_err   general_protection, 13
	trap_noerr copr_error, 16
	trap_err   alignment_check, 17
	trap_noerr simd_exception, 19

	.globl page_fault
page_fault:
	popl  %ss:fault_cr2
	pushl $14
	jmp   exception_err

exception_noerr:
	popl  %ss:ex_number
	movl  $0, %ss:trap_errno
	jmp   exception_common
exception_err:
	popl  %ss:ex_number
	popl  %ss:trap_errno
exception_common:
	testl $2, 4(%esp)            /* RPL of the interrupted cs: bit 1 clear means ring 1 */
	jz    kernel_exception
	call  save
	pushl trap_errno
	pushl ex_number
	call  exception
	addl  $8, %esp
	ret                          /* to restart */

kernel_exception:
	/* The kernel itself faulted: the frame is on the kernel stack, no process to blame. */
	movl  $KERNEL_DS_SELECTOR, %eax
	movw  %ax, %ds
	movw  %ax, %es
	pushl (%esp)                 /* faulting eip */
	pushl trap_errno
	pushl ex_number
	call  kernel_fault
3:	jmp   3b

/* int $33 from ring 2/3: IPC. sys_call's result goes into the caller's saved eax. */
	.globl s_call
s_call:
	call  save
	call  do_ipc_trap
	ret

/* int $XEN_PROXY_VECTOR from ring 2: a kernel task's hypercall (report 6.2.1). */
	.globl xen_proxy_trap
xen_proxy_trap:
	call  save
	call  do_xen_proxy_op
	ret

/*
 * save: called by an entry stub with the bounce frame at proc_ptr->p_reg.pc; pushes the rest
 * of the frame into the process table, loads kernel segments, moves to the kernel stack and
 * returns to the stub with restart as the stub's own return address.
 */
	.globl save
save:
	cld
	pushal
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	movl  $KERNEL_DS_SELECTOR, %edx
	movw  %dx, %ds
	movw  %dx, %es
	movw  %dx, %fs
	movw  %dx, %gs
	movl  %esp, %esi             /* the saved frame */
	incl  k_reenter
	movl  $k_stktop, %esp
	pushl $restart
	jmp   *RETADR(%esi)

/*
 * restart: run proc_ptr (or next_ptr if scheduling chose another). Events stay masked until
 * the registers are reloaded; from unmasking to iret is a critical region: an event taken
 * there is folded back into an ordinary entry from the process (hypervisor_callback).
 */
	.globl restart
restart:
	cmpl  $0, next_ptr
	jz    0f
	movl  next_ptr, %eax
	movl  %eax, proc_ptr
	movl  $0, next_ptr
0:	call  restart_prepare        /* stack_switch to the new frame if it changed */
	testb $0xFF, UPCALL_PENDING
	jz    1f
	call  do_hypervisor_callback /* events that came while masked */
	jmp   restart
1:	movl  proc_ptr, %esp
	decl  k_reenter
	popl  %gs
	popl  %fs
	popl  %es
	popl  %ds
	popal
	addl  $4, %esp               /* skip RETADR */
	.globl restart_crit_start
restart_crit_start:
	movb  $0, %ss:UPCALL_MASK
	testb $0xFF, %ss:UPCALL_PENDING
	jnz   4f
	iret
4:	movb  $1, %ss:UPCALL_MASK
	.globl restart_crit_end
restart_crit_end:
	jmp   event_from_process

/*
 * hypervisor_callback: Xen's event upcall, entered with upcall_mask already 1 (Xen 2.0 sets
 * it when it builds the frame). From ring 2/3 the frame is in the process table; from ring 1
 * the kernel was either inside restart's critical region (drop the 3-word frame: the process's
 * own iret frame is right above it) or blocked in a hypercall (handle events and go back).
 */
	.globl hypervisor_callback
hypervisor_callback:
	testl $2, 4(%esp)
	jnz   event_from_process
	cmpl  $restart_crit_start, (%esp)
	jb    nested_event
	cmpl  $restart_crit_end, (%esp)
	jae   nested_event
	addl  $12, %esp
event_from_process:
	call  save
	call  do_hypervisor_callback
	ret                          /* to restart */
nested_event:
	pushal
	cld
	call  do_hypervisor_callback
	popal
	iret

/* failsafe_callback: Xen could not reload a process's segment registers on return. */
	.globl failsafe_callback
failsafe_callback:
	movl  $KERNEL_DS_SELECTOR, %eax
	movw  %ax, %ds
	movw  %ax, %es
	call  failsafe_panic
5:	jmp   5b

	.bss
	.align 16
	.globl k_stack, k_stktop
k_stack:
	.space K_STACK_BYTES
k_stktop:

/* The first word of the kernel's data: MINIX's KERNEL_D_MAGIC. */
	.section .data.magic, "aw"
	.globl kernel_d_magic
kernel_d_magic:
	.word 0x526F

	.section .note.GNU-stack,"",@progbits
