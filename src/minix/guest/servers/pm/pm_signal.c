/*
 * pm_signal.c - PM's signal manager (MINIX 3.1.1 servers/pm/signal.c and trace.c, cut down to
 * what the stand-in needs): SIGACTION, SIGRETURN, KILL, PTRACE and, for a tracer, WAITPID on
 * its tracee; and the kernel's SYS_SIG notifications, whose signals it fetches with
 * sys_getksig. A signal is ignored, held while masked, handed to a catcher with sys_sigsend,
 * turned into a stop when the process is traced, or ends the process (the default action).
 * Process ids are process numbers here: there is no pid table in the stand-in.
 */
#include "pm.h"
#include <sys/ptrace.h>
#include "type.h"
#include "proc.h"

#define STOP_STATUS(sig) (((sig) << 8) | 0177)  /* as wait() reports a stopped child */

struct sigproc {
	sigset_t ignore, catch, mask, pending;
	struct sigaction act[_NSIG + 1];
	vir_bytes sigreturn;            /* the library's __sigreturn, from SIGACTION */
	int tracer;                     /* who traces it (T_OK), NONE when nobody */
	int stopped;                    /* the signal that stopped it while traced, 0 = running */
	int waiter;                     /* its tracer, suspended in WAITPID until it stops */
};

static struct sigproc sigprocs[NR_PROCS];

static const char *const sig_names[_NSIG + 1] = {
	"0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGEMT", "SIGFPE",
	"SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "16",
	"SIGCHLD", "SIGKMESS", "SIGKSIG", "SIGKSTOP",
};

static int
valid_proc(int nr)
{
	return nr >= 0 && nr < NR_PROCS;
}

static void
reset_sigproc(int nr)
{
	struct sigproc *sp = &sigprocs[nr];

	memset(sp, 0, sizeof *sp);
	sp->tracer = NONE;
	sp->waiter = NONE;
}

void
pm_signal_init(void)
{
	int i;

	for (i = 0; i < NR_PROCS; i++)
		reset_sigproc(i);
}

/* A copy of the process's slot (3.1.1's get_stack_ptr reads p_reg.sp the same way). */
static int
get_proc(int nr, struct proc *p)
{
	message m;

	m.I_REQUEST = GET_PROC;
	m.I_VAL_LEN2 = nr;              /* 3.1.1's sys_getproc puts the process here */
	m.I_VAL_PTR = (char *)p;
	m.I_VAL_LEN = sizeof *p;
	return taskcall(SYSTEM, SYS_GETINFO, &m);
}

/* A process is gone: forget its signal state, answer a tracer waiting for it, untrace its tracees. */
void
pm_signal_exit(int nr)
{
	message m;
	int i;

	if (!valid_proc(nr))
		return;
	if (sigprocs[nr].waiter != NONE) {
		memset(&m, 0, sizeof m);
		m.m2_i1 = 0;                    /* as wait() reports an exit with status 0 */
		pm_reply(sigprocs[nr].waiter, nr, &m);
	}
	reset_sigproc(nr);
	for (i = 0; i < NR_PROCS; i++) {
		if (sigprocs[i].tracer == nr) {
			sigprocs[i].tracer = NONE;
			sigprocs[i].waiter = NONE;
			if (sigprocs[i].stopped) {
				sigprocs[i].stopped = 0;
				sys_trace(T_RESUME, i, 0, NULL);
			}
		}
	}
}

/* A forked child inherits its parent's actions, mask and __sigreturn (POSIX); not tracing. */
void
pm_signal_fork(int parent, int child)
{
	if (!valid_proc(parent) || !valid_proc(child))
		return;
	sigprocs[child] = sigprocs[parent];
	sigemptyset(&sigprocs[child].pending);
	sigprocs[child].tracer = NONE;
	sigprocs[child].stopped = 0;
	sigprocs[child].waiter = NONE;
}

/* Ends a process the way PM's exit path does: signal state, PM's slot, then the kernel's. */
static void
end_process(int nr)
{
	pm_signal_exit(nr);
	mproc[nr].mp_in_use = 0;
	sys_exit(nr);
}

/* The default action of every signal but SIGCHLD: report and end the process. */
static void
terminate(int nr, int signo, const char *name)
{
	printf("pm: %s (proc %d) killed by signal %d (%s)\n", name, nr, signo, sig_names[signo]);
	end_process(nr);
}

/*
 * A catcher was set up while the process may be blocked in a call a signal interrupts. MINIX's
 * PM asks FS to revive it with EINTR; here the processes play FS themselves (the boot test reads
 * the console), so PM tells one blocked in a receive from ANY with a notification.
 */
