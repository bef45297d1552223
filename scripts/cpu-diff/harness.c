/* Native snippet harness: runs differential CPU test cases on the host processor.
 * Reads case records (case-layout.h) from stdin, runs each at CPL 3 in a fixed low address
 * space (data, read-only and code pages), and writes the final registers, eflags, segment
 * selectors, the ending signal with trap number, error code and cr2, and changed data bytes. */
#include "case-layout.h"

typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

long sys6(long nr, long a, long b, long c, long d, long e);
void run_case(void);
void case_resume(void);
void sig_restorer(void);

enum {
	SYS_exit = 1, SYS_read = 3, SYS_write = 4, SYS_mprotect = 125, SYS_rt_sigaction = 174,
	SYS_sigaltstack = 186, SYS_mmap2 = 192, SYS_setitimer = 104,
};
#define EINTR 4
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_PRIVATE 2
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define SA_SIGINFO 4
#define SA_ONSTACK 0x08000000
#define SA_RESTORER 0x04000000
#define SIGVTALRM 26
#define ITIMER_VIRTUAL 1

/* Offsets into the i386 ucontext: uc_mcontext (struct sigcontext) starts at byte 20. */
enum {
	UC_GS = 5, UC_FS, UC_ES, UC_DS, UC_EDI, UC_ESI, UC_EBP, UC_ESP, UC_EBX, UC_EDX, UC_ECX,
	UC_EAX, UC_TRAPNO, UC_ERR, UC_EIP, UC_CS, UC_EFLAGS, UC_ESP_AT_SIGNAL, UC_SS, UC_FPSTATE,
	UC_OLDMASK, UC_CR2,
};

/* Read by run_case through %cs: eax..edi, eflags, then ds,es,fs,gs as u16. */
u32 g_case_regs[11];
u32 g_case_entry;
u32 g_host_esp;

static volatile u32 g_in_case;
static volatile u32 g_case_seq;
static volatile u32 g_case_disturbed;
static u32 g_alarm_seen_seq;
static u8 g_out_fixed[OUT_FIXED];
static u8 g_pattern[DATA_SIZE + RO_SIZE];
static u8 g_altstack[65536] __attribute__((aligned(16)));

static u8 g_inbuf[1 << 20];
static u8 g_outbuf[1 << 20];
static u32 g_outlen;

static void
fail(const char *msg)
{
	u32 n = 0;
	while (msg[n])
		n++;
	sys6(SYS_write, 2, (long)msg, n, 0, 0);
	sys6(SYS_exit, 2, 0, 0, 0, 0);
}

