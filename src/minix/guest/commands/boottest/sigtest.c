/*
 * sigtest.c - the boot test's signal and trace checks. init catches SIGUSR1 it sends itself
 * (PM's KILL), catches the SIGFPE of a division by zero, repairs the divisor in the sigcontext
 * and resumes with every other register intact, while a forged cs and IOPL in that context are
 * refused; then init lets peer trace it: a breakpoint stops it, peer reads and writes its memory
 * and registers, single-steps one instruction and resumes it; init kills peer, which has no
 * catcher; a child init forks through PM is traced and ended with T_EXIT. Console INTR (^C)
 * reaches init's SIGINT catcher.
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
#include <minix/callnr.h>
#include <signal.h>
#include <minix/syslib.h>
#include <sys/sigcontext.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include "boottest.h"

#define TRACE_START   0x110
#define TRACE_DONE    0x111
#define TRACED_WORD   0x1717
#define WRITTEN_WORD  0xBEEF
#define STEP_VALUE    0x5157E9
#define SET_BY_TRACER 0x600D
#define IOPL_BITS     0x3000
#define TRACEBIT      0x0100
/* MINIX passes (signal, code, sigcontext) to every catcher; sigaction's type names only the first. */
#define CATCHER(f)    ((sighandler_t)(void (*)(void))(f))

static volatile int usr1_seen, fpe_seen, int_seen;
static volatile int fpe_code;

/* Written by the assembly below; fixed addresses, as the code is linked without PIC. */
unsigned fpe_regs[10];
long trace_word;
unsigned trace_regs[2];
long child_word;
void trace_point(void);

static void
install(int sig, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigaction(sig, &sa, NULL);
}

static void
on_usr1(int sig)
{
	usr1_seen = sig;
}

/* MINIX calls a catcher with signal, code and the sigcontext; this one repairs the divisor. */
static void
on_fpe(int sig, int code, struct sigcontext *scp)
{
	fpe_seen = sig;
	fpe_code = code;
	scp->sc_cx = 7;
	scp->sc_cs = 0x09;                      /* the kernel's code selector: must be refused */
	scp->sc_ss = 0x11;
	scp->sc_psw |= IOPL_BITS | TRACEBIT;    /* IOPL 3 and TF: must be refused */
}

static void
on_int(int sig)
{
	int_seen = sig;
	printf("boottest %s: caught signal %d (SIGINT) from the console\n", self_name, sig);
}

static void
test_catch_self(void)
{
	int r;

	install(SIGUSR1, on_usr1);
	r = kill(self, SIGUSR1);
	check("SIGUSR1 to ourselves ran the catcher before kill returned", r == OK && usr1_seen == SIGUSR1, usr1_seen);
}

/* 1000 / 0 with known values in every other register; the catcher makes the divisor 7. */
static void
divide_by_zero(void)
{
	__asm__ __volatile__(
		"pushl %%ebp\n\t"
		"movl  %%esp, fpe_regs+32\n\t"
		"movl  $0x0b0b0b0b, %%ebx\n\t"
		"movl  $0x51515151, %%esi\n\t"
		"movl  $0xd1d1d1d1, %%edi\n\t"
		"movl  $0xb9b9b9b9, %%ebp\n\t"
		"movl  $1000, %%eax\n\t"
		"xorl  %%edx, %%edx\n\t"
		"xorl  %%ecx, %%ecx\n\t"
		"divl  %%ecx\n\t"
		"movl  %%eax, fpe_regs\n\t"
		"movl  %%edx, fpe_regs+4\n\t"
		"movl  %%ecx, fpe_regs+8\n\t"
		"movl  %%ebx, fpe_regs+12\n\t"
		"movl  %%esi, fpe_regs+16\n\t"
		"movl  %%edi, fpe_regs+20\n\t"
		"movl  %%ebp, fpe_regs+24\n\t"
		"pushfl\n\t"
		"popl  fpe_regs+28\n\t"
		"movl  %%esp, fpe_regs+36\n\t"
		"popl  %%ebp\n\t"
		::: "eax", "ebx", "ecx", "edx", "esi", "edi", "memory", "cc");
}

