/*
 * tty.c - the terminal driver (MINIX drivers/tty/tty.c, report 6.3.2): a message loop serving
 * DEV_READ, DEV_WRITE, DEV_OPEN/CLOSE/IOCTL, DEV_STATUS and CANCEL for its lines, and the line
 * discipline: canonical input with erase and kill, the signal keys INTR and QUIT, echo, and
 * output post-processing. Under Xen its only line is the Xen virtual console (xencons.c);
 * NR_CONS and NR_RS_LINES are 0.
 */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <stdio.h>
#include <errno.h>
#include <minix/config.h>
#include <minix/const.h>
#include <minix/types.h>
#include <minix/com.h>
#include <minix/ipc.h>
#include <signal.h>
#include <minix/syslib.h>
#include "tty.h"

#define NR_TTYS (NR_CONS + NR_RS_LINES + NR_XEN_CONS)

tty_t tty_table[NR_TTYS];

/* The driver's own messages go straight to console line 0 (printf would write to ourselves). */
void
tty_printf(const char *fmt, ...)
{
	tty_t *tp = &tty_table[0];
	char buf[128];
	va_list ap;
	int i, n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 1)
		n = (int)sizeof buf - 1;
	for (i = 0; i < n; i++)
		tp->tty_echo(tp, buf[i]);
	tp->tty_devwrite(tp, 0);
}

static void
tty_reply(int code, int replyee, int proc_nr, int status)
{
	message m;

	memset(&m, 0, sizeof m);
	m.m_type = code;
	m.REP_PROC_NR = proc_nr;
	m.REP_STATUS = status;
	if (send(replyee, &m) != OK)
		tty_printf("tty: reply %d to %d failed\n", code, replyee);
}

/* Echo one input character; erased characters are rubbed out with BS-SP-BS. */
static void
echo_char(tty_t *tp, int c)
{
	if (!(tp->tty_lflag & L_ECHO))
		return;
	if (c == '\n' || (c >= ' ' && c < 0x7F) || c == '\t')
		tp->tty_echo(tp, c);
	else {
		tp->tty_echo(tp, '^');
		tp->tty_echo(tp, (c + '@') & 0x7F);
	}
}

static void
rub_out(tty_t *tp, int len)
{
	while (len-- > 0) {
		tp->tty_echo(tp, '\b');
		tp->tty_echo(tp, ' ');
		tp->tty_echo(tp, '\b');
	}
}

/* Removes the last character of the current line; returns 0 if there is none. */
static int
back_over(tty_t *tp)
{
	int last;
	u16_t entry;

	if (tp->tty_incount == 0)
		return 0;
	last = (tp->tty_inhead + TTY_IN_BYTES - 1) % TTY_IN_BYTES;
	entry = tp->tty_inbuf[last];
	if (entry & IN_EOT)
		return 0;               /* a finished line cannot be edited */
	tp->tty_inhead = last;
	tp->tty_incount--;
	if (tp->tty_lflag & L_ECHOE)
		rub_out(tp, (entry & IN_LEN) >> IN_LSHIFT);
	return 1;
}

/* Moves finished input to a suspended or waiting reader (canonical: whole lines). */
static void
in_transfer(tty_t *tp)
{
	char buf[64];
	int n = 0;

	if (tp->tty_inleft == 0 || tp->tty_inrevived)
		return;
	if ((tp->tty_lflag & L_ICANON) && tp->tty_eotct == 0)
		return;
	while (tp->tty_inleft > 0 && tp->tty_incount > 0) {
		u16_t entry = tp->tty_inbuf[tp->tty_intail];

		tp->tty_intail = (tp->tty_intail + 1) % TTY_IN_BYTES;
		tp->tty_incount--;
		if (!(entry & IN_EOF)) {
			buf[n++] = (char)(entry & IN_CHAR);
			tp->tty_inleft--;
		}
		if (n == (int)sizeof buf || (entry & IN_EOT) || tp->tty_inleft == 0) {
			sys_vircopy(SELF, D, (vir_bytes)buf, tp->tty_inproc, D, tp->tty_in_vir + tp->tty_incum, (phys_bytes)n);
			tp->tty_incum += n;
			n = 0;
		}
		if (entry & IN_EOT) {
			tp->tty_eotct--;
			if (tp->tty_lflag & L_ICANON)
				break;          /* one line per read */
		}
	}
	tp->tty_inleft = 0;
	tp->tty_inrevived = 1;          /* the caller learns it from DEV_STATUS */
	notify(tp->tty_incaller);
}

