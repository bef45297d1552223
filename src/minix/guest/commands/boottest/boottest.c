/*
 * boottest.c - the boot test program: the image holds it twice, as "init" and "peer". Each
 * checks IPC against the kernel (echo, kernel calls, bad destinations, trap permissions) and
 * against the other (sendrec, notify, a provoked deadlock), printing one line per check on
 * the console through the TTY driver; the signal and trace checks are in sigtest.c. Then init
 * opens the console (becoming its process group) and reads lines from it and echoes them.
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
#include <minix/syslib.h>
#include <xen/xen.h>
#include <xen/io/domain_controller.h>
#include "boottest.h"

#define PING          0x100
#define PONG          0x101
#define DEADLOCK_TEST 0x102
#define CLASH         0x103
#define DONE          0x104
#define PEER_DONE     0x105

int self;
char self_name[P_NAME_LEN + 1];
static int failures;

void
check(const char *what, int ok, int got)
{
	printf("boottest %s: %s %s (%d)\n", self_name, what, ok ? "ok" : "FAILED", got);
	if (!ok)
		failures++;
}

/*
 * What 3.1.1's PM and FS ask the clock with (getuptime: SYS_TIMES for NONE), and the device
 * calls, which a domU answers with EBADREQUEST, as it does a call number past the last.
 */
static void
test_times_and_device_calls(clock_t earlier)
{
	static const int device_calls[] = { SYS_DEVIO, SYS_VDEVIO, SYS_IRQCTL, SYS_INT86, SYS_IOPENABLE,
	    KERNEL_CALL + NR_SYS_CALLS };
	message m;
	clock_t uptime = 0;
	int i, r, refused = 0;

	r = getuptime(&uptime);
	check("getuptime (SYS_TIMES for NONE) gives the uptime", r == OK && uptime >= earlier, r);
	for (i = 0; i < (int)(sizeof device_calls / sizeof device_calls[0]); i++) {
		memset(&m, 0, sizeof m);
		r = taskcall(SYSTEM, device_calls[i], &m);
		if (r == EBADREQUEST)
			refused++;
	}
	check("device calls and an unknown call give EBADREQUEST", refused == i, refused == i ? EBADREQUEST : refused);
}

/* A parameter's value in the boot monitor's form, as 3.1.1's env_get_param finds it; or NULL. */
static const char *
param(const char *params, size_t size, const char *name)
{
	size_t len = strlen(name), at;

	for (at = 0; at < size && params[at] != '\0'; at += strlen(params + at) + 1)
		if (strncmp(params + at, name, len) == 0 && params[at + len] == '=')
			return params + at + len + 1;
	return NULL;
}

static void
test_kernel(void)
{
	message m;
	int r;
	clock_t uptime;
	char params[256], shown[256];
	const char *rootdev, *ramsize;
	size_t at;

	memset(&m, 0, sizeof m);
	m.m_type = 0x4242;
	m.m2_i1 = 77;
	r = echo(&m);
	check("echo", r == OK && m.m_source == self && m.m_type == 0x4242 && m.m2_i1 == 77, r);
	r = send(NR_PROCS + 7, &m);
	check("send to a bad process number gives EBADSRCDST", r == EBADSRCDST, r);
	r = send(50, &m);
	check("send to an empty slot gives EDEADSRCDST", r == EDEADSRCDST, r);
	r = send(CLOCK, &m);
	check("plain send to a kernel task gives ETRAPDENIED", r == ETRAPDENIED, r);
	r = sys_times(SELF, NULL, NULL, &uptime);
	check("SYS_TIMES through sendrec to SYSTEM", r == OK, (int)uptime);
	r = sys_getinfo(GET_MONPARAMS, params, sizeof params);
	params[sizeof params - 2] = params[sizeof params - 1] = '\0';
	check("SYS_GETINFO boot parameters", r == OK, r);
	rootdev = param(params, sizeof params, "rootdev");
	ramsize = param(params, sizeof params, "ramsize");
	check("GET_MONPARAMS in the boot monitor's form: rootdev and ramsize found",
	    rootdev != NULL && strcmp(rootdev, "896") == 0 && ramsize != NULL && strcmp(ramsize, "0") == 0, r);
	/* shown with spaces between the strings */
	for (at = 0; at + 1 < sizeof params && !(params[at] == '\0' && params[at + 1] == '\0'); at++)
		shown[at] = params[at] == '\0' ? ' ' : params[at];
	shown[at] = '\0';
	printf("boottest %s: boot parameters \"%s\"\n", self_name, shown);
	r = taskcall(SYSTEM, KERNEL_CALL + 22, &m);
	check("unpermitted kernel call gives ECALLDENIED", r == ECALLDENIED, r);
	test_times_and_device_calls(uptime);
}

