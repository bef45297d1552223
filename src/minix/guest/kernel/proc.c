/*
 * proc.c - message passing and scheduling (MINIX 3.1.1 kernel/proc.c, our own code): the
 * IPC trap's sys_call with its checks in MINIX's order, rendezvous send/receive, notify with
 * per-source pending bits, the deadlock check, and the 16 scheduling queues. Runs in ring 1
 * with events masked; ring-2 callers use the lock_ wrappers.
 */
#include "kernel.h"

/* Linear address of a message buffer, or 0 when it does not lie in the process's D segment. */
static message *
msg_addr(struct proc *rp, vir_bytes vir)
{
	return (message *)umap_local(rp, D, vir, MESS_SIZE);
}

/* Copies a message between processes; the kernel always writes m_source. */
static void
copy_mess(int src_nr, struct proc *src, vir_bytes src_vir, struct proc *dst, vir_bytes dst_vir)
{
	message *from = msg_addr(src, src_vir);
	message *to = msg_addr(dst, dst_vir);

	if (from == 0 || to == 0)
		panic("proc", "message buffer vanished for process", from == 0 ? src->p_nr : dst->p_nr);
	memcpy(to, from, sizeof(message));
	to->m_source = src_nr;
}

/* Builds the notification message a receiver gets from `src`. */
static void
build_notify(struct proc *dst, int src, vir_bytes dst_vir)
{
	message *m = msg_addr(dst, dst_vir);

	memset(m, 0, sizeof *m);
	m->m_source = src;
	m->m_type = NOTIFY_FROM(src);
	m->NOTIFY_TIMESTAMP = realtime;
	if (src == HARDWARE) {
		m->NOTIFY_ARG = (long)priv(dst)->s_int_pending;
		priv(dst)->s_int_pending = 0;
	} else if (src == SYSTEM) {
		m->NOTIFY_ARG = (long)priv(dst)->s_sig_pending;
		priv(dst)->s_sig_pending = 0;
	}
}

/*
 * Would blocking `caller` in `function` towards `peer` close a cycle of waiting processes?
 * Two processes waiting on each other are fine when one sends and the other receives.
 */
static int
deadlock(int function, struct proc *caller, int peer)
{
	int group = 1;

	while (peer != ANY) {
		struct proc *xp = proc_addr(peer);
		int waits_sending = (xp->p_rts_flags & SENDING) != 0;

		group++;
		if (waits_sending)
			peer = xp->p_sendto;
		else if (xp->p_rts_flags & RECEIVING)
			peer = xp->p_getfrom;
		else
			return 0;
		if (peer == caller->p_nr) {
			int caller_sends = function == SEND || function == SENDREC;

			if (group == 2 && caller_sends != waits_sending)
				return 0;
			return 1;
		}
	}
	return 0;
}

static int
mini_send(struct proc *caller, int dst, vir_bytes m_ptr, int flags)
{
	struct proc *dp = proc_addr(dst);
	struct proc **xpp;

	if ((dp->p_rts_flags & (RECEIVING | SENDING)) == RECEIVING &&
	    (dp->p_getfrom == ANY || dp->p_getfrom == caller->p_nr)) {
		copy_mess(caller->p_nr, caller, m_ptr, dp, dp->p_messbuf);
		dp->p_misc_flags &= ~REPLY_PENDING;
		if ((dp->p_rts_flags &= ~RECEIVING) == 0)
			enqueue(dp);
		return OK;
	}
	if (flags & NON_BLOCKING)
		return ENOTREADY;
	caller->p_messbuf = m_ptr;
	if (caller->p_rts_flags == 0)
		dequeue(caller);
	caller->p_rts_flags |= SENDING;
	caller->p_sendto = dst;
	caller->p_q_link = 0;
	for (xpp = &dp->p_caller_q; *xpp != 0; xpp = &(*xpp)->p_q_link)
		;
	*xpp = caller;
	return OK;
}

