/*
 * xencons.c - the Xen virtual console as a terminal type (report 6.3.2): registered with the
 * control-interface task for CMSG_CONSOLE, with an input buffer filled from controller
 * requests and an output queue flushed as CMSG_CONSOLE_DATA messages of up to 60 bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <stdio.h>
#include <errno.h>
#include <xen/xen.h>
#include <xen/io/domain_controller.h>
#include <minix/config.h>
#include <minix/const.h>
#include <minix/types.h>
#include <minix/com.h>
#include <minix/ipc.h>
#include <minix/syslib.h>
#include "tty.h"

#define XC_OUT_BYTES 512

typedef struct {
	char ibuf[CONTROL_MSG_PAYLOAD * 4];    /* bytes from the controller, not yet processed */
	int  icount;
	char obuf[XC_OUT_BYTES];                /* post-processed output waiting for the ring */
	int  ocount;
} xencons_t;

static xencons_t xencons_lines[NR_XEN_CONS];

static void
xc_flush(tty_t *tp)
{
	xencons_t *xc = tp->tty_priv;
	int done = 0;

	while (done < xc->ocount) {
		int n = xc->ocount - done;

		if (n > CONTROL_MSG_PAYLOAD)
			n = CONTROL_MSG_PAYLOAD;
		if (ctrlif_send(CMSG_CONSOLE, CMSG_CONSOLE_DATA, xc->obuf + done, n, 1) != OK)
			break;          /* the controller is gone: drop the output */
		done += n;
	}
	xc->ocount = 0;
}

static void
xc_put(tty_t *tp, int c)
{
	xencons_t *xc = tp->tty_priv;

	if (xc->ocount == XC_OUT_BYTES)
		xc_flush(tp);
	xc->obuf[xc->ocount++] = (char)c;
}

/* Echo goes through output processing like any output. */
static void
xc_echo(tty_t *tp, int c)
{
	char ch = (char)c;

	out_process(tp, &ch, 1, xc_put);
}

/* Pulls the pending write from the writer's memory, post-processes it and sends it. */
static int
xc_write(tty_t *tp, int try_only)
{
	char chunk[64];

	if (try_only)
		return 0;
	while (tp->tty_outleft > 0) {
		int n = tp->tty_outleft < (int)sizeof chunk ? tp->tty_outleft : (int)sizeof chunk;

		if (sys_vircopy(tp->tty_outproc, D, tp->tty_out_vir + tp->tty_outcum, SELF, D, (vir_bytes)chunk, (phys_bytes)n) != OK) {
			tp->tty_outleft = 0;
			break;
		}
		out_process(tp, chunk, n, xc_put);
		tp->tty_outcum += n;
		tp->tty_outleft -= n;
	}
	xc_flush(tp);
	return 0;
}

/* Hands buffered input to the line discipline. */
static int
xc_read(tty_t *tp, int try_only)
{
	xencons_t *xc = tp->tty_priv;

	if (try_only || xc->icount == 0)
		return 0;
	in_process(tp, xc->ibuf, xc->icount);
	xc->icount = 0;
	return 0;
}

static int
xc_icancel(tty_t *tp, int try_only)
{
	(void)try_only;
	((xencons_t *)tp->tty_priv)->icount = 0;
	return 0;
}

static int
xc_ocancel(tty_t *tp, int try_only)
{
	(void)try_only;
	((xencons_t *)tp->tty_priv)->ocount = 0;
	return 0;
}

void
xencons_init(tty_t *tp)
{
	xencons_t *xc = &xencons_lines[tp->tty_index];

	memset(xc, 0, sizeof *xc);
	tp->tty_priv = xc;
	tp->tty_devread = xc_read;
	tp->tty_devwrite = xc_write;
	tp->tty_echo = xc_echo;
	tp->tty_icancel = xc_icancel;
	tp->tty_ocancel = xc_ocancel;
	if (ctrlif_register(CMSG_CONSOLE) != OK)
		tty_printf("tty: cannot register for console messages\n");
}

/*
 * The "interrupt" (report 6.3.2): CTRLIF says console messages wait. Fetch each, answer the
 * controller (length 0: consumed), and feed the bytes to the line.
 */
void
xencons_interrupt(void)
{
	tty_t *tp = &tty_table[0];
	xencons_t *xc = tp->tty_priv;
	message m;

	while (ctrlif_get(&m) == CTRLIF_MSG) {
		int n = m.m9_length;

		if (m.m9_type == CMSG_CONSOLE && m.m9_subtype == CMSG_CONSOLE_DATA) {
			if (n > CONTROL_MSG_PAYLOAD)
				n = CONTROL_MSG_PAYLOAD;
			if (n > (int)sizeof xc->ibuf - xc->icount)
				n = (int)sizeof xc->ibuf - xc->icount;
			memcpy(xc->ibuf + xc->icount, m.m9_msg, (size_t)n);
			xc->icount += n;
		}
		m.m9_length = 0;
		ctrlif_respond(&m);
		if (xc->icount > 0)
			xc_read(tp, 0);
	}
	handle_events(tp);
}