static void
test_fpe(void)
{
	struct sigaction old, dfl;
	unsigned cs;
	int intact;

	install(SIGFPE, CATCHER(on_fpe));
	divide_by_zero();
	__asm__ __volatile__("movl %%cs, %0" : "=r"(cs));
	intact = fpe_regs[0] == 142 && fpe_regs[1] == 6 && fpe_regs[2] == 7 && fpe_regs[3] == 0x0b0b0b0b &&
	    fpe_regs[4] == 0x51515151 && fpe_regs[5] == 0xd1d1d1d1 && fpe_regs[6] == 0xb9b9b9b9 &&
	    fpe_regs[8] == fpe_regs[9];
	check("divide by zero reached the SIGFPE catcher", fpe_seen == SIGFPE && fpe_code == 0, fpe_seen);
	check("sigreturn resumed the division with the repaired divisor, other registers intact", intact, (int)fpe_regs[0]);
	check("sigreturn refused the forged cs, IOPL and trace flag", (cs & 3) == 3 &&
	    (fpe_regs[7] & (IOPL_BITS | TRACEBIT)) == 0, (int)(fpe_regs[7] & (IOPL_BITS | TRACEBIT)));
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGFPE, &dfl, &old);
	check("sigaction gives back the old catcher; SIGFPE is default again", old.sa_handler == CATCHER(on_fpe), 0);
}

/* The kernel's refusals: bad signal numbers, kernel tasks, a jump buffer, a call not in our mask. */
static void
test_refusals(void)
{
	struct sigcontext jmpbuf;
	long data = 0;
	int bad_sig, task, jmp, trace;

	bad_sig = sys_kill(self, _NSIG + 1);
	task = sys_kill(CLOCK, SIGINT);
	memset(&jmpbuf, 0, sizeof jmpbuf);      /* no SC_SIGCONTEXT: not a signal context */
	jmp = sigreturn(&jmpbuf);
	trace = sys_trace(T_GETDATA, PEER_PROC_NR, 0, &data);
	check("refused: SYS_KILL of a bad signal or a kernel task, SYS_SIGRETURN of a jump buffer, SYS_TRACE outside PM",
	    bad_sig == EINVAL && task == EPERM && jmp == EINVAL && trace == ECALLDENIED, jmp);
}

void
test_signals(void)
{
	test_catch_self();
	test_fpe();
	test_refusals();
}

/*
 * init under trace: peer traces it (T_OK), int3 stops it (SIGEMT), peer steps the movl and
 * writes ebx before init runs on: eax and edx show both, trace_word shows peer's T_SETDATA.
 */
void
test_traced(void)
{
	message m;
	int r;

	trace_word = TRACED_WORD;
	r = ptrace(T_OK, PEER_PROC_NR, 0, NULL);
	memset(&m, 0, sizeof m);
	m.m_type = TRACE_START;
	if (r == OK)
		r = send(PEER_PROC_NR, &m);
	check("traced by peer (T_OK)", r == OK, r);
	__asm__ __volatile__(
		"xorl  %%ebx, %%ebx\n\t"
		"int3\n\t"
		".globl trace_point\n"
		"trace_point:\n\t"
		"movl  $0x5157e9, %%eax\n\t"
		"movl  %%ebx, %%edx\n\t"
		"movl  %%eax, trace_regs\n\t"
		"movl  %%edx, trace_regs+4\n\t"
		::: "eax", "ebx", "edx", "memory");
	r = receive(PEER_PROC_NR, &m);
	check("resumed by the tracer with its writes in place", r == OK && m.m_type == TRACE_DONE &&
	    trace_regs[0] == STEP_VALUE && trace_regs[1] == SET_BY_TRACER && trace_word == WRITTEN_WORD, (int)trace_regs[1]);
}

/* Waits until init stops; returns the signal that stopped it, or a negative error. */
static int
wait_stop(void)
{
	int status, r = waitpid(INIT_PROC_NR, &status, 0);

	if (r != INIT_PROC_NR)
		return r < 0 ? r : EGENERIC;
	return WIFSTOPPED(status) ? WSTOPSIG(status) : EGENERIC;
}

