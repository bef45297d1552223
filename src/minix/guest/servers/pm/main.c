/*
 * main.c - the PM stand-in's start-up and main loop (MINIX 3.1.1 servers/pm/main.c in shape):
 * initialise, then forever receive a request, dispatch it on m_type and reply. Signal matters
 * go to pm_signal.c first; everything else goes through pm_call_vec.
 */
#include "pm.h"
#include <signal.h>
#include "type.h"
#include "proc.h"

int pm_failures;

/* Prints one check line on the console in the boot test's style. */
void
pm_check(const char *what, int ok, int got)
{
	printf("pm: %s %s (%d)\n", what, ok ? "ok" : "FAILED", got);
	if (!ok)
		pm_failures++;
}

int
pm_reply(int whom, int result, message *m)
{
	m->m_type = result;
	return send(whom, m);
}

static int
no_sys(message *m)
{
	(void)m;
	return ENOSYS;
}

/* Handlers by call number (minix/callnr.h); empty entries answer ENOSYS. */
static pm_handler_t pm_call_vec[NCALLS];

/* PM's table starts with the boot processes and their memory maps, read from the kernel. */
static void
init_mproc(void)
{
	struct proc p;
	int nr;

	for (nr = 0; nr < FIRST_FREE_SLOT; nr++) {
		if (sys_getproc(&p, nr, sizeof p) != OK || (p.p_rts_flags & SLOT_FREE))
			continue;
		mproc[nr].mp_in_use = 1;
		mproc[nr].mp_parent = PM_PROC_NR;
		memcpy(mproc[nr].mp_seg, p.p_memmap, sizeof p.p_memmap);
	}
}

static void
pm_init(void)
{
	int i;

	for (i = 0; i < NCALLS; i++)
		pm_call_vec[i] = no_sys;
	pm_call_vec[FORK] = pm_do_fork;
	pm_call_vec[EXEC] = pm_do_exec;
	pm_signal_init();
	init_mproc();
	printf("pm: process manager stand-in ready\n");
	if (mem_init() != OK)
		printf("pm: no free memory: FAILED\n");
	proctest_start();
}

int
main(void)
{
	message m;
	int result;

	pm_init();
	for (;;) {
		if (receive(ANY, &m) != OK)
			continue;
		if (pm_signal_message(&m, &result)) {
			/* handled by the signal manager */
		} else if (proctest_message(&m, &result)) {
			/* a report from the boot-time children */
		} else if (m.m_type >= 0 && m.m_type < NCALLS) {
			result = pm_call_vec[m.m_type](&m);
		} else if (m.m_type & NOTIFY_MESSAGE) {
			continue;               /* notifications nobody here asked for */
		} else {
			result = EBADREQUEST;
		}
		if (result != SUSPEND)
			pm_reply(m.m_source, result, &m);
	}
}
