/*
 * printf.c - printf for processes: formats with doprnt into a line buffer and writes it to
 * the console through the TTY driver (DEV_WRITE to minor 0), as FS would on a write(2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <errno.h>
#include <minix/types.h>
#include <minix/com.h>
#include <minix/ipc.h>
#include <minix/syslib.h>
#include <minix/const.h>

struct linebuf {
	char buf[128];
	int  len;
	int  total;
};

static int self_nr = NONE;

static void
flush(struct linebuf *lb)
{
	message m;
	char name[P_NAME_LEN];

	if (lb->len == 0)
		return;
	if (self_nr == NONE && sys_whoami(&self_nr, name, sizeof name) != OK)
		self_nr = NONE;
	m.DEVICE = 0;
	m.IO_PROC = self_nr;
	m.ADDRESS = lb->buf;
	m.COUNT = lb->len;
	taskcall(TTY_PROC_NR, DEV_WRITE, &m);
	lb->len = 0;
}

static void
line_put(int c, void *arg)
{
	struct linebuf *lb = arg;

	lb->buf[lb->len++] = (char)c;
	lb->total++;
	if (lb->len == (int)sizeof lb->buf || c == '\n')
		flush(lb);
}

int
printf(const char *fmt, ...)
{
	struct linebuf lb;
	va_list ap;

	lb.len = 0;
	lb.total = 0;
	va_start(ap, fmt);
	doprnt(line_put, &lb, fmt, ap);
	va_end(ap);
	flush(&lb);
	return lb.total;
}
