/*
 * pm_signal.c - PM's signal manager (MINIX 3.1.1 servers/pm/signal.c and trace.c, cut down to
 * what the stand-in needs): SIGACTION, SIGRETURN, KILL, and the kernel's SYS_SIG notifications, whose signals it fetches with
 * sys_getksig. A signal is ignored, held while masked, handed to a catcher with sys_sigsend,
 * turned into a stop when the process is traced (pm_trace.c), or ends the process (the default
 * action). PTRACE and WAITPID are pm_trace.c's.
 * Process ids are process numbers here: there is no pid table in the stand-in.
 */
#include "pm.h"
#include <sys/ptrace.h>
#include "type.h"
#include "proc.h"
#include "sigproc.h"

struct sigproc sigprocs[NR_PROCS];

static const char *const sig_names[_NSIG + 1] = {
	"0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGEMT", "SIGFPE",
	"SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "16",
	"SIGCHLD", "SIGKMESS", "SIGKSIG", "SIGKSTOP",
};

int
sig_valid_proc(int nr)
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
int
sig_getproc(int nr, struct proc *p)
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

	if (!sig_valid_proc(nr))
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
	if (!sig_valid_proc(parent) || !sig_valid_proc(child))
		return;
	sigprocs[child] = sigprocs[parent];
	sigemptyset(&sigprocs[child].pending);
	sigprocs[child].tracer = NONE;
	sigprocs[child].stopped = 0;
	sigprocs[child].waiter = NONE;
}

/* Ends a process the way PM's exit path does: signal state, PM's slot, then the kernel's. */
void
sig_end_process(int nr)
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
	sig_end_process(nr);
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

void
sig_proc(int nr, int signo)
{
	struct sigproc *sp = &sigprocs[nr];
	struct sigmsg sm;
	struct proc p;

	if (sig_getproc(nr, &p) != OK || (p.p_rts_flags & SLOT_FREE))
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
		if (!sig_valid_proc(nr))
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

	if (!sig_valid_proc(nr))
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

	if (!sig_valid_proc(nr))
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
	if (!sig_valid_proc(nr) || nr == PM_PROC_NR || sig_getproc(nr, &p) != OK || (p.p_rts_flags & SLOT_FREE))
		return ESRCH;
	if (signo != 0)
		sig_proc(nr, signo);
	return OK;
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
		if (!sig_valid_proc(m->m1_i1) || (sigprocs[m->m1_i1].tracer != m->m_source &&
		    !(mproc[m->m1_i1].mp_in_use && mproc[m->m1_i1].mp_parent == m->m_source)))
			return 0;               /* PM's own WAITPID */
		*result = do_waitpid_traced(m);
		return 1;
	default:
		return 0;
	}
}
