/*
 * ctrlif.c - the control-interface task CTRLIF (report 6.2.4): owns the two control rings in
 * the shared_info page. Its interrupt handler (ring 1) only notifies it; the task (ring 2)
 * moves messages: queued sends go out on the tx ring, controller requests on the rx ring go
 * to the process registered for their type, who fetches them with CTRLIF_GET and answers
 * with CTRLIF_SEND_RESPONSE. Requests of unhandled types are answered with length 0.
 */
#include "kernel.h"

#define NR_CMSG_TYPES  8
#define FWD_SLOTS      16
#define BLOCKED_SLOTS  8

#define ctrl_if ((control_if_t *)(SHARED_INFO_VA + CONTROL_IF_OFFSET))

static int ctrl_port;                      /* domain controller event channel */
static int handler[NR_CMSG_TYPES];         /* process number per message type, or NONE */
static control_msg_t fwd[FWD_SLOTS];       /* requests waiting for their handler */
static unsigned fwd_head, fwd_tail;
static struct { int who; control_msg_t msg; } blocked[BLOCKED_SLOTS];
static unsigned blocked_head, blocked_tail;
static xen_u32 rx_req_cons;

static int
ctrl_if_interrupt(int irq)
{
	proc_addr(CTRLIF)->p_priv->s_int_pending |= 1U << irq;
	lock_notify(HARDWARE, CTRLIF);
	return 1;
}

static int
tx_has_room(void)
{
	return ctrl_if->tx_req_prod - ctrl_if->tx_resp_prod < CONTROL_RING_SIZE;
}

static void
tx_put(const control_msg_t *msg)
{
	ctrl_if->tx_ring[ctrl_if->tx_req_prod % CONTROL_RING_SIZE] = *msg;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ctrl_if->tx_req_prod++;
}

/* Answers a controller request in the next rx response slot. */
static void
rx_respond(const control_msg_t *msg)
{
	ctrl_if->rx_ring[ctrl_if->rx_resp_prod % CONTROL_RING_SIZE] = *msg;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ctrl_if->rx_resp_prod++;
}

static void
reply(int who, int type, message *m)
{
	m->m_type = type;
	if (send(who, m) != OK)
		kprintf("ctrlif: reply to %d failed\n", who);
}

/*
 * The controller asks the domain to power off or reboot (xm shutdown): answer, then tell Xen.
 * There is no PM yet to stop processes in order, so the kernel goes down at once.
 */
static void
do_shutdown(control_msg_t *msg)
{
	int reboot = msg->subtype == CMSG_SHUTDOWN_REBOOT;

	msg->length = 0;
	rx_respond(msg);
	notify_remote_port(ctrl_port);
	kprintf("MINIX: %s requested by the domain controller\n", reboot ? "reboot" : "power off");
	hypervisor_shutdown(reboot ? SHUTDOWN_reboot : SHUTDOWN_poweroff);
}

/* HARD_INT: flush blocked senders while the tx ring has room, hand out controller requests. */
static void
do_events(void)
{
	int kick = 0;
	message m;

	memset(&m, 0, sizeof m);

	while (blocked_head != blocked_tail && tx_has_room()) {
		unsigned slot = blocked_head++ % BLOCKED_SLOTS;

		tx_put(&blocked[slot].msg);
		kick = 1;
		reply(blocked[slot].who, OK, &m);
	}
	while (rx_req_cons != ctrl_if->rx_req_prod) {
		control_msg_t msg = ctrl_if->rx_ring[rx_req_cons % CONTROL_RING_SIZE];
		int who = msg.type < NR_CMSG_TYPES ? handler[msg.type] : NONE;

		rx_req_cons++;
		if (who == NONE && msg.type == CMSG_SHUTDOWN &&
		    (msg.subtype == CMSG_SHUTDOWN_POWEROFF || msg.subtype == CMSG_SHUTDOWN_REBOOT)) {
			do_shutdown(&msg);
			continue;
		}
		if (who != NONE && fwd_tail - fwd_head < FWD_SLOTS) {
			fwd[fwd_tail++ % FWD_SLOTS] = msg;
			notify(who);
		} else {
			msg.length = 0;         /* "unhandled" */
			rx_respond(&msg);
			kick = 1;
		}
	}
	if (kick)
		notify_remote_port(ctrl_port);
}

