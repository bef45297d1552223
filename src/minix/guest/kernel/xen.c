/*
 * xen.c - hypercalls (report 6.2.1). Ring 1 traps to Xen through xen_op; kernel tasks in
 * ring 2 may not, so they fill a multicall_entry_t and raise the proxy interrupt, and the
 * kernel makes the call for them. Pointers handed to Xen are VAs, which equal linear
 * addresses because the kernel and the tasks run on base-0 segments.
 */
#include "kernel.h"

long
hypercall(unsigned op, unsigned a1, unsigned a2, unsigned a3, unsigned a4, unsigned a5)
{
	multicall_entry_t e;

	if (current_ring() == INTR_PRIVILEGE)
		return xen_op(op, a1, a2, a3, a4, a5);
	e.op = op;
	e.args[0] = a1;
	e.args[1] = a2;
	e.args[2] = a3;
	e.args[3] = a4;
	e.args[4] = a5;
	e.args[5] = 0;
	e.args[6] = 0;
	return xen_proxy_int(&e);
}

/*
 * The proxy trap's handler: eax of the calling task points at its multicall entry (on its
 * own stack, so tasks preempted mid-call do not share one). The result goes to args[5], as
 * in a multicall, and to the task's eax.
 */
void
do_xen_proxy_op(void)
{
	struct proc *rp = proc_ptr;
	multicall_entry_t *e = (multicall_entry_t *)rp->p_reg.retreg;
	long r;

	if (!iskerneln(rp->p_nr) || (u32_t)e + sizeof *e > kinfo.mem_size) {
		kprintf("xen proxy: refused call from %s (proc %d) with entry %p\n", rp->p_name, rp->p_nr, (void *)e);
		rp->p_reg.retreg = (reg_t)-XEN_EPERM;
		return;
	}
	r = xen_op(e->op, e->args[0], e->args[1], e->args[2], e->args[3], e->args[4]);
	e->args[5] = (u32_t)r;
	rp->p_reg.retreg = (reg_t)r;
}

long
hypervisor_console_write(const char *buf, int len)
{
	return hypercall(__HYPERVISOR_console_io, CONSOLEIO_write, (unsigned)len, (unsigned)buf, 0, 0);
}

long
hypervisor_stack_switch(unsigned ss, unsigned esp)
{
	return hypercall(__HYPERVISOR_stack_switch, ss, esp, 0, 0, 0);
}

long
hypervisor_update_descriptor(u32_t ma, u32_t lo, u32_t hi)
{
	return hypercall(__HYPERVISOR_update_descriptor, ma, lo, hi, 0, 0);
}

long
hypervisor_set_trap_table(const trap_info_t *table)
{
	return hypercall(__HYPERVISOR_set_trap_table, (unsigned)table, 0, 0, 0, 0);
}

long
hypervisor_set_callbacks(unsigned cs, void (*event)(void), void (*failsafe)(void))
{
	return hypercall(__HYPERVISOR_set_callbacks, cs, (unsigned)event, cs, (unsigned)failsafe, 0);
}

long
hypervisor_event_channel_op(evtchn_op_t *op)
{
	return hypercall(__HYPERVISOR_event_channel_op, (unsigned)op, 0, 0, 0, 0);
}

long
hypervisor_set_timer_op(u64_t abs_ns)
{
	/* Xen 2.0 wants the high word in ebx. */
	return hypercall(__HYPERVISOR_set_timer_op, (unsigned)(abs_ns >> 32), (unsigned)abs_ns, 0, 0, 0);
}

long
hypervisor_block(void)
{
	return hypercall(__HYPERVISOR_sched_op, SCHEDOP_block, 0, 0, 0, 0);
}

long
hypervisor_yield(void)
{
	return hypercall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0);
}

long
hypervisor_shutdown(unsigned reason)
{
	return hypercall(__HYPERVISOR_sched_op, SCHEDOP_shutdown | (reason << SCHEDOP_reasonshift), 0, 0, 0, 0);
}

long
hypervisor_xen_version(void)
{
	return hypercall(__HYPERVISOR_xen_version, 0, 0, 0, 0, 0);
}

/*
 * MINIX's lock()/unlock() for code that touches scheduling state outside the kernel proper
 * (ring-2 tasks): the virtual IF is upcall_mask. Ring 1 always runs masked, so there they
 * change nothing. After unmasking, a pending event is forced in with a cheap hypercall.
 */
void
intr_disable(void)
{
	if (current_ring() != INTR_PRIVILEGE)
		shared->vcpu_data[0].evtchn_upcall_mask = 1;
}

void
intr_enable(void)
{
	if (current_ring() == INTR_PRIVILEGE)
		return;
	shared->vcpu_data[0].evtchn_upcall_mask = 0;
	__asm__ __volatile__("" ::: "memory");
	if (shared->vcpu_data[0].evtchn_upcall_pending)
		hypervisor_xen_version();
}
