/*
 * exception.c - CPU exceptions Xen bounced to us (MINIX kernel/exception.c). In a process the
 * exception becomes a signal for PM (MINIX 3.1.1's table: a divide error is SIGFPE, a general
 * protection fault SIGSEGV ...); in a kernel task or in the kernel itself it is a panic naming
 * the vector, the error code and where it happened.
 */
#include "kernel.h"

struct ex_s {
	const char *name;
	int signum;
};

static const struct ex_s ex_data[] = {
	{ "divide error", SIGFPE },
	{ "debug exception", SIGTRAP },
	{ "nonmaskable interrupt", SIGBUS },
	{ "breakpoint", SIGEMT },
	{ "overflow", SIGFPE },
	{ "bounds check", SIGFPE },
	{ "invalid opcode", SIGILL },
	{ "coprocessor not available", SIGFPE },
	{ "double fault", SIGBUS },
	{ "coprocessor segment overrun", SIGSEGV },
	{ "invalid TSS", SIGSEGV },
	{ "segment not present", SIGSEGV },
	{ "stack exception", SIGSEGV },
	{ "general protection", SIGSEGV },
	{ "page fault", SIGSEGV },
	{ "reserved", SIGILL },
	{ "coprocessor error", SIGFPE },
	{ "alignment check", SIGSEGV },         /* 17 and 19 are past 3.1.1's table: ours */
	{ "machine check", SIGBUS },
	{ "SIMD exception", SIGFPE },
};

static const struct ex_s *
ex_entry(unsigned vector)
{
	static const struct ex_s unknown = { "unknown exception", SIGILL };

	return vector < sizeof ex_data / sizeof ex_data[0] ? &ex_data[vector] : &unknown;
}

void
exception(unsigned vector, unsigned error)
{
	struct proc *rp = proc_ptr;
	const struct ex_s *ep = ex_entry(vector);

	if (!iskerneln(rp->p_nr)) {
		cause_sig(rp->p_nr, ep->signum);
		return;
	}
	kprintf("exception: %s (vector %u, error 0x%x) in %s (proc %d) at %04x:%08x",
	    ep->name, vector, error, rp->p_name, rp->p_nr, rp->p_reg.cs, rp->p_reg.pc);
	if (vector == TRAP_page_fault)
		kprintf(", address 0x%08x", fault_cr2);
	kprintf("\n");
	panic("exception", "kernel task faulted, vector", (int)vector);
}

void
kernel_fault(unsigned vector, unsigned error, unsigned eip)
{
	kprintf("kernel fault: %s (vector %u, error 0x%x) at eip 0x%08x, k_reenter %d\n",
	    ex_entry(vector)->name, vector, error, eip, k_reenter);
	panic("exception", "fault in the kernel, vector", (int)vector);
}

void
failsafe_panic(void)
{
	panic("exception", "Xen failsafe callback: bad segment in frame of process",
	    proc_ptr != 0 ? proc_ptr->p_nr : NONE);
}