static int
mini_receive(struct proc *caller, int src, vir_bytes m_ptr, int flags)
{
	struct proc **xpp;

	if (!(caller->p_rts_flags & SENDING)) {
		/* Notifications first, unless a SENDREC still waits for its reply. */
		u32_t pending = priv(caller)->s_notify_pending;

		if (pending != 0 && !(caller->p_misc_flags & REPLY_PENDING)) {
			int id;

			for (id = 0; id < NR_PRIV_SLOTS; id++) {
				int who = ppriv[id].s_proc_nr;

				if (!(pending & (1U << id)) || (src != ANY && src != who))
					continue;
				priv(caller)->s_notify_pending &= ~(1U << id);
				build_notify(caller, who, m_ptr);
				return OK;
			}
		}
		for (xpp = &caller->p_caller_q; *xpp != 0; xpp = &(*xpp)->p_q_link) {
			struct proc *sp = *xpp;

			if (src != ANY && src != sp->p_nr)
				continue;
			copy_mess(sp->p_nr, sp, sp->p_messbuf, caller, m_ptr);
			caller->p_misc_flags &= ~REPLY_PENDING;
			*xpp = sp->p_q_link;
			if ((sp->p_rts_flags &= ~SENDING) == 0)
				enqueue(sp);
			return OK;
		}
	}
	if (flags & NON_BLOCKING)
		return ENOTREADY;
	caller->p_getfrom = src;
	caller->p_messbuf = m_ptr;
	if (caller->p_rts_flags == 0)
		dequeue(caller);
	caller->p_rts_flags |= RECEIVING;
	return OK;
}

static int
mini_notify(struct proc *caller, int dst)
{
	struct proc *dp = proc_addr(dst);

	if ((dp->p_rts_flags & (RECEIVING | SENDING)) == RECEIVING &&
	    !(dp->p_misc_flags & REPLY_PENDING) &&
	    (dp->p_getfrom == ANY || dp->p_getfrom == caller->p_nr)) {
		build_notify(dp, caller->p_nr, dp->p_messbuf);
		if ((dp->p_rts_flags &= ~RECEIVING) == 0)
			enqueue(dp);
		return OK;
	}
	priv(dp)->s_notify_pending |= 1U << priv(caller)->s_id;
	return OK;
}

/*
 * The IPC trap (int $33): eax = source/destination, ebx = message (virtual, caller's D),
 * ecx = primitive | flags. Checks in MINIX's order, then the primitive.
 */
int
sys_call(int call_nr, int src_dst, vir_bytes m_ptr)
{
	struct proc *caller = proc_ptr;
	int function = call_nr & SYSCALL_FUNC;
	int flags = call_nr & SYSCALL_FLAGS;
	int result;

	if (function != ECHO && src_dst != ANY) {
		if (!isokprocn(src_dst))
			return EBADSRCDST;
		if (isemptyn(src_dst))
			return EDEADSRCDST;
	}
	if (!(priv(caller)->s_trap_mask & (1 << function)) ||
	    (iskerneln(src_dst) && function != SENDREC && function != RECEIVE))
		return ETRAPDENIED;
	if (function != NOTIFY && msg_addr(caller, m_ptr) == 0)
		return EFAULT;
	if ((function == SEND || function == SENDREC || function == NOTIFY) &&
	    !(priv(caller)->s_ipc_to & (1U << priv(proc_addr(src_dst))->s_id)))
		return ECALLDENIED;
	if ((function == SEND || function == SENDREC || function == RECEIVE) &&
	    !(flags & NON_BLOCKING) && deadlock(function, caller, src_dst))
		return ELOCKED;

	switch (function) {
	case SENDREC:
		caller->p_misc_flags |= REPLY_PENDING;
		/* fall through */
	case SEND:
		result = mini_send(caller, src_dst, m_ptr, flags);
		if (function == SEND || result != OK)
			break;
		/* fall through */
	case RECEIVE:
		if (function == RECEIVE)
			caller->p_misc_flags &= ~REPLY_PENDING;
		result = mini_receive(caller, src_dst, m_ptr, flags);
		break;
	case NOTIFY:
		result = mini_notify(caller, src_dst);
		break;
	case ECHO:
		copy_mess(caller->p_nr, caller, m_ptr, caller, m_ptr);
		result = OK;
		break;
	default:
		result = EBADCALL;
		break;
	}
	return result;
}

