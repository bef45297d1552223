/*
 * tty.h - the terminal driver's line structure (MINIX drivers/tty/tty.h, trimmed to what a
 * Xen console needs): input queue of 16-bit entries with flags, per-line device hooks, the
 * pending read and write, and the line-discipline settings. Needs minix/types.h.
 */
#ifndef TTY_H
#define TTY_H

#define TTY_IN_BYTES   256
#define TAB_SIZE       8

/* Input queue entries: the character plus flags (MINIX's IN_* bits). */
#define IN_CHAR        0x00FF
#define IN_LEN         0x0F00    /* length of the char as echoed */
#define IN_LSHIFT      8
#define IN_EOT         0x1000    /* ends a line (newline or EOF) */
#define IN_EOF         0x2000    /* the EOF character, not passed on */
#define IN_ESC         0x4000    /* escaped by LNEXT */

/* Line-discipline flags (a subset of termios). */
#define L_ICANON       0x0001    /* canonical input: lines, erase, kill */
#define L_ECHO         0x0002
#define L_ECHOE        0x0004    /* echo erase as backspace-space-backspace */
#define L_ECHOK        0x0008    /* echo a newline after kill */
#define L_ISIG         0x0010    /* INTR and QUIT send signals */
#define L_NOFLSH       0x0020    /* no input flush after a signal key */
#define O_OPOST        0x0001    /* output post-processing */
#define O_ONLCR        0x0002    /* newline to CR-LF */
#define I_ICRNL        0x0001    /* CR to newline on input */

#define CC_ERASE       0x7F      /* DEL; backspace (0x08) erases too */
#define CC_KILL        0x15      /* ^U */
#define CC_EOF         0x04      /* ^D */
#define CC_INTR        0x03      /* ^C: SIGINT */
#define CC_QUIT        0x1C      /* ^\: SIGQUIT */
#define O_NOCTTY       00400     /* DEV_OPEN's COUNT flag: not the controlling tty */

typedef struct tty tty_t;
typedef int  (*devfun_t)(tty_t *tp, int try_only);
typedef void (*devfunarg_t)(tty_t *tp, int c);

struct tty {
	int      tty_events;              /* something to do for this line */
	int      tty_index;
	int      tty_minor;

	/* Input queue. */
	u16_t    tty_inbuf[TTY_IN_BYTES];
	int      tty_inhead, tty_intail;  /* indices into tty_inbuf */
	int      tty_incount;
	int      tty_eotct;               /* complete lines in the queue */
	int      tty_position;            /* echo column, for erasing tabs */

	/* Device hooks, set by the terminal type's init (xencons_init). */
	devfun_t    tty_devread;
	devfun_t    tty_devwrite;
	devfunarg_t tty_echo;
	devfun_t    tty_icancel;
	devfun_t    tty_ocancel;

	/* Pending read: who asked, for whom, where, how much is left, how much is done. */
	int       tty_inleft, tty_incum;
	int       tty_incaller, tty_inproc;
	vir_bytes tty_in_vir;
	int       tty_inrevived;          /* the read finished while the caller was suspended */

	/* Pending write. */
	int       tty_outleft, tty_outcum;
	int       tty_outcaller, tty_outproc;
	vir_bytes tty_out_vir;

	int       tty_pgrp;               /* gets INTR/QUIT signals: the opener, 0 = none */
	int       tty_openct;

	int       tty_lflag, tty_oflag, tty_iflag;
	void     *tty_priv;               /* the terminal type's own state */
};

extern tty_t tty_table[];

/* tty.c */
int  in_process(tty_t *tp, const char *buf, int count);
void out_process(tty_t *tp, const char *buf, int count, void (*put)(tty_t *, int));
void handle_events(tty_t *tp);
void tty_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* xencons.c */
void xencons_init(tty_t *tp);
void xencons_interrupt(void);
#endif
