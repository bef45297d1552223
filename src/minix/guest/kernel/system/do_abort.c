/*
 * do_abort.c - SYS_ABORT: shuts MINIX down.
 */
#include "../kernel.h"
#include "../system.h"

int
do_abort(message *m)
{
	prepare_shutdown(m->ABRT_HOW);
	return OK;
}