/* CTRLIF_GET: the oldest forwarded request whose type the caller handles. */
static int
do_get(message *m)
{
	unsigned i;

	for (i = fwd_head; i != fwd_tail; i++) {
		control_msg_t *msg = &fwd[i % FWD_SLOTS];

		if (msg->type < NR_CMSG_TYPES && handler[msg->type] == m->m_source) {
			memcpy(&m->m9_cmsg, msg, sizeof *msg);
			/* Close the gap so the queue stays in arrival order. */
			for (; i != fwd_head; i--)
				fwd[i % FWD_SLOTS] = fwd[(i - 1) % FWD_SLOTS];
			fwd_head++;
			return CTRLIF_MSG;
		}
	}
	return EAGAIN;
}

static void
init_ctrlif(void)
{
	int i, irq;

	for (i = 0; i < NR_CMSG_TYPES; i++)
		handler[i] = NONE;
	ctrl_port = msi->start_info.domain_controller_evtchn;
	/* On connect the consumer indices start at what the controller has produced. */
	rx_req_cons = ctrl_if->rx_resp_prod;
	irq = bind_evtchn_to_irq(ctrl_port);
	put_irq_handler(irq, ctrl_if_interrupt);
	enable_irq(irq);
}

void
ctrlif_task(void)
{
	message m;

	init_ctrlif();
	for (;;) {
		int who, type;

		if (receive(ANY, &m) != OK)
			panic("ctrlif", "receive failed", m.m_type);
		who = m.m_source;
		type = m.m9_type;
		switch (m.m_type) {
		case HARD_INT:
			do_events();
			break;
		case CTRLIF_REG_HND:
			if (type >= NR_CMSG_TYPES) {
				reply(who, EINVAL, &m);
				break;
			}
			handler[type] = who;
			reply(who, OK, &m);
			do_events();            /* requests that waited for a handler */
			break;
		case CTRLIF_UNREG_HND:
			if (type < NR_CMSG_TYPES && handler[type] == who)
				handler[type] = NONE;
			reply(who, OK, &m);
			break;
		case CTRLIF_SEND_NOBLOCK:
		case CTRLIF_SEND_BLOCK:
			if (tx_has_room()) {
				tx_put((control_msg_t *)&m.m9_cmsg);
				notify_remote_port(ctrl_port);
				reply(who, OK, &m);
			} else if (m.m_type == CTRLIF_SEND_NOBLOCK) {
				reply(who, EAGAIN, &m);
			} else if (blocked_tail - blocked_head < BLOCKED_SLOTS) {
				unsigned slot = blocked_tail++ % BLOCKED_SLOTS;

				blocked[slot].who = who;
				memcpy(&blocked[slot].msg, &m.m9_cmsg, sizeof(control_msg_t));
				/* no reply until the ring drains */
			} else {
				reply(who, EAGAIN, &m);
			}
			break;
		case CTRLIF_SEND_RESPONSE:
			rx_respond((control_msg_t *)&m.m9_cmsg);
			notify_remote_port(ctrl_port);
			reply(who, OK, &m);
			break;
		case CTRLIF_GET:
			reply(who, do_get(&m), &m);
			break;
		case CTRLIF_NOP:
			kprintf("ctrlif: port %d, tx %u/%u, rx %u/%u, %u forwarded, %u blocked\n", ctrl_port,
			    ctrl_if->tx_req_prod, ctrl_if->tx_resp_prod, ctrl_if->rx_req_prod,
			    ctrl_if->rx_resp_prod, fwd_tail - fwd_head, blocked_tail - blocked_head);
			reply(who, OK, &m);
			break;
		default:
			reply(who, EBADREQUEST, &m);
			break;
		}
	}
}