/*
 * A signal key (MINIX 3.1.1 sigchar): the kernel signals the console's process group (PM then
 * acts), and unless NOFLSH the input typed so far and the output not yet sent are dropped.
 */
static void
sigchar(tty_t *tp, int sig)
{
	if (tp->tty_pgrp != 0 && sys_kill(tp->tty_pgrp, sig) != OK)
		tp->tty_pgrp = 0;               /* the group is gone */
	if (!(tp->tty_lflag & L_NOFLSH)) {
		tp->tty_incount = tp->tty_eotct = 0;
		tp->tty_intail = tp->tty_inhead;
		tp->tty_ocancel(tp, 0);
		tp->tty_events = 1;
	}
}

/*
 * Feeds characters typed on the line through the discipline into the input queue. Returns
 * how many were taken; what does not fit is dropped, as a full MINIX queue drops.
 */
int
in_process(tty_t *tp, const char *buf, int count)
{
	int i;

	for (i = 0; i < count; i++) {
		int c = buf[i] & 0xFF;
		u16_t entry;

		if (c == '\r' && (tp->tty_iflag & I_ICRNL))
			c = '\n';
		if ((tp->tty_lflag & L_ISIG) && (c == CC_INTR || c == CC_QUIT)) {
			sigchar(tp, c == CC_INTR ? SIGINT : SIGQUIT);
			echo_char(tp, c);
			continue;
		}
		if (tp->tty_lflag & L_ICANON) {
			if (c == CC_ERASE || c == '\b') {
				back_over(tp);
				continue;
			}
			if (c == CC_KILL) {
				while (back_over(tp))
					;
				if (tp->tty_lflag & L_ECHOK)
					tp->tty_echo(tp, '\n');
				continue;
			}
		}
		entry = (u16_t)c;
		if (tp->tty_lflag & L_ICANON) {
			if (c == '\n')
				entry |= IN_EOT;
			else if (c == CC_EOF)
				entry |= IN_EOT | IN_EOF;
		}
		if (tp->tty_incount == TTY_IN_BYTES)
			continue;
		if (!(entry & IN_EOF)) {
			int before = tp->tty_position;

			echo_char(tp, c);
			entry |= (u16_t)(((tp->tty_position - before) & 0x0F) << IN_LSHIFT);
		}
		tp->tty_inbuf[tp->tty_inhead] = entry;
		tp->tty_inhead = (tp->tty_inhead + 1) % TTY_IN_BYTES;
		tp->tty_incount++;
		if (entry & IN_EOT)
			tp->tty_eotct++;
	}
	tp->tty_devwrite(tp, 0);        /* push out the echo */
	in_transfer(tp);
	return count;
}

/* Output post-processing: newline to CR-LF, column tracking for erase. */
void
out_process(tty_t *tp, const char *buf, int count, void (*put)(tty_t *, int))
{
	int i;

	for (i = 0; i < count; i++) {
		int c = buf[i] & 0xFF;

		if ((tp->tty_oflag & O_OPOST) && c == '\n') {
			if (tp->tty_oflag & O_ONLCR)
				put(tp, '\r');
			tp->tty_position = 0;
		} else if (c == '\r') {
			tp->tty_position = 0;
		} else if (c == '\b') {
			if (tp->tty_position > 0)
				tp->tty_position--;
		} else if (c == '\t') {
			tp->tty_position = (tp->tty_position + TAB_SIZE) & ~(TAB_SIZE - 1);
		} else {
			tp->tty_position++;
		}
		put(tp, c);
	}
}

/* Runs the device's read and write hooks until nothing moves. */
void
handle_events(tty_t *tp)
{
	do {
		tp->tty_events = 0;
		tp->tty_devread(tp, 0);
		tp->tty_devwrite(tp, 0);
	} while (tp->tty_events);
	in_transfer(tp);
}

static tty_t *
line_for(int minor)
{
	if (minor < 0 || minor >= NR_TTYS)
		return NULL;
	return &tty_table[minor];
}

static void
do_read(tty_t *tp, message *m)
{
	if (tp->tty_inleft > 0) {
		tty_reply(TASK_REPLY, m->m_source, m->IO_PROC, EIO);
		return;
	}
	if (m->COUNT <= 0) {
		tty_reply(TASK_REPLY, m->m_source, m->IO_PROC, EINVAL);
		return;
	}
	tp->tty_incaller = m->m_source;
	tp->tty_inproc = m->IO_PROC;
	tp->tty_in_vir = (vir_bytes)m->ADDRESS;
	tp->tty_inleft = m->COUNT;
	tp->tty_incum = 0;
	tp->tty_inrevived = 0;
	/* MINIX's protocol: SUSPEND now, notify when done, the result comes with DEV_STATUS. */
	tty_reply(TASK_REPLY, m->m_source, m->IO_PROC, SUSPEND);
	handle_events(tp);
}