/* C side of s_call: the caller's registers are in its saved frame. */
void
do_ipc_trap(void)
{
	struct proc *caller = proc_ptr;

	caller->p_reg.retreg = (reg_t)sys_call((int)caller->p_reg.cx, (int)caller->p_reg.retreg, caller->p_reg.bx);
}

/* Notification from the kernel itself (interrupt handlers) or from ring-2 code. */
int
lock_notify(int src, int dst)
{
	int r;

	intr_disable();
	r = mini_notify(proc_addr(src), dst);
	intr_enable();
	return r;
}

/* A non-blocking send on behalf of a kernel task, bypassing the trap. */
int
lock_send(int dst, message *m)
{
	int r;

	intr_disable();
	r = mini_send(proc_ptr, dst, (vir_bytes)m, NON_BLOCKING);
	intr_enable();
	return r;
}

/*
 * Scheduling. A process with ticks left goes to the front of its queue; one whose quantum ran
 * out gets a new one and, unless it is a kernel task, drops a level (never below MIN_USER_Q).
 */
static void
pick_proc(void)
{
	int q;

	for (q = 0; q < NR_SCHED_QUEUES; q++) {
		struct proc *rp = rdy_head[q];

		if (rp != 0) {
			next_ptr = rp;
			if (priv(rp)->s_flags & BILLABLE)
				bill_ptr = rp;
			return;
		}
	}
}

static void
sched(struct proc *rp, int *queue, int *front)
{
	int time_left = rp->p_ticks_left > 0;

	if (!time_left) {
		rp->p_ticks_left = rp->p_quantum_size;
		if (!iskerneln(rp->p_nr) && prev_ptr == rp && rp->p_priority < MIN_USER_Q)
			rp->p_priority++;
		prev_ptr = rp;
	}
	*queue = rp->p_priority;
	*front = time_left;
}

void
enqueue(struct proc *rp)
{
	int q, front;

	sched(rp, &q, &front);
	if (rdy_head[q] == 0) {
		rdy_head[q] = rdy_tail[q] = rp;
		rp->p_nextready = 0;
	} else if (front) {
		rp->p_nextready = rdy_head[q];
		rdy_head[q] = rp;
	} else {
		rdy_tail[q]->p_nextready = rp;
		rdy_tail[q] = rp;
		rp->p_nextready = 0;
	}
	pick_proc();
}

void
dequeue(struct proc *rp)
{
	int q = rp->p_priority;
	struct proc **xpp, *prev = 0;

	for (xpp = &rdy_head[q]; *xpp != 0; prev = *xpp, xpp = &(*xpp)->p_nextready) {
		if (*xpp == rp) {
			*xpp = rp->p_nextready;
			if (rp == rdy_tail[q])
				rdy_tail[q] = prev;
			if (rp == proc_ptr || rp == next_ptr)
				pick_proc();
			return;
		}
	}
}

/* Adds blocking `flags` to a process; one that was runnable leaves its ready queue. Call with
 * interrupts off. */
void
block_proc(struct proc *rp, int flags)
{
	if (rp->p_rts_flags == 0)
		dequeue(rp);
	rp->p_rts_flags |= flags;
}

/* Clears blocking `flags`; a process they were the last to hold goes back on its ready queue
 * (one already runnable is left where it is). Call with interrupts off. */
void
unblock_proc(struct proc *rp, int flags)
{
	if (rp->p_rts_flags != 0 && (rp->p_rts_flags &= ~flags) == 0)
		enqueue(rp);
}

void
lock_enqueue(struct proc *rp)
{
	intr_disable();
	enqueue(rp);
	intr_enable();
}

void
lock_dequeue(struct proc *rp)
{
	intr_disable();
	dequeue(rp);
	intr_enable();
}

/*
 * Before returning to proc_ptr: tell Xen where its frame ends, so its next trap or event
 * from ring 2/3 is saved into its process-table slot (Xen's stack_switch, report 6.2.3).
 */
void
restart_prepare(void)
{
	static struct proc *switched_for;

	if (proc_ptr != switched_for) {
		if (hypervisor_stack_switch(KERNEL_DS_SELECTOR, (unsigned)proc_ptr + P_STACKTOP) != 0)
			panic("proc", "stack_switch failed for process", proc_ptr->p_nr);
		switched_for = proc_ptr;
	}
}
