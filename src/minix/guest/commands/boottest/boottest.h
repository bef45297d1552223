/* boottest.h - what the boot test's files share: who we are and the one-line check report. */
#ifndef BOOTTEST_H
#define BOOTTEST_H
extern int self;
extern char self_name[];
void check(const char *what, int ok, int got);

/* sigtest.c */
void test_signals(void);        /* init: catchers, SIGFPE, a forged sigcontext */
void test_traced(void);         /* init: traced by peer, stopped at a breakpoint and stepped */
void trace_init(void);          /* peer: the tracer's side */
void test_kill_peer(void);      /* init: a signal without a catcher ends peer */
void test_trace_exit(void);     /* init: a forked child traced, then ended with T_EXIT */
void catch_console_signals(void);
int  console_interrupted(void); /* 1 once after a catcher ran for INTR */
#endif