/* A blocking send to a process blocked sending back: one side must get ELOCKED. */
static void
clash(int other)
{
	message m;
	int r;

	memset(&m, 0, sizeof m);
	m.m_type = CLASH;
	r = send(other, &m);
	if (r == ELOCKED) {
		check("deadlock detected", 1, r);
		receive(other, &m);     /* free the other side */
	} else {
		check("send completed after the other side's deadlock", r == OK && m.m_type == CLASH, r);
	}
}

static void
run_init(void)
{
	message m;
	int r;

	memset(&m, 0, sizeof m);
	m.m_type = PING;
	m.m1_i1 = 41;
	r = sendrec(PEER_PROC_NR, &m);
	check("sendrec to peer", r == OK && m.m_type == PONG && m.m1_i1 == 42 && m.m_source == PEER_PROC_NR, r);
	r = notify(PEER_PROC_NR);
	check("notify peer", r == OK, r);
	r = receive(PEER_PROC_NR, &m);
	check("peer saw the notification", r == OK && m.m_type == DONE && m.m1_i1 == NOTIFY_FROM(INIT_PROC_NR), m.m1_i1);
	m.m_type = DEADLOCK_TEST;
	r = send(PEER_PROC_NR, &m);
	check("send to peer", r == OK, r);
	clash(PEER_PROC_NR);
}

static void
run_peer(void)
{
	message m;

	for (;;) {
		if (receive(ANY, &m) != OK)
			continue;
		if (m.m_type == PING) {
			m.m_type = PONG;
			m.m1_i1++;
			send(m.m_source, &m);
		} else if (m.m_type == NOTIFY_FROM(INIT_PROC_NR)) {
			m.m1_i1 = m.m_type;
			m.m_type = DONE;
			send(INIT_PROC_NR, &m);
		} else if (m.m_type == DEADLOCK_TEST) {
			clash(INIT_PROC_NR);
			trace_init();
			return;
		}
	}
}

/*
 * SYS_VIRVCOPY between this process and its peer, and SYS_MEMSET on this process's own memory
 * (its base is in the boot image table the kernel hands out).
 */
static char vec_src[16] = "vector copy!";
static char vec_dst[2][16];
static u32_t fill[4];

static void
test_copies(void)
{
	struct vir_cp_req v[2];
	struct { phys_bytes code_base, code_size; } ki;
	message m;
	int done = -1, r;

	v[0].src_proc = SELF; v[0].src_addr = (vir_bytes)vec_src;
	v[0].dst_proc = SELF; v[0].dst_addr = (vir_bytes)vec_dst[0]; v[0].count = sizeof vec_src;
	v[1] = v[0];
	v[1].dst_addr = (vir_bytes)vec_dst[1];
	r = sys_virvcopy(v, 2, &done);
	check("SYS_VIRVCOPY of two copies", r == OK && done == 2 && strcmp(vec_dst[0], "vector copy!") == 0 &&
	    strcmp(vec_dst[1], "vector copy!") == 0, done);
	v[1].dst_addr = 0x7ffffff0;             /* outside the segment: the second copy fails */
	r = sys_virvcopy(v, 2, &done);
	check("SYS_VIRVCOPY stops at a bad copy", r == EFAULT && done == 1, r);

	m.CP_SRC_PROC_NR = SELF;
	m.CP_SRC_SPACE = D;
	m.CP_SRC_ADDR = (long)fill;
	m.CP_NR_BYTES = sizeof fill;
	r = taskcall(SYSTEM, SYS_UMAP, &m);
	if (r == OK)
		r = sys_memset(0x41424344, (phys_bytes)m.CP_DST_ADDR, sizeof fill);
	check("SYS_MEMSET on our own memory (found with SYS_UMAP)", r == OK && fill[0] == 0x41424344 && fill[3] == 0x41424344, r);
	r = sys_getinfo(GET_KINFO, &ki, sizeof ki);
	if (r == OK)
		r = sys_memset(0, ki.code_base, 16);
	check("SYS_MEMSET refuses the kernel's memory", r == EFAULT, r);
}

