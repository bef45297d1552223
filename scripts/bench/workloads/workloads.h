/* CPU benchmark workloads: each takes a repetition count and returns a checksum, and runs
 * the same instructions per repetition, so its instruction count is a + b*n exactly. */
typedef unsigned int u32;

u32 work_reg(u32 n);    /* register ALU loop */
u32 work_mem(u32 n);    /* byte loads and stores over a 64 KiB buffer */
u32 work_call(u32 n);   /* a call/ret per iteration, argument on the stack */
u32 work_sort(u32 n);   /* quicksort of 256 words, n times (loops, branches, memory, calls) */

/* call_workload.S: bench_call(fn, n) calls fn(n) between the labels the counters use */
u32 bench_call(u32 (*fn)(u32), u32 n);
