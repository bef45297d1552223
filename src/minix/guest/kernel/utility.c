/*
 * utility.c - kprintf on Xen's debugging console (report 6.3.3: console_io, kernel only) and
 * panic. Output is gathered per line so each hypercall carries a whole line.
 */
#include "kernel.h"

#define KBUF_SIZE 128

static char kbuf[KBUF_SIZE];
static int klen;

static void
kflush(void)
{
	if (klen > 0)
		hypervisor_console_write(kbuf, klen);
	klen = 0;
}

static void
kputc(int c, void *arg)
{
	(void)arg;
	kbuf[klen++] = (char)c;
	if (c == '\n' || klen == KBUF_SIZE)
		kflush();
}

int
kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = doprnt(kputc, 0, fmt, ap);
	va_end(ap);
	kflush();
	return n;
}

void
panic(const char *who, const char *mess, int nr)
{
	kprintf("\nkernel panic: %s: %s %d\n", who, mess, nr);
	for (;;)
		hypervisor_shutdown(SHUTDOWN_crash);
}