/* SYS_SETALARM: CLOCK's SYN_ALARM comes no earlier than asked. */
static void
test_alarm(void)
{
	clock_t before, after;
	message m;
	int r;

	sys_times(SELF, NULL, NULL, &before);
	r = sys_setalarm(6, 0);
	check("SYS_SETALARM in 6 ticks", r == OK, r);
	r = receive(CLOCK, &m);
	sys_times(SELF, NULL, NULL, &after);
	check("SYN_ALARM from CLOCK after 6 ticks", r == OK && m.m_type == SYN_ALARM && m.m_source == CLOCK &&
	    after >= before + 6 && m.NOTIFY_TIMESTAMP >= before + 6, (int)(after - before));
}

/* SYS_NICE: nice 0 keeps the user queue; out-of-range values and kernel tasks are refused. */
static void
test_nice(void)
{
	message m;
	int r, bad, task;

	m.PR_PROC_NR = SELF;
	m.PR_PRIORITY = 0;
	r = taskcall(SYSTEM, SYS_NICE, &m);
	m.PR_PROC_NR = SELF;
	m.PR_PRIORITY = PRIO_MAX + 1;
	bad = taskcall(SYSTEM, SYS_NICE, &m);
	m.PR_PROC_NR = CLOCK;
	m.PR_PRIORITY = 0;
	task = taskcall(SYSTEM, SYS_NICE, &m);
	check("SYS_NICE to 0, out of range refused, kernel task refused", r == OK && bad == EINVAL && task == EPERM, r);
}

/*
 * CTRLIF's requests of report 6.2.4 that the TTY does not make: NOP, unregistering a handler
 * (SHUTDOWN's: CTRLIF then answers xm shutdown itself again), a type past the last refused, and
 * a non-blocking send of console data straight to the domain controller.
 */
static void
test_ctrlif(void)
{
	static const char text[] = "boottest init: sent by CTRLIF_SEND_NOBLOCK\r\n";
	message m;
	int nop, reg, unreg, bad, sent;

	memset(&m, 0, sizeof m);
	nop = taskcall(CTRLIF, CTRLIF_NOP, &m);
	reg = ctrlif_register(CMSG_SHUTDOWN);
	memset(&m, 0, sizeof m);
	m.m9_type = CMSG_SHUTDOWN;
	unreg = taskcall(CTRLIF, CTRLIF_UNREG_HND, &m);
	bad = ctrlif_register(CMSG_MEM_REQUEST + 1);
	check("CTRLIF: NOP, a handler registered and unregistered, a bad type refused",
	    nop == OK && reg == OK && unreg == OK && bad == EINVAL, bad);
	sent = ctrlif_send(CMSG_CONSOLE, CMSG_CONSOLE_DATA, text, (int)sizeof text - 1, 0);
	check("CTRLIF_SEND_NOBLOCK of console data", sent == OK, sent);
}

/* "sleep N": waits N ticks on an alarm, then reports the uptime. */
static void
sleep_ticks(const char *arg)
{
	clock_t n = 0, uptime;
	message m;

	for (; *arg >= '0' && *arg <= '9'; arg++)
		n = n * 10 + (*arg - '0');
	if (n <= 0 || sys_setalarm(n, 0) != OK || receive(CLOCK, &m) != OK || m.m_type != SYN_ALARM) {
		printf("boottest init: cannot sleep\n");
		return;
	}
	sys_times(SELF, NULL, NULL, &uptime);
	printf("boottest init: slept %ld ticks, uptime %ld ticks\n", (long)n, (long)uptime);
}

/* "spin N": keeps the CPU busy for N ticks (the clock ticks every tick), then reports the uptime. */
static void
spin_ticks(const char *arg)
{
	clock_t n = 0, start, now;

	for (; *arg >= '0' && *arg <= '9'; arg++)
		n = n * 10 + (*arg - '0');
	if (n <= 0 || getuptime(&start) != OK) {
		printf("boottest init: cannot spin\n");
		return;
	}
	printf("boottest init: spinning from uptime %ld ticks\n", (long)start);
	do {
		if (getuptime(&now) != OK)
			return;
	} while (now < start + n);
	printf("boottest init: spun from uptime %ld to %ld ticks\n", (long)start, (long)now);
}

/* Opens the console as FS would: the opener becomes its process group (INTR, QUIT). */
static void
open_console(void)
{
	message m;
	int r;

	memset(&m, 0, sizeof m);
	m.DEVICE = 0;
	m.IO_PROC = self;
	m.COUNT = 0;
	r = taskcall(TTY_PROC_NR, DEV_OPEN, &m);
	check("console opened as our controlling terminal", r == TASK_REPLY && m.REP_STATUS == 1, m.REP_STATUS);
	catch_console_signals();
}