static void
unpause(int nr, const struct proc *p)
{
	if ((p->p_rts_flags & (RECEIVING | SENDING)) == RECEIVING && p->p_getfrom == ANY)
		notify(nr);
}

/* A traced process stops instead of taking the signal; its tracer learns it by WAITPID. */
static void
stop_proc(int nr, int signo)
{
	struct sigproc *sp = &sigprocs[nr];
	message m;

	sys_trace(T_STOP, nr, 0, NULL);
	sp->stopped = signo;
	if (sp->waiter != NONE) {
		memset(&m, 0, sizeof m);
		m.m2_i1 = STOP_STATUS(signo);
		pm_reply(sp->waiter, nr, &m);
		sp->waiter = NONE;
	}
}

static void
sig_proc(int nr, int signo)
{
	struct sigproc *sp = &sigprocs[nr];
	struct sigmsg sm;
	struct proc p;

	if (get_proc(nr, &p) != OK || (p.p_rts_flags & SLOT_FREE))
		return;
	if (sp->tracer != NONE && signo != SIGKILL) {
		stop_proc(nr, signo);
		return;
	}
	if (sigismember(&sp->ignore, signo) == 1)
		return;
	if (sigismember(&sp->mask, signo) == 1 && signo != SIGKILL) {
		sigaddset(&sp->pending, signo);
		return;
	}
	if (sigismember(&sp->catch, signo) == 1) {
		sm.sm_signo = signo;
		sm.sm_mask = sp->mask;
		sm.sm_sighandler = (vir_bytes)sp->act[signo].sa_handler;
		sm.sm_sigreturn = sp->sigreturn;
		sm.sm_stkptr = p.p_reg.sp;
		if (sys_sigsend(nr, &sm) == OK) {
			sp->mask |= sp->act[signo].sa_mask;
			sigaddset(&sp->mask, signo);
			unpause(nr, &p);
			return;
		}
		printf("pm: no room on the stack of %s (proc %d) for signal %d\n", p.p_name, nr, signo);
	} else if (signo == SIGCHLD) {
		return;                         /* ignored by default */
	}
	terminate(nr, signo, p.p_name);
}

/* Signals that were held by the mask and are let through now. */
static void
check_pending(int nr)
{
	struct sigproc *sp = &sigprocs[nr];
	int signo;

	for (signo = 1; signo <= _NSIG; signo++) {
		if (sigismember(&sp->pending, signo) == 1 && sigismember(&sp->mask, signo) != 1) {
			sigdelset(&sp->pending, signo);
			sig_proc(nr, signo);
		}
	}
}

/* SYS_SIG with SIGKSIG: fetch every process with kernel signals and handle them. */
static void
ksig_pending(void)
{
	for (;;) {
		int nr, signo;
		sigset_t map;

		if (sys_getksig(&nr, &map) != OK || nr == NONE)
			return;
		if (!valid_proc(nr))
			continue;
		for (signo = 1; signo <= _NSIG; signo++)
			if (sigismember(&map, signo) == 1)
				sig_proc(nr, signo);
		sys_endksig(nr);                /* EINVAL when the process was ended: fine */
	}
}

/* SIGACTION: m1_i2 signal, m1_p1 new action (or NULL), m1_p2 old action (or NULL), m1_p3 __sigreturn. */
static int
do_sigaction(message *m)
{
	int nr = m->m_source, signo = m->m1_i2;
	struct sigproc *sp;
	struct sigaction sa;
	int r;

	if (!valid_proc(nr))
		return EPERM;
	if (signo < 1 || signo > _NSIG)
		return EINVAL;
	if (signo == SIGKILL)
		return OK;                      /* cannot be caught or ignored */
	sp = &sigprocs[nr];
	if (m->m1_p2 != NULL) {
		r = sys_vircopy(SELF, D, (vir_bytes)&sp->act[signo], nr, D, (vir_bytes)m->m1_p2, sizeof sa);
		if (r != OK)
			return r;
	}
	if (m->m1_p1 == NULL)
		return OK;
	r = sys_vircopy(nr, D, (vir_bytes)m->m1_p1, SELF, D, (vir_bytes)&sa, sizeof sa);
	if (r != OK)
		return r;
	if (sa.sa_handler == SIG_IGN) {
		sigaddset(&sp->ignore, signo);
		sigdelset(&sp->pending, signo);
		sigdelset(&sp->catch, signo);
	} else if (sa.sa_handler == SIG_DFL) {
		sigdelset(&sp->ignore, signo);
		sigdelset(&sp->catch, signo);
	} else {
		sigdelset(&sp->ignore, signo);
		sigaddset(&sp->catch, signo);
	}
	sp->act[signo] = sa;
	sigdelset(&sp->act[signo].sa_mask, SIGKILL);
	sp->sigreturn = (vir_bytes)m->m1_p3;
	return OK;
}

