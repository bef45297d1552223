/*
 * exception.c - CPU exceptions Xen bounced to us (MINIX kernel/exception.c). A process that
 * faults is stopped (there is no PM yet to signal it); a fault in a kernel task or in the
 * kernel itself is a panic naming the vector, the error code and where it happened.
 */
#include "kernel.h"

static const char *const ex_names[] = {
	"divide error", "debug exception", "nonmaskable interrupt", "breakpoint",
	"overflow", "bounds check", "invalid opcode", "coprocessor not available",
	"double fault", "coprocessor segment overrun", "invalid TSS", "segment not present",
	"stack exception", "general protection", "page fault", "reserved",
	"coprocessor error", "alignment check", "machine check", "SIMD exception",
};

static const char *
ex_name(unsigned vector)
{
	return vector < sizeof ex_names / sizeof ex_names[0] ? ex_names[vector] : "unknown exception";
}

void
exception(unsigned vector, unsigned error)
{
	struct proc *rp = proc_ptr;

	kprintf("exception: %s (vector %u, error 0x%x) in %s (proc %d) at %04x:%08x",
	    ex_name(vector), vector, error, rp->p_name, rp->p_nr, rp->p_reg.cs, rp->p_reg.pc);
	if (vector == TRAP_page_fault)
		kprintf(", address 0x%08x", fault_cr2);
	kprintf("\n");
	if (iskerneln(rp->p_nr))
		panic("exception", "kernel task faulted, vector", (int)vector);
	if (rp->p_rts_flags == 0)
		dequeue(rp);
	rp->p_rts_flags |= P_STOP;
}

void
kernel_fault(unsigned vector, unsigned error, unsigned eip)
{
	kprintf("kernel fault: %s (vector %u, error 0x%x) at eip 0x%08x, k_reenter %d\n",
	    ex_name(vector), vector, error, eip, k_reenter);
	panic("exception", "fault in the kernel, vector", (int)vector);
}

void
failsafe_panic(void)
{
	panic("exception", "Xen failsafe callback: bad segment in frame of process",
	    proc_ptr != 0 ? proc_ptr->p_nr : NONE);
}
