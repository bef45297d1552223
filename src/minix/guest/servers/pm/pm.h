/*
 * pm.h - the PM stand-in (servers/pm): plays MINIX's process manager at PM_PROC_NR until the
 * real PM arrives. Its main loop receives a message, hands it to the handler of its type and
 * replies with the handler's result (unless it is SUSPEND: no reply now, or never).
 */
#ifndef PM_H
#define PM_H
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <stdio.h>
#include <errno.h>
#include <minix/config.h>
#include <minix/const.h>
#include <minix/types.h>
#include <minix/com.h>
#include <minix/callnr.h>
#include <minix/ipc.h>
#include <minix/syslib.h>

/* A handler's result: OK/error/value goes back as the reply's m_type; SUSPEND sends nothing. */
typedef int (*pm_handler_t)(message *m);

/* main.c */
extern int pm_failures;
void pm_check(const char *what, int ok, int got);
int  pm_reply(int whom, int result, message *m);

/* pm_signal.c: the signal manager's part of PM (owned by the signals work). */
void pm_signal_init(void);
/* Handles a message if it is a signal matter (SYS_SIG notification, KILL, SIGACTION, ...);
 * returns 1 and sets *result when it did, 0 when the message is not about signals. */
int  pm_signal_message(message *m, int *result);
/* PM's exit and fork paths call these so signal state follows the process slots. */
void pm_signal_exit(int proc_nr);
void pm_signal_fork(int parent, int child);
#endif
