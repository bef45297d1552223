/* Static i386 Linux driver for the workloads, for native runs and qemu-i386:
 *   bench32 NAME N  ->  prints "NAME N checksum nanoseconds"
 * It times only the workload call with clock_gettime(CLOCK_MONOTONIC), through int 0x80. */
#include "workloads.h"

struct timespec32 { int sec, nsec; };

static int
sys3(int nr, int a, int b, int c)
{
	int r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

static int streq(const char *a, const char *b) { while (*a && *a == *b) a++, b++; return *a == *b; }
static u32 strlen_(const char *s) { u32 n = 0; while (s[n]) n++; return n; }
static void out(const char *s) { sys3(4, 1, (int)s, (int)strlen_(s)); }

static void
out_dec(unsigned long long v)
{
	char buf[24];
	int n = 23;
	buf[n] = 0;
	do {
		buf[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out(buf + n);
}

static u32
parse(const char *s)
{
	u32 v = 0;
	while (*s >= '0' && *s <= '9') v = v * 10 + (u32)(*s++ - '0');
	return v;
}

int
linux_main(u32 *sp)
{
	u32 argc = sp[0];
	char **argv = (char **)(sp + 1);
	if (argc < 3) {
		out("usage: bench32 reg|mem|call|sort N\n");
		return 2;
	}
	u32 (*fn)(u32) = 0;
	if (streq(argv[1], "reg")) fn = work_reg;
	else if (streq(argv[1], "mem")) fn = work_mem;
	else if (streq(argv[1], "call")) fn = work_call;
	else if (streq(argv[1], "sort")) fn = work_sort;
	if (!fn) {
		out("unknown workload\n");
		return 2;
	}
	u32 n = parse(argv[2]);
	struct timespec32 t0, t1;
	sys3(265, 1, (int)&t0, 0);
	u32 sum = bench_call(fn, n);
	sys3(265, 1, (int)&t1, 0);
	unsigned long long ns = (unsigned long long)(t1.sec - t0.sec) * 1000000000ull + (unsigned long long)(t1.nsec - t0.nsec);
	out(argv[1]); out(" "); out_dec(n); out(" "); out_dec(sum); out(" "); out_dec(ns); out("\n");
	return 0;
}
