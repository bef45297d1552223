/*
 * klib.S - small assembly helpers of the kernel (MINIX's klib386.s, Xen variant): the one
 * routine that makes hypercalls (report listing 6.2), the ring-2 proxy trap, the current ring.
 */
#define __ASSEMBLY__
#include <xen/xen.h>
#include "protect.h"

	.text
/* long xen_op(op, a1, a2, a3, a4, a5): int $0x82 with eax = op, ebx..edi = arguments. */
	.globl xen_op
	.type xen_op, @function
xen_op:
	pushl %ebx
	pushl %esi
	pushl %edi
	movl  16(%esp), %eax
	movl  20(%esp), %ebx
	movl  24(%esp), %ecx
	movl  28(%esp), %edx
	movl  32(%esp), %esi
	movl  36(%esp), %edi
	int   $HYPERCALL_VECTOR
	popl  %edi
	popl  %esi
	popl  %ebx
	ret
	.size xen_op, . - xen_op

/* long xen_proxy_int(multicall_entry_t *e): from ring 2; the kernel makes the call for us. */
	.globl xen_proxy_int
	.type xen_proxy_int, @function
xen_proxy_int:
	movl  4(%esp), %eax
	int   $XEN_PROXY_VECTOR
	ret
	.size xen_proxy_int, . - xen_proxy_int

/* int current_ring(void) */
	.globl current_ring
	.type current_ring, @function
current_ring:
	movl  %cs, %eax
	andl  $3, %eax
	ret
	.size current_ring, . - current_ring

	.section .note.GNU-stack,"",@progbits
