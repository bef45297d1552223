/*
 * lib.c - runtime of the Xen test guests: maps shared_info, installs the virtual IDT and
 * callbacks, writes to Xen's console (console_io) and to the control-interface console ring,
 * reads console input from the ring, and demultiplexes event upcalls as Xen 2.0 expects
 * (clear upcall_pending, swap the selector, scan pending & ~mask).
 */
#include "xen/xen.h"
#include "xen/io/domain_controller.h"
#include "xen/hypercall.h"
#include "guest.h"

start_info_t *start_info;
volatile shared_info_t *shared;
volatile xen_u32 failsafe_count;
static volatile control_if_t *ctrl;
static xen_u32 tx_cons_resp;
static xen_u32 rx_cons;

/* The page shared_info is mapped at: a page of our own image, remapped. */
static char shared_page[4096] __attribute__((aligned(4096)));

unsigned
strlen_(const char *s)
{
	unsigned n = 0;
	while (s[n])
		n++;
	return n;
}

void *
memset_(void *p, int c, unsigned n)
{
	unsigned char *b = p;
	while (n--)
		*b++ = (unsigned char)c;
	return p;
}

void
con_write(const char *s, unsigned n)
{
	HYPERVISOR_console_io(CONSOLEIO_write, n, (char *)s);
}

void
con_puts(const char *s)
{
	con_write(s, strlen_(s));
}