/* Reads one line from the console as FS would: DEV_READ, SUSPEND, notify, DEV_STATUS. */
static int
read_line(char *buf, int size)
{
	message m;
	int r;

	memset(&m, 0, sizeof m);
	m.DEVICE = 0;
	m.IO_PROC = self;
	m.ADDRESS = buf;
	m.COUNT = size;
	r = taskcall(TTY_PROC_NR, DEV_READ, &m);
	if (r != TASK_REPLY)
		return r < 0 ? r : EIO;
	if (m.REP_STATUS != SUSPEND)
		return m.REP_STATUS;
	/*
	 * A catcher that ran before we block (the key came while the read was on its way) would
	 * find nobody to unpause: look at its mark first. (A few instructions before the receive
	 * trap stay open, as between MINIX's FS and PM.)
	 */
	if (console_interrupted())
		goto interrupted;
	do {
		r = receive(ANY, &m);
		if (r == OK && m.m_type == NOTIFY_FROM(PM_PROC_NR)) {
			console_interrupted();
			goto interrupted;       /* a catcher ran and PM unpaused us */
		}
	} while (r == OK && m.m_type != NOTIFY_FROM(TTY_PROC_NR));
	r = taskcall(TTY_PROC_NR, DEV_STATUS, &m);
	if (r != DEV_REVIVE)
		return EIO;
	return m.REP_STATUS;

interrupted:
	/* As FS would: cancel the read at the driver and fail it with EINTR. */
	memset(&m, 0, sizeof m);
	m.DEVICE = 0;
	m.IO_PROC = self;
	taskcall(TTY_PROC_NR, CANCEL, &m);
	return EINTR;
}

int
main(void)
{
	char line[128];
	clock_t uptime;
	message m;
	int n;

	if (sys_whoami(&self, self_name, P_NAME_LEN) != OK)
		return 1;
	self_name[P_NAME_LEN] = '\0';
	test_kernel();
	if (self == PEER_PROC_NR) {
		message m;

		run_peer();
		printf("boottest peer: done, %d failures\n", failures);
		/* init may now end us with a signal: wait for it, blocked where that is safe */
		memset(&m, 0, sizeof m);
		m.m_type = PEER_DONE;
		send(INIT_PROC_NR, &m);
		for (;;)
			receive(ANY, &m);
	}
	run_init();
	test_alarm();
	test_nice();
	test_copies();
	test_ctrlif();
	test_signals();
	test_traced();
	receive(PEER_PROC_NR, &m);              /* PEER_DONE */
	test_kill_peer();
	test_trace_exit();
	open_console();
	printf("boottest init: done, %d failures\n", failures);
	for (;;) {
		printf("minix> ");
		n = read_line(line, (int)sizeof line - 1);
		if (n == EINTR) {
			printf("boottest init: read interrupted (%d)\n", n);
			continue;
		}
		if (n < 0) {
			printf("boottest init: console read failed (%d)\n", n);
			return 1;
		}
		line[n] = '\0';
		if (strcmp(line, "fault\n") == 0) {
			/* A divide error: SIGFPE, whose default action (no catcher now) ends init. */
			unsigned q, zero = 0;

			printf("boottest init: dividing by zero\n");
			/* In assembly: C lets the compiler turn a division by zero into anything. */
			__asm__ __volatile__("divl %2" : "=a"(q) : "a"(1), "r"(zero), "d"(0));
			n = (int)q;
		}
		if (strncmp(line, "sleep ", 6) == 0) {
			sleep_ticks(line + 6);
			continue;
		}
		if (strcmp(line, "halt\n") == 0) {
			/* As PM's reboot(RBT_HALT) ends: SYS_ABORT powers the domain off. */
			printf("boottest init: halting\n");
			n = sys_abort(RBT_HALT);
			printf("boottest init: SYS_ABORT returned (%d)\n", n);
			continue;
		}
		if (strncmp(line, "spin ", 5) == 0) {
			spin_ticks(line + 5);
			continue;
		}
		printf("boottest init: read %d bytes: %s", n, line);
		if (n == 0 || line[n - 1] != '\n')
			printf("\n");
		if (sys_times(SELF, NULL, NULL, &uptime) == OK)
			printf("boottest init: uptime %ld ticks\n", (long)uptime);
	}
}
