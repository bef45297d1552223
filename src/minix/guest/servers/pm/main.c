/*
 * main.c - the PM stand-in's start-up and main loop (MINIX 3.1.1 servers/pm/main.c in shape):
 * initialise, then forever receive a request, dispatch it on m_type and reply. Signal matters
 * go to pm_signal.c first; everything else goes through pm_call_vec.
 */
#include "pm.h"

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

static void
pm_init(void)
{
	int i;

	for (i = 0; i < NCALLS; i++)
		pm_call_vec[i] = no_sys;
	pm_signal_init();
	printf("pm: process manager stand-in ready\n");
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