void
con_putx(xen_u32 v)
{
	char b[11];
	int i;
	b[0] = '0';
	b[1] = 'x';
	for (i = 0; i < 8; i++)
		b[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
	b[10] = 0;
	con_puts(b);
}

void
con_putd(xen_u32 v)
{
	char b[12];
	int i = 11;
	b[i] = 0;
	do {
		b[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	con_puts(b + i);
}

/* Control ring console: one CMSG_CONSOLE request per chunk of up to 60 bytes. */
void
ring_write(const char *s, unsigned n)
{
	while (n > 0) {
		unsigned len = n > CONTROL_MSG_PAYLOAD ? CONTROL_MSG_PAYLOAD : n;
		xen_u32 prod = ctrl->tx_req_prod;
		volatile control_msg_t *m;
		unsigned i;
		while (prod - ctrl->tx_resp_prod >= CONTROL_RING_SIZE)
			HYPERVISOR_yield();
		m = &ctrl->tx_ring[prod % CONTROL_RING_SIZE];
		m->type = CMSG_CONSOLE;
		m->subtype = CMSG_CONSOLE_DATA;
		m->id = 0xff;
		m->length = len;
		for (i = 0; i < len; i++)
			m->msg[i] = s[i];
		__asm__ volatile("" ::: "memory");
		ctrl->tx_req_prod = prod + 1;
		{
			evtchn_op_t op;
			op.cmd = EVTCHNOP_send;
			op.u.send.local_port = start_info->domain_controller_evtchn;
			HYPERVISOR_event_channel_op(&op);
		}
		s += len;
		n -= len;
	}
	tx_cons_resp = ctrl->tx_resp_prod;
}

void
ring_puts(const char *s)
{
	ring_write(s, strlen_(s));
}

/* Console input from the controller; each request is answered with length 0. */
unsigned
ring_read(char *buf, unsigned max)
{
	unsigned got = 0;
	int answered = 0;
	while (rx_cons != ctrl->rx_req_prod) {
		volatile control_msg_t *m = &ctrl->rx_ring[rx_cons % CONTROL_RING_SIZE];
		if (m->type == CMSG_CONSOLE && m->length > max - got)
			break;  /* no room for the whole message: leave it for the next call */
		if (m->type == CMSG_CONSOLE) {
			unsigned i;
			for (i = 0; i < m->length; i++)
				buf[got++] = m->msg[i];
		}
		m->length = 0;
		rx_cons++;
		ctrl->rx_resp_prod = rx_cons;
		answered = 1;
	}
	if (answered) {
		evtchn_op_t op;
		op.cmd = EVTCHNOP_send;
		op.u.send.local_port = start_info->domain_controller_evtchn;
		HYPERVISOR_event_channel_op(&op);
	}
	return got;
}

int
bind_virq(unsigned virq)
{
	evtchn_op_t op;
	memset_(&op, 0, sizeof op);
	op.cmd = EVTCHNOP_bind_virq;
	op.u.bind_virq.virq = virq;
	if (HYPERVISOR_event_channel_op(&op) != 0)
		return -1;
	return (int)op.u.bind_virq.port;
}

void
unmask_port(unsigned port)
{
	shared->evtchn_mask[port >> 5] &= ~(1u << (port & 31));
}

xen_u64
system_time_ns(void)
{
	xen_u32 v;
	xen_u64 t;
	do {
		v = shared->time_version2;
		__asm__ volatile("" ::: "memory");
		t = shared->system_time;
		__asm__ volatile("" ::: "memory");
	} while (v != shared->time_version1);
	return t;
}

static const trap_info_t base_traps[] = {
	{ 0, 0, FLAT_RING1_CS, (xen_u32)trap_divide },
	{ 1, 0, FLAT_RING1_CS, (xen_u32)trap_debug },
	{ 3, 3, FLAT_RING1_CS, (xen_u32)trap_int3 },
	{ 4, 3, FLAT_RING1_CS, (xen_u32)trap_overflow },
	{ 5, 0, FLAT_RING1_CS, (xen_u32)trap_bounds },
	{ 6, 0, FLAT_RING1_CS, (xen_u32)trap_invalid_op },
	{ 7, 0, FLAT_RING1_CS, (xen_u32)trap_no_device },
	{ 10, 0, FLAT_RING1_CS, (xen_u32)trap_invalid_tss },
	{ 11, 0, FLAT_RING1_CS, (xen_u32)trap_no_segment },
	{ 12, 0, FLAT_RING1_CS, (xen_u32)trap_stack },
	{ 13, 0, FLAT_RING1_CS, (xen_u32)trap_gp },
	{ 14, TI_DISABLE_EVENTS, FLAT_RING1_CS, (xen_u32)trap_page_fault },
	{ 16, 0, FLAT_RING1_CS, (xen_u32)trap_coproc },
	{ 17, 0, FLAT_RING1_CS, (xen_u32)trap_align },
	{ 0x80, 3, FLAT_RING1_CS, (xen_u32)trap_syscall },
	{ 0x40, 1, FLAT_RING1_CS, (xen_u32)trap_soft },
	{ 0, 0, 0, 0 },
};

void
install_traps(const trap_info_t *extra)
{
	HYPERVISOR_set_trap_table(base_traps);
	if (extra)
		HYPERVISOR_set_trap_table(extra);
}

void
guest_init(start_info_t *si)
{
	start_info = si;
	/* Map shared_info over our own page (update_va_mapping takes VA >> 12 in 2.0). */
	HYPERVISOR_update_va_mapping((xen_u32)shared_page, si->shared_info | 7, UVMF_INVLPG);
	shared = (volatile shared_info_t *)shared_page;
	ctrl = (volatile control_if_t *)(shared_page + CONTROL_IF_OFFSET);
	tx_cons_resp = ctrl->tx_resp_prod;
	rx_cons = ctrl->rx_resp_prod;
	HYPERVISOR_set_callbacks(FLAT_RING1_CS, (xen_u32)hypervisor_callback,
	    FLAT_RING1_CS, (xen_u32)failsafe_callback);
	install_traps(0);
	HYPERVISOR_stack_switch(FLAT_RING1_DS, (xen_u32)boot_stack_top);
}

struct vm86_exit vm86_exit;
extern char vm86_stack_top[];
void vm86_enter(const vm86_activation_t *act);
void vm86_return(void);
extern xen_u32 vm86_saved_eflags;

void
vm86_call(const vm86_activation_t *act)
{
	xen_u8 mask = shared->vcpu_data[0].evtchn_upcall_mask;
	/* A bounce from vm86 mode lands on SS1:ESP1, which must not be the stack we run on. */
	HYPERVISOR_stack_switch(FLAT_RING1_DS, (xen_u32)vm86_stack_top);
	vm86_enter(act);
	HYPERVISOR_stack_switch(FLAT_RING1_DS, (xen_u32)boot_stack_top);
	shared->vcpu_data[0].evtchn_upcall_mask = mask;
}

/* A bounce from vm86 mode: note it and resume at vm86_return in ring 1 instead. */
static void
vm86_exited(struct trapframe *f)
{
	const vm86_bounce_frame_t *b = (const vm86_bounce_frame_t *)&f->eip;
	vm86_exit.vector = f->vector;
	vm86_exit.error = f->error;
	vm86_exit.cr2 = f->cr2;
	vm86_exit.frame = *b;
	f->eip = (xen_u32)vm86_return;
	f->cs = FLAT_RING1_CS;
	f->eflags = vm86_saved_eflags;  /* not the activation's TF, DF, ... */
}

/* The event upcall and every exception arrive here. */
void
trap_c(struct trapframe *f)
{
	if (f->vector != 0xffffffff) {
		if (f->eflags & X86_EFLAGS_VM)
			vm86_exited(f);
		else
			on_trap(f);
		return;
	}
	do {
		xen_u32 sel;
		shared->vcpu_data[0].evtchn_upcall_pending = 0;
		__asm__ volatile("xchgl %0, %1" : "=r"(sel), "+m"(shared->evtchn_pending_sel) : "0"(0) : "memory");
		while (sel) {
			unsigned w = __builtin_ctz(sel);
			xen_u32 bits;
			sel &= sel - 1;
			bits = shared->evtchn_pending[w] & ~shared->evtchn_mask[w];
			while (bits) {
				unsigned b = __builtin_ctz(bits);
				bits &= bits - 1;
				__asm__ volatile("lock btrl %1, %0" : "+m"(shared->evtchn_pending[w]) : "r"(b) : "memory");
				on_event(w * 32 + b);
			}
		}
	} while (shared->vcpu_data[0].evtchn_upcall_pending);
	shared->vcpu_data[0].evtchn_upcall_mask = 0;
	if (f->eflags & X86_EFLAGS_VM)
		vm86_exited(f);
}
