/*
 * evtchn.c - exceptions and events on Xen (report 6.2.3). The virtual IDT goes to Xen in one
 * set_trap_table call; every entry masks events on delivery, as an interrupt gate clears IF.
 * Event channels and virqs are bound to internal irqs; do_hypervisor_callback runs the
 * handler registered for each pending port, following Xen 2.0's upcall protocol.
 */
#include "kernel.h"

#define NR_IRQS     32
#define NO_IRQ      -1
#define TI(vec, dpl, handler) { (vec), (dpl) | TI_DISABLE_EVENTS, KERNEL_CS_SELECTOR, (xen_u32)(handler) }

/* Vector, DPL (the outermost ring allowed to raise it with int n), handler. */
static trap_info_t trap_table[] = {
	TI(TRAP_divide_error,      0, divide_error),
	TI(TRAP_debug,             0, single_step_exception),
	TI(TRAP_int3,              3, breakpoint_exception),
	TI(TRAP_overflow,          3, overflow),
	TI(TRAP_bounds,            0, bounds_check),
	TI(TRAP_invalid_op,        0, inval_opcode),
	TI(TRAP_no_device,         0, copr_not_available),
	TI(TRAP_copro_seg,         0, copr_seg_overrun),
	TI(TRAP_invalid_tss,       0, inval_tss),
	TI(TRAP_no_segment,        0, segment_not_present),
	TI(TRAP_stack_error,       0, stack_exception),
	TI(TRAP_gp_fault,          0, general_protection),
	TI(TRAP_page_fault,        0, page_fault),
	TI(TRAP_copro_error,       0, copr_error),
	TI(TRAP_alignment_check,   0, alignment_check),
	TI(TRAP_simd_error,        0, simd_exception),
	TI(SYS386_VECTOR,          USER_PRIVILEGE, s_call),
	TI(XEN_PROXY_VECTOR,       TASK_PRIVILEGE, xen_proxy_trap),
	{ 0, 0, 0, 0 }              /* address 0 ends the list */
};

static irq_handler_t irq_handlers[NR_IRQS];
static int irq_to_port[NR_IRQS];
static short port_to_irq[NR_EVENT_CHANNELS];
static int virq_to_irq[NR_VIRQS];
static int irqs_used;
static unsigned spurious_events;

void
init_events(void)
{
	int i;

	for (i = 0; i < NR_EVENT_CHANNELS; i++)
		port_to_irq[i] = NO_IRQ;
	for (i = 0; i < NR_VIRQS; i++)
		virq_to_irq[i] = NO_IRQ;
	/* Every port masked until a handler asks for it. */
	for (i = 0; i < 32; i++)
		shared->evtchn_mask[i] = ~0U;
	if (hypervisor_set_trap_table(trap_table) != 0)
		panic("evtchn", "set_trap_table failed, entries", (int)(sizeof trap_table / sizeof trap_table[0]));
	if (hypervisor_set_callbacks(KERNEL_CS_SELECTOR, hypervisor_callback, failsafe_callback) != 0)
		panic("evtchn", "set_callbacks failed with selector", KERNEL_CS_SELECTOR);
}

static int
bind_port(int port)
{
	int irq;

	if (port < 0 || port >= NR_EVENT_CHANNELS)
		panic("evtchn", "port out of range", port);
	if (port_to_irq[port] != NO_IRQ)
		return port_to_irq[port];
	intr_disable();
	irq = irqs_used < NR_IRQS ? irqs_used++ : NO_IRQ;
	if (irq != NO_IRQ) {
		irq_to_port[irq] = port;
		port_to_irq[port] = (short)irq;
	}
	intr_enable();
	if (irq == NO_IRQ)
		panic("evtchn", "no free irq for port", port);
	return irq;
}

/* Binds a virtual irq to a fresh event channel and that channel to an internal irq. */
int
bind_virq_to_irq(int virq)
{
	evtchn_op_t op;
	long r;

	if (virq < 0 || virq >= NR_VIRQS)
		panic("evtchn", "virq out of range", virq);
	if (virq_to_irq[virq] != NO_IRQ)
		return virq_to_irq[virq];
	memset(&op, 0, sizeof op);
	op.cmd = EVTCHNOP_bind_virq;
	op.u.bind_virq.virq = (xen_u32)virq;
	r = hypervisor_event_channel_op(&op);
	if (r != 0)
		panic("evtchn", "bind_virq failed for virq", virq);
	virq_to_irq[virq] = bind_port((int)op.u.bind_virq.port);
	return virq_to_irq[virq];
}

int
bind_evtchn_to_irq(int port)
{
	return bind_port(port);
}

void
put_irq_handler(int irq, irq_handler_t handler)
{
	if (irq < 0 || irq >= irqs_used)
		panic("evtchn", "put_irq_handler: unbound irq", irq);
	if (irq_handlers[irq] != 0 && irq_handlers[irq] != handler)
		kprintf("evtchn: irq %d (port %d) handler replaced\n", irq, irq_to_port[irq]);
	irq_handlers[irq] = handler;
}

/* Unmasks the irq's port; an event that arrived while masked is made visible again. */
void
enable_irq(int irq)
{
	int port = irq_to_port[irq];
	xen_u32 bit = 1U << (port & 31);

	__atomic_and_fetch(&shared->evtchn_mask[port >> 5], ~bit, __ATOMIC_SEQ_CST);
	if (shared->evtchn_pending[port >> 5] & bit) {
		__atomic_or_fetch(&shared->evtchn_pending_sel, 1U << (port >> 5), __ATOMIC_SEQ_CST);
		shared->vcpu_data[0].evtchn_upcall_pending = 1;
	}
	intr_disable();
	intr_enable();              /* from ring 2, forces the upcall if one is due */
}

void
disable_irq(int irq)
{
	int port = irq_to_port[irq];

	__atomic_or_fetch(&shared->evtchn_mask[port >> 5], 1U << (port & 31), __ATOMIC_SEQ_CST);
}

/* Whether Xen has raised the irq's port and nobody has taken the event yet. */
int
irq_pending(int irq)
{
	int port = irq_to_port[irq];

	return (shared->evtchn_pending[port >> 5] >> (port & 31)) & 1;
}

/* Sends an event on an interdomain port (the domain controller's, for one). */
int
notify_remote_port(int port)
{
	evtchn_op_t op;

	memset(&op, 0, sizeof op);
	op.cmd = EVTCHNOP_send;
	op.u.send.local_port = (xen_u32)port;
	return (int)hypervisor_event_channel_op(&op);
}

/*
 * The upcall body, entered with upcall_mask set: clear upcall_pending, take the selector word
 * atomically, and run the handler of every pending unmasked port, clearing its bit first.
 */
void
do_hypervisor_callback(void)
{
	xen_u32 sel;

	shared->vcpu_data[0].evtchn_upcall_pending = 0;
	sel = __atomic_exchange_n(&shared->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	while (sel != 0) {
		int word = __builtin_ctz(sel);
		xen_u32 ready;

		sel &= sel - 1;
		while ((ready = shared->evtchn_pending[word] & ~shared->evtchn_mask[word]) != 0) {
			int bit = __builtin_ctz(ready);
			int port = word * 32 + bit;
			int irq = port_to_irq[port];

			__atomic_and_fetch(&shared->evtchn_pending[word], ~(1U << bit), __ATOMIC_SEQ_CST);
			if (irq != NO_IRQ && irq_handlers[irq] != 0)
				irq_handlers[irq](irq);
			else
				spurious_events++;
		}
	}
}
