/* sys/ptrace.h - the requests of SYS_TRACE and of PM's ptrace (MINIX 3.1.1 numbers). */
#ifndef _SYS_PTRACE_H
#define _SYS_PTRACE_H
#define T_STOP     -1   /* stop the process */
#define T_OK        0   /* enable tracing by the parent (PM only) */
#define T_GETINS    1   /* a word from text space */
#define T_GETDATA   2   /* a word from data space */
#define T_GETUSER   3   /* a word from the process table slot */
#define T_SETINS    4   /* set a word in text space */
#define T_SETDATA   5   /* set a word in data space */
#define T_SETUSER   6   /* set a word of the saved registers */
#define T_RESUME    7   /* resume execution */
#define T_EXIT      8   /* end the process (PM only) */
#define T_STEP      9   /* resume for one instruction (trace flag) */

/* lib/signal.c: a request to PM; the word read comes back in *data. Errors are negative. */
int ptrace(int req, int pid, long addr, long *data);
#endif