/* SIGRETURN: m2_l1 the mask to restore, m2_p1 the sigcontext on the process's stack. */
static int
do_sigreturn(message *m)
{
	int nr = m->m_source, r;

	if (!valid_proc(nr))
		return EPERM;
	sigprocs[nr].mask = (sigset_t)m->m2_l1;
	sigdelset(&sigprocs[nr].mask, SIGKILL);
	r = sys_sigreturn(nr, (vir_bytes)m->m2_p1);
	check_pending(nr);
	return r;
}

/* KILL: m1_i1 the process (a process number here), m1_i2 the signal; 0 only checks. */
static int
do_kill_call(message *m)
{
	int nr = m->m1_i1, signo = m->m1_i2;
	struct proc p;

	if (signo < 0 || signo > _NSIG)
		return EINVAL;
	if (!valid_proc(nr) || nr == PM_PROC_NR || get_proc(nr, &p) != OK || (p.p_rts_flags & SLOT_FREE))
		return ESRCH;
	if (signo != 0)
		sig_proc(nr, signo);
	return OK;
}

/*
 * PTRACE (3.1.1 do_trace): m2_i2 request, m2_i1 process, m2_l1 address, m2_l2 data (and the
 * reply's data). T_OK: the caller asks to be traced by process m2_i1 (MINIX: by its parent;
 * boot processes have none).
 * Every other request needs a tracee of the caller that is stopped; T_EXIT ends it.
 */
static int
do_ptrace(message *m)
{
	int req = m->m2_i2, nr = m->m2_i1, r;
	long data = m->m2_l2;
	struct sigproc *sp;

	if (req == T_OK) {
		if (!valid_proc(m->m_source) || !valid_proc(nr) || nr == m->m_source)
			return EINVAL;
		sigprocs[m->m_source].tracer = nr;
		return OK;
	}
	if (!valid_proc(nr) || sigprocs[nr].tracer != m->m_source || !sigprocs[nr].stopped)
		return ESRCH;
	sp = &sigprocs[nr];
	switch (req) {
	case T_EXIT: {
		struct proc p;

		if (get_proc(nr, &p) == OK)
			printf("pm: %s (proc %d) ended by its tracer\n", p.p_name, nr);
		end_process(nr);
		return OK;
	}
	case T_RESUME:
	case T_STEP:
		if (data < 0 || data > _NSIG)
			return EIO;
		sp->stopped = 0;
		if (data > 0) {                 /* resume with a signal: not diverted again */
			sp->tracer = NONE;
			sig_proc(nr, (int)data);
			sp->tracer = m->m_source;
		}
		break;
	}
	r = sys_trace(req, nr, m->m2_l1, &data);
	if (r != OK)
		return r;
	m->m2_l2 = data;
	return OK;
}

/* WAITPID by a tracer for its tracee: the reply (the process number) comes once it stops. */
static int
do_waitpid_traced(message *m)
{
	int nr = m->m1_i1;
	struct sigproc *sp = &sigprocs[nr];

	if (sp->stopped) {
		m->m2_i1 = STOP_STATUS(sp->stopped);
		return nr;
	}
	sp->waiter = m->m_source;
	return SUSPEND;
}

int
pm_signal_message(message *m, int *result)
{
	switch (m->m_type) {
	case SYS_SIG:
		if (sigismember((sigset_t *)&m->NOTIFY_ARG, SIGKSIG) == 1)
			ksig_pending();
		*result = SUSPEND;              /* a notification gets no reply */
		return 1;
	case SIGACTION:
		*result = do_sigaction(m);
		return 1;
	case SIGRETURN:
		*result = do_sigreturn(m);
		return 1;
	case KILL:
		*result = do_kill_call(m);
		return 1;
	case PTRACE:
		*result = do_ptrace(m);
		return 1;
	case WAITPID:
		/* A tracer's wait, or a parent's for a child that may yet ask to be traced. */
		if (!valid_proc(m->m1_i1) || (sigprocs[m->m1_i1].tracer != m->m_source &&
		    !(mproc[m->m1_i1].mp_in_use && mproc[m->m1_i1].mp_parent == m->m_source)))
			return 0;               /* PM's own WAITPID */
		*result = do_waitpid_traced(m);
		return 1;
	default:
		return 0;
	}
}
