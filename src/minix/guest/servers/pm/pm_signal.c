/*
 * pm_signal.c - PM's signal manager (MINIX 3.1.1 servers/pm/signal.c): KILL, SIGACTION and the
 * rest, and the kernel's SYS_SIG notifications (fetched with sys_getksig). A stub for now: the
 * signals work fills it in; the dispatcher in main.c calls these two functions.
 */
#include "pm.h"

void
pm_signal_init(void)
{
}

int
pm_signal_message(message *m, int *result)
{
	(void)m;
	(void)result;
	return 0;
}