static void
do_write(tty_t *tp, message *m)
{
	if (m->COUNT <= 0) {
		tty_reply(TASK_REPLY, m->m_source, m->IO_PROC, EINVAL);
		return;
	}
	tp->tty_outcaller = m->m_source;
	tp->tty_outproc = m->IO_PROC;
	tp->tty_out_vir = (vir_bytes)m->ADDRESS;
	tp->tty_outleft = m->COUNT;
	tp->tty_outcum = 0;
	handle_events(tp);
	/* The Xen console writes synchronously, so the write is done here. */
	tty_reply(TASK_REPLY, m->m_source, m->IO_PROC, tp->tty_outcum);
}

static void
do_status(message *m)
{
	int i;

	for (i = 0; i < NR_TTYS; i++) {
		tty_t *tp = &tty_table[i];

		if (tp->tty_inrevived && tp->tty_incaller == m->m_source) {
			tp->tty_inrevived = 0;
			tty_reply(DEV_REVIVE, m->m_source, tp->tty_inproc, tp->tty_incum);
			return;
		}
	}
	tty_reply(DEV_NO_STATUS, m->m_source, NONE, 0);
}

/* The opener becomes the console's process group unless it opens with O_NOCTTY (reply 1). */
static void
do_open(tty_t *tp, message *m)
{
	int r = OK;

	if (!(m->COUNT & O_NOCTTY)) {
		tp->tty_pgrp = m->IO_PROC;
		r = 1;
	}
	tp->tty_openct++;
	tty_reply(TASK_REPLY, m->m_source, m->IO_PROC, r);
}

static void
do_close(tty_t *tp, message *m)
{
	if (tp->tty_openct > 0 && --tp->tty_openct == 0)
		tp->tty_pgrp = 0;
	tty_reply(TASK_REPLY, m->m_source, m->IO_PROC, OK);
}

static void
do_cancel(tty_t *tp, message *m)
{
	if (tp->tty_inleft > 0 && tp->tty_inproc == m->IO_PROC) {
		tp->tty_inleft = 0;
		tp->tty_inrevived = 0;
	}
	tty_reply(TASK_REPLY, m->m_source, m->IO_PROC, EINTR);
}

int
main(void)
{
	message m;
	int i;

	for (i = 0; i < NR_TTYS; i++) {
		tty_t *tp = &tty_table[i];

		memset(tp, 0, sizeof *tp);
		tp->tty_index = i;
		tp->tty_minor = i;
		tp->tty_lflag = L_ICANON | L_ECHO | L_ECHOE | L_ECHOK | L_ISIG;
		tp->tty_oflag = O_OPOST | O_ONLCR;
		tp->tty_iflag = I_ICRNL;
		xencons_init(tp);
	}
	tty_printf("tty: Xen virtual console ready (%d line)\n", NR_TTYS);

	for (;;) {
		tty_t *tp;

		if (receive(ANY, &m) != OK)
			continue;
		if (m.m_type == CTRLIF_NOTIFY) {
			xencons_interrupt();
			continue;
		}
		if (m.m_type & NOTIFY_MESSAGE)
			continue;       /* other notifications: nothing to do yet */
		if (m.m_type == DEV_STATUS) {
			do_status(&m);
			continue;
		}
		tp = line_for(m.DEVICE);
		if (tp == NULL) {
			tty_reply(TASK_REPLY, m.m_source, m.IO_PROC, ENXIO);
			continue;
		}
		switch (m.m_type) {
		case DEV_READ:
			do_read(tp, &m);
			break;
		case DEV_WRITE:
			do_write(tp, &m);
			break;
		case DEV_OPEN:
			do_open(tp, &m);
			break;
		case DEV_CLOSE:
			do_close(tp, &m);
			break;
		case DEV_IOCTL:
			tty_reply(TASK_REPLY, m.m_source, m.IO_PROC, ENOTTY);
			break;
		case CANCEL:
			do_cancel(tp, &m);
			break;
		default:
			tty_reply(TASK_REPLY, m.m_source, m.IO_PROC, EINVAL);
			break;
		}
	}
}