void
trace_init(void)
{
	long pc = 0, ins = 0, word = 0, ax = 0, v;
	message m;
	int sig, r, bad_addr, misaligned, seg;

	do {
		r = receive(INIT_PROC_NR, &m);
	} while (r == OK && m.m_type != TRACE_START);
	sig = wait_stop();
	check("init stopped at its breakpoint (SIGEMT)", sig == SIGEMT, sig);
	r = ptrace(T_GETUSER, INIT_PROC_NR, offsetof(struct sigregs, sr_pc), &pc);
	check("T_GETUSER: init's pc is just past the int3", r == OK && pc == (long)trace_point, (int)pc);
	r = ptrace(T_GETINS, INIT_PROC_NR, pc, &ins);
	check("T_GETINS reads init's text", r == OK && ins == *(long *)trace_point, r);
	r = ptrace(T_GETDATA, INIT_PROC_NR, (long)&trace_word, &word);
	check("T_GETDATA reads init's data", r == OK && word == TRACED_WORD && trace_word == 0, (int)word);
	v = WRITTEN_WORD;
	r = ptrace(T_SETDATA, INIT_PROC_NR, (long)&trace_word, &v);
	if (r == OK)
		r = ptrace(T_GETDATA, INIT_PROC_NR, (long)&trace_word, &word);
	check("T_SETDATA writes init's data", r == OK && word == WRITTEN_WORD, (int)word);
	v = 0;
	bad_addr = ptrace(T_GETDATA, INIT_PROC_NR, 0x7ffffff0, &v);
	misaligned = ptrace(T_GETUSER, INIT_PROC_NR, 2, &v);
	v = 0x09;
	seg = ptrace(T_SETUSER, INIT_PROC_NR, offsetof(struct sigregs, sr_cs), &v);
	check("address checks: outside the segment, misaligned, segment register", bad_addr == EIO &&
	    misaligned == EIO && seg == EIO, bad_addr);
	v = 0;
	r = ptrace(T_STEP, INIT_PROC_NR, 0, &v);
	sig = r == OK ? wait_stop() : r;
	if (sig == SIGTRAP) {
		ptrace(T_GETUSER, INIT_PROC_NR, offsetof(struct sigregs, sr_pc), &pc);
		ptrace(T_GETUSER, INIT_PROC_NR, offsetof(struct sigregs, sr_retreg), &ax);
	}
	check("T_STEP ran one instruction and stopped init with SIGTRAP", sig == SIGTRAP &&
	    pc == (long)trace_point + 5 && ax == STEP_VALUE, (int)(pc - (long)trace_point));
	v = SET_BY_TRACER;
	r = ptrace(T_SETUSER, INIT_PROC_NR, offsetof(struct sigregs, sr_bx), &v);
	check("T_SETUSER sets init's ebx", r == OK, r);
	v = 0;
	r = ptrace(T_RESUME, INIT_PROC_NR, 0, &v);
	check("T_RESUME", r == OK, r);
	memset(&m, 0, sizeof m);
	m.m_type = TRACE_DONE;
	send(INIT_PROC_NR, &m);
}

/* peer has no catcher for SIGTERM: PM ends it (and with it, init's tracer). */
void
test_kill_peer(void)
{
	message m;
	int r, gone;

	r = kill(PEER_PROC_NR, SIGTERM);
	memset(&m, 0, sizeof m);
	gone = send(PEER_PROC_NR, &m);
	check("SIGTERM without a catcher ended peer", r == OK && gone == EDEADSRCDST, gone);
}

/*
 * A child forked through PM asks to be traced by init and stops at a breakpoint; init reads its
 * memory and ends it with T_EXIT. (The child has a user's privileges: it can only talk to PM.)
 */
void
test_trace_exit(void)
{
	message m;
	int child, status = 0, r, gone;
	long word = 0, none = 0;

	memset(&m, 0, sizeof m);
	child = taskcall(PM_PROC_NR, FORK, &m);
	if (child == 0) {
		child_word = 0xC41D;
		ptrace(T_OK, INIT_PROC_NR, 0, NULL);
		for (;;)
			__asm__ __volatile__("int3");
	}
	r = child > 0 ? waitpid(child, &status, 0) : child;
	check("a child forked through PM, traced by init, stopped at its breakpoint",
	    r == child && WIFSTOPPED(status) && WSTOPSIG(status) == SIGEMT, r);
	r = ptrace(T_GETDATA, child, (long)&child_word, &word);
	if (r == OK)
		r = ptrace(T_EXIT, child, 0, &none);
	memset(&m, 0, sizeof m);
	gone = send(child, &m);
	check("T_GETDATA reads the child's memory; T_EXIT ends it", r == OK && word == 0xC41D && child_word == 0 &&
	    gone == EDEADSRCDST, (int)word);
}

void
catch_console_signals(void)
{
	install(SIGINT, on_int);
}

int
console_interrupted(void)
{
	int was = int_seen;

	int_seen = 0;
	return was != 0;
}