static void
put16(u8 *p, u32 v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void
put32(u8 *p, u32 v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static u32
get16(const u8 *p)
{
	return p[0] | (u32)p[1] << 8;
}

static u32
get32(const u8 *p)
{
	return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static void
flush_out(void)
{
	u32 off = 0;
	while (off < g_outlen) {
		long r = sys6(SYS_write, 1, (long)(g_outbuf + off), g_outlen - off, 0, 0);
		if (r == -EINTR)
			continue;
		if (r <= 0)
			fail("Cannot write harness output: write failed\n");
		off += r;
	}
	g_outlen = 0;
}

/* Records the machine state at the signal, then points the context at case_resume. */
static void
on_signal(int sig, void *info, void *ucv)
{
	u32 *uc = ucv;
	(void)info;
	if (sig == SIGVTALRM) {
		/* The tick counts this process's user CPU time only, so a busy or loaded host cannot
		 * make a case look hung. A case still running at two successive ticks is hung: stop
		 * it. Any other tick that
		 * lands inside a case disturbs it (sigreturn forces RPL 3 on data selectors), so the
		 * case is run again. */
		if (!g_in_case || g_case_seq != g_alarm_seen_seq) {
			g_alarm_seen_seq = g_case_seq;
			if (g_in_case)
				g_case_disturbed = 1;
			return;
		}
	}
	if (!g_in_case)
		fail("harness: unexpected signal outside a case\n");
	g_in_case = 0;
	u8 *o = g_out_fixed;
	put32(o + 4, uc[UC_EAX]);
	put32(o + 8, uc[UC_ECX]);
	put32(o + 12, uc[UC_EDX]);
	put32(o + 16, uc[UC_EBX]);
	put32(o + 20, uc[UC_ESP]);
	put32(o + 24, uc[UC_EBP]);
	put32(o + 28, uc[UC_ESI]);
	put32(o + 32, uc[UC_EDI]);
	put32(o + 36, uc[UC_EFLAGS]);
	put32(o + 40, uc[UC_EIP]);
	put16(o + 44, uc[UC_CS] & 0xffff);
	put16(o + 46, uc[UC_SS] & 0xffff);
	put16(o + 48, uc[UC_DS] & 0xffff);
	put16(o + 50, uc[UC_ES] & 0xffff);
	put16(o + 52, uc[UC_FS] & 0xffff);
	put16(o + 54, uc[UC_GS] & 0xffff);
	o[56] = sig;
	o[57] = uc[UC_TRAPNO];
	put32(o + 60, uc[UC_ERR]);
	put32(o + 64, uc[UC_CR2]);
	uc[UC_EIP] = (u32)case_resume;
	uc[UC_ESP] = g_host_esp;
	uc[UC_EFLAGS] = 0x202;
	uc[UC_CS] = USER_CS;
	uc[UC_SS] = USER_DS;
	uc[UC_DS] = USER_DS;
	uc[UC_ES] = USER_DS;
	uc[UC_FS] = 0;
	uc[UC_GS] = 0;
}

static void
install_handlers(void)
{
	static const int sigs[] = { 4, 5, 7, 8, 11, 16, 26 }; /* ILL TRAP BUS FPE SEGV STKFLT VTALRM */
	u32 ss[3] = { (u32)g_altstack, 0, sizeof g_altstack };
	if (sys6(SYS_sigaltstack, (long)ss, 0, 0, 0, 0) != 0)
		fail("Cannot set up harness: sigaltstack failed\n");
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		u32 act[5] = { (u32)on_signal, SA_SIGINFO | SA_ONSTACK | SA_RESTORER, (u32)sig_restorer, 0, 0 };
		if (sys6(SYS_rt_sigaction, sigs[i], (long)act, 0, 8, 0) != 0)
			fail("Cannot set up harness: rt_sigaction failed\n");
	}
	u32 timer[4] = { 0, 100000, 0, 100000 }; /* 100 ms of user CPU time */
	if (sys6(SYS_setitimer, ITIMER_VIRTUAL, (long)timer, 0, 0, 0) != 0)
		fail("Cannot set up harness: setitimer failed\n");
}

static void
map_fixed(u32 addr, u32 size, u32 prot)
{
	long r = sys6(SYS_mmap2, addr, size, prot, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1);
	if ((u32)r != addr)
		fail("Cannot map harness pages below 64 KiB: check vm.mmap_min_addr (must be <= 32768)\n");
}

static void
setup_memory(void)
{
	u32 x = PATTERN_SEED;
	for (u32 i = 0; i < sizeof g_pattern; i += 4) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		put32(g_pattern + i, x);
	}
	map_fixed(DATA_BASE, DATA_SIZE + RO_SIZE, PROT_READ | PROT_WRITE);
	map_fixed(CODE_BASE, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC);
	u8 *data = (u8 *)DATA_BASE;
	for (u32 i = 0; i < sizeof g_pattern; i++)
		data[i] = g_pattern[i];
	if (sys6(SYS_mprotect, RO_BASE, RO_SIZE, PROT_READ, 0, 0) != 0)
		fail("Cannot set up harness: mprotect failed\n");
	u8 *code = (u8 *)CODE_BASE;
	for (u32 i = 0; i < CODE_SIZE; i++)
		code[i] = 0xCC;
}

static void
emit(const u8 *p, u32 n)
{
	if (g_outlen + n > sizeof g_outbuf)
		flush_out();
	for (u32 i = 0; i < n; i++)
		g_outbuf[g_outlen + i] = p[i];
	g_outlen += n;
}

/* Runs one case record; returns 0 when the record is malformed. */
static int
run_record(const u8 *rec, u32 len)
{
	static u8 changes[3 * DATA_SIZE];
	u8 *data = (u8 *)DATA_BASE;
	u8 *code = (u8 *)CODE_BASE;
	u32 code_off = get16(rec + 48), code_len = rec[50], npatch = rec[51];
	if (len < IN_FIXED + code_len || code_off + code_len > CODE_SIZE)
		return 0;
	for (u32 i = 0; i < 9; i++)
		g_case_regs[i] = get32(rec + 4 + 4 * i);
	for (u32 i = 0; i < 4; i++)
		((u16 *)g_case_regs)[18 + i] = get16(rec + 40 + 2 * i);
	for (u32 i = 0; i < code_len; i++)
		code[code_off + i] = rec[IN_FIXED + i];
	g_case_entry = CODE_BASE + code_off;

	const u8 *p = rec + IN_FIXED + code_len;
	const u8 *end = rec + len;
	const u8 *patches = p;
	for (u32 k = 0; k < npatch; k++) {
		if (p + 3 > end)
			return 0;
		u32 addr = get16(p), n = p[2];
		if (addr < DATA_BASE || addr + n > DATA_BASE + DATA_SIZE || p + 3 + n > end)
			return 0;
		p += 3 + n;
	}

	for (u32 attempt = 0;; attempt++) {
		p = patches;
		for (u32 k = 0; k < npatch; k++) {
			u32 addr = get16(p), n = p[2];
			for (u32 i = 0; i < n; i++)
				data[addr - DATA_BASE + i] = p[3 + i];
			p += 3 + n;
		}
		g_case_disturbed = 0;
		g_case_seq++;
		g_in_case = 1;
		run_case();
		if (!g_case_disturbed || attempt == 3)
			break;
		/* Put the data pages back to the pattern and run the case once more. */
		const u32 *pw0 = (const u32 *)g_pattern;
		u32 *w0 = (u32 *)data;
		for (u32 i = 0; i < DATA_SIZE / 4; i++)
			w0[i] = pw0[i];
	}

	for (u32 i = 0; i < code_len; i++)
		code[code_off + i] = 0xCC;
	/* A case must never store into the code page; if one did, say so and repair the page so
	 * later cases still run on int3 filler. */
	u32 code_written = 0;
	const u32 *cw = (const u32 *)code;
	for (u32 i = 0; i < CODE_SIZE / 4; i++) {
		if (cw[i] != 0xCCCCCCCCu) {
			code_written = 1;
			for (u32 b = 0; b < CODE_SIZE; b++)
				code[b] = 0xCC;
			break;
		}
	}

	/* Patched bytes first: report and restore those that changed from their patch value. */
	u32 nch = 0;
	p = patches;
	for (u32 k = 0; k < npatch; k++) {
		u32 addr = get16(p), n = p[2];
		for (u32 i = 0; i < n; i++) {
			u32 off = addr - DATA_BASE + i;
			if (data[off] != p[3 + i]) {
				put16(changes + 3 * nch, addr + i);
				changes[3 * nch + 2] = data[off];
				nch++;
			}
			data[off] = g_pattern[off];
		}
		p += 3 + n;
	}
	const u32 *w = (const u32 *)data, *pw = (const u32 *)g_pattern;
	for (u32 i = 0; i < DATA_SIZE / 4; i++) {
		if (w[i] == pw[i])
			continue;
		for (u32 b = 4 * i; b < 4 * i + 4; b++) {
			if (data[b] != g_pattern[b]) {
				put16(changes + 3 * nch, DATA_BASE + b);
				changes[3 * nch + 2] = data[b];
				nch++;
				data[b] = g_pattern[b];
			}
		}
	}
	put32(g_out_fixed, OUT_FIXED + 3 * nch);
	put16(g_out_fixed + 58, nch);
	put32(g_out_fixed + 68, code_written);
	emit(g_out_fixed, OUT_FIXED);
	emit(changes, 3 * nch);
	return 1;
}

int
harness_main(void)
{
	setup_memory();
	install_handlers();
	u32 have = 0;
	for (;;) {
		long r = sys6(SYS_read, 0, (long)(g_inbuf + have), sizeof g_inbuf - have, 0, 0);
		if (r == -EINTR)
			continue;
		if (r < 0)
			fail("Cannot read harness input: read failed\n");
		if (r == 0)
			break;
		have += r;
		u32 pos = 0;
		while (have - pos >= 4) {
			u32 len = get32(g_inbuf + pos);
			if (len < IN_FIXED || len > sizeof g_inbuf)
				fail("Cannot run case: record length out of range\n");
			if (have - pos < len)
				break;
			if (!run_record(g_inbuf + pos, len))
				fail("Cannot run case: malformed record\n");
			pos += len;
		}
		for (u32 i = pos; i < have; i++)
			g_inbuf[i - pos] = g_inbuf[i];
		have -= pos;
	}
	if (have != 0)
		fail("Cannot run case: input ends inside a record\n");
	flush_out();
	return 0;
}
