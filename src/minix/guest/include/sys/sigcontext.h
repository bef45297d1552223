/*
 * sys/sigcontext.h - what the kernel puts on a process's stack for a catcher (SYS_SIGSEND) and
 * takes back on SYS_SIGRETURN (MINIX 3.1.1's layout). sigregs mirrors the kernel's saved frame,
 * which on this port has 32-bit segment slots (72 bytes, see kernel/sconst.h).
 */
#ifndef _SYS_SIGCONTEXT_H
#define _SYS_SIGCONTEXT_H

struct sigregs {
	int sr_gs, sr_fs, sr_es, sr_ds;
	int sr_di, sr_si, sr_bp;
	int sr_st;                      /* esp copy of pushal; unused */
	int sr_bx, sr_dx, sr_cx, sr_retreg;
	int sr_retadr;                  /* the kernel's own return address; unused */
	int sr_pc, sr_cs, sr_psw, sr_sp, sr_ss;
};

struct sigcontext {
	int            sc_flags;        /* SC_SIGCONTEXT, SC_NOREGLOCALS */
	long           sc_mask;         /* signal mask to restore */
	struct sigregs sc_regs;
};

/* Pushed below the sigcontext: a call of the catcher that "returns" into __sigreturn. */
struct sigframe {
	void (*sf_retadr)(void);        /* __sigreturn */
	int sf_signo;                   /* the catcher's arguments: signal, code, context */
	int sf_code;
	struct sigcontext *sf_scp;
	int sf_fp;                      /* the interrupted ebp; ebp points here in the catcher */
	void (*sf_retadr2)(void);       /* the interrupted pc, a fake return address */
	struct sigcontext *sf_scpcopy;  /* __sigreturn's argument to sigreturn() */
};

#define SC_SIGCONTEXT   2               /* a signal context, not a jump buffer */
#define SC_NOREGLOCALS  4               /* restore only retreg, bp, pc and sp */

/* lib/signal.c: asks PM to restore scp (SIGRETURN); does not return when it works. */
int sigreturn(struct sigcontext *scp);

#define sc_gs     sc_regs.sr_gs
#define sc_fs     sc_regs.sr_fs
#define sc_es     sc_regs.sr_es
#define sc_ds     sc_regs.sr_ds
#define sc_di     sc_regs.sr_di
#define sc_si     sc_regs.sr_si
#define sc_fp     sc_regs.sr_bp
#define sc_bx     sc_regs.sr_bx
#define sc_dx     sc_regs.sr_dx
#define sc_cx     sc_regs.sr_cx
#define sc_retreg sc_regs.sr_retreg
#define sc_ax     sc_regs.sr_retreg
#define sc_pc     sc_regs.sr_pc
#define sc_cs     sc_regs.sr_cs
#define sc_psw    sc_regs.sr_psw
#define sc_sp     sc_regs.sr_sp
#define sc_ss     sc_regs.sr_ss
#endif
