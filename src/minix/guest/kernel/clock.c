/*
 * clock.c - the CLOCK task on Xen (report 6.2.4): the tick comes from VIRQ_TIMER instead of
 * the 8253. The handler derives the tick count from Xen's system time, so ticks never drift
 * from it, charges the running process, asks Xen for the next tick with set_timer_op, and
 * wakes the task when a quantum ran out. The task re-queues the process that used it up.
 */
#include "kernel.h"

#define NS_PER_SEC  1000000000ULL
#define IDLE_TICKS  system_hz            /* housekeeping tick of an idle domain: a second */

static u64_t boot_ns;                /* Xen system time at the clock's start */
static struct proc *expired;         /* process whose quantum the handler saw run out */
static int timer_irq;
static clock_t next_timeout;         /* earliest alarm, 0 = none */
static unsigned timer_events;        /* clock_handler calls, for the start-up check */

/* Xen's system time in ns, read between the two version stamps (xen2-abi 4.1). */
u64_t
xen_system_time(void)
{
	u32_t v2;
	u64_t t;

	do {
		v2 = shared->time_version2;
		__asm__ __volatile__("" ::: "memory");
		t = shared->system_time;
		__asm__ __volatile__("" ::: "memory");
	} while (v2 != shared->time_version1);
	return t;
}

/* Xen time at which tick `tick` begins, rounded up so that time maps back to the same tick. */
static u64_t
tick_to_ns(clock_t tick)
{
	return boot_ns + ((u64_t)tick * NS_PER_SEC + system_hz - 1) / system_hz;
}

/*
 * Asks Xen for the next timer event: the next tick while a process other than IDLE runs or is
 * chosen; when IDLE is about to block the vcpu, the next alarm or one second on, whichever comes
 * first (an idle domain wakes once a second instead of system_hz times). Ticks resume from Xen's 10 ms
 * ticker as soon as a process runs.
 */
static void
arm_timer(void)
{
	struct proc *runs = next_ptr != 0 ? next_ptr : proc_ptr;
	clock_t next = realtime + 1;

	if (runs->p_nr == IDLE) {
		next = realtime + IDLE_TICKS;
		if (next_timeout != 0 && next_timeout < next)
			next = next_timeout;
	}
	hypervisor_set_timer_op(tick_to_ns(next));
}

/* VIRQ_TIMER handler, ring 1, events masked. */
static int
clock_handler(int irq)
{
	u64_t now = xen_system_time();
	clock_t ticks = (clock_t)((now - boot_ns) * system_hz / NS_PER_SEC);
	clock_t elapsed = ticks - realtime;
	struct proc *rp = proc_ptr;

	(void)irq;
	timer_events++;
	/* Re-arm even without a new tick: the 10 ms ticker and schedule-in events raise this virq too. */
	if (elapsed <= 0) {
		arm_timer();
		return 1;
	}
	realtime = ticks;
	if (elapsed == 1)
		clock_ticks_counted++;
	rp->p_user_time += elapsed;
	if (!(priv(rp)->s_flags & BILLABLE))
		bill_ptr->p_sys_time += elapsed;
	if (priv(rp)->s_flags & PREEMPTIBLE)
		rp->p_ticks_left = (char)(rp->p_ticks_left > elapsed ? rp->p_ticks_left - elapsed : 0);
	if ((priv(rp)->s_flags & PREEMPTIBLE) && rp->p_ticks_left <= 0 && rp->p_nr != IDLE) {
		expired = rp;
		lock_notify(HARDWARE, CLOCK);
	} else if (next_timeout != 0 && next_timeout <= realtime) {
		lock_notify(HARDWARE, CLOCK);
	}
	arm_timer();
	return 1;
}

/*
 * Start-up check of the event path under the real hypervisor: the timer's port is still masked
 * (bind leaves it so), so a timer asked for "now" makes Xen set the port's pending bit without
 * an upcall; unmasking it must deliver that one event to clock_handler, once. Leaves the port
 * unmasked. CLOCK runs in ring 2 with events enabled, so nothing but the mask holds it back.
 */
#define MASKED_WAIT_SPINS   4000000
static void
check_masked_event(void)
{
	unsigned spins = 0, before, after;
	int raised;

	hypervisor_set_timer_op(boot_ns);
	while (!irq_pending(timer_irq) && spins < MASKED_WAIT_SPINS)
		spins++;
	raised = irq_pending(timer_irq);
	before = timer_events;
	enable_irq(timer_irq);
	after = timer_events;
	kprintf("clock: VIRQ_TIMER raised while masked: %s, %u handler calls while masked, %u once unmasked: %s\n",
	    raised ? "pending" : "never raised", before, after - before,
	    raised && before == 0 && after - before == 1 ? "ok" : "FAILED");
}

static void
init_clock(void)
{
	boot_ns = xen_system_time();
	realtime = 0;
	timer_irq = bind_virq_to_irq(VIRQ_TIMER);
	put_irq_handler(timer_irq, clock_handler);
	check_masked_event();
	hypervisor_set_timer_op(tick_to_ns(1));
}

/* Ticks since boot, from Xen's time: realtime stands still while the idle domain sleeps. */
clock_t
get_uptime(void)
{
	clock_t now = (clock_t)((xen_system_time() - boot_ns) * system_hz / NS_PER_SEC);

	return now > realtime ? now : realtime;
}

/* Recomputes the earliest alarm of all system processes (ring 1 or events masked). */
static void
update_next_timeout(void)
{
	int i;

	next_timeout = 0;
	for (i = 0; i < NR_PRIV_SLOTS; i++)
		if (ppriv[i].s_alarm != 0 && (next_timeout == 0 || ppriv[i].s_alarm < next_timeout))
			next_timeout = ppriv[i].s_alarm;
}

/*
 * Sets (exp > 0) or cancels (exp 0) a system process's alarm at uptime `exp`; returns the
 * ticks that were left of the previous one. SYN_ALARM comes from CLOCK when it is due.
 */
clock_t
set_alarm(struct proc *rp, clock_t exp)
{
	struct priv *sp = priv(rp);
	clock_t left = sp->s_alarm > realtime ? sp->s_alarm - realtime : 0;

	intr_disable();
	sp->s_alarm = exp;
	update_next_timeout();
	intr_enable();
	return left;
}

/* Notifies every process whose alarm is due. */
static void
expire_alarms(void)
{
	int i;

	intr_disable();
	for (i = 0; i < NR_PRIV_SLOTS; i++) {
		struct priv *sp = &ppriv[i];

		if (sp->s_alarm != 0 && sp->s_alarm <= realtime && sp->s_proc_nr != NONE && sp->s_proc_nr != ANY) {
			sp->s_alarm = 0;
			lock_notify(CLOCK, sp->s_proc_nr);
		}
	}
	update_next_timeout();
	intr_enable();
}

void
clock_task(void)
{
	message m;

	init_clock();
	for (;;) {
		if (receive(ANY, &m) != OK)
			panic("clock", "receive failed", m.m_type);
		if (m.m_type != HARD_INT) {
			kprintf("clock: unexpected message %d from %d\n", m.m_type, m.m_source);
			continue;
		}
		/* Round robin: the process that used its quantum goes to the back of its queue. */
		intr_disable();
		if (expired != 0 && expired->p_ticks_left <= 0 && expired->p_rts_flags == 0) {
			dequeue(expired);
			enqueue(expired);
		}
		expired = 0;
		intr_enable();
		expire_alarms();
	}
}
