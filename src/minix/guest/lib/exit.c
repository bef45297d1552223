/* exit.c - what a boot process does when main returns: SYSTEM removes it (SYS_EXIT on SELF). */
#include <minix/types.h>
#include <minix/com.h>
#include <minix/ipc.h>
#include <minix/syslib.h>

void exit_process(int status);

void
exit_process(int status)
{
	(void)status;
	sys_exit(SELF);
}
