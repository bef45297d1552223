/*
 * pm_trace.c - PM's half of tracing (MINIX 3.1.1 servers/pm/trace.c): PTRACE requests checked
 * against the tracer and the stopped tracee and passed on as SYS_TRACE, the stop of a traced
 * process that gets a signal, and WAITPID, with which the tracer (or the parent) learns of it.
 */
#include "pm.h"
#include <sys/ptrace.h>
#include "type.h"
#include "proc.h"
#include "sigproc.h"

/* A traced process stops instead of taking the signal; its tracer learns it by WAITPID. */
void
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

/*
 * PTRACE (3.1.1 do_trace): m2_i2 request, m2_i1 process, m2_l1 address, m2_l2 data (and the
 * reply's data). T_OK: the caller asks to be traced by process m2_i1 (MINIX: by its parent;
 * boot processes have none).
 * Every other request needs a tracee of the caller that is stopped; T_EXIT ends it.
 */
int
do_ptrace(message *m)
{
	int req = m->m2_i2, nr = m->m2_i1, r;
	long data = m->m2_l2;
	struct sigproc *sp;

	if (req == T_OK) {
		if (!sig_valid_proc(m->m_source) || !sig_valid_proc(nr) || nr == m->m_source)
			return EINVAL;
		sigprocs[m->m_source].tracer = nr;
		return OK;
	}
	if (!sig_valid_proc(nr) || sigprocs[nr].tracer != m->m_source || !sigprocs[nr].stopped)
		return ESRCH;
	sp = &sigprocs[nr];
	switch (req) {
	case T_EXIT: {
		struct proc p;

		if (sig_getproc(nr, &p) == OK)
			printf("pm: %s (proc %d) ended by its tracer\n", p.p_name, nr);
		sig_end_process(nr);
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
int
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
