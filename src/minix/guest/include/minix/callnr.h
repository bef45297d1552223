/*
 * minix/callnr.h - the POSIX/MINIX call numbers processes send to PM and FS (MINIX 3.1.1
 * include/minix/callnr.h; minix-facts 4.1). Only PM's calls and NCALLS are listed here;
 * FS's join with FS.
 */
#ifndef _MINIX_CALLNR_H
#define _MINIX_CALLNR_H
#define NCALLS          91

#define EXIT            1
#define FORK            2
#define WAIT            7
#define WAITPID         11
#define TIME            13
#define BRK             17
#define GETPID          20
#define SETUID          23
#define GETUID          24
#define STIME           25
#define PTRACE          26
#define ALARM           27
#define PAUSE           29
#define KILL            37
#define TIMES           43
#define SETGID          46
#define GETGID          47
#define EXEC            59
#define SETSID          62
#define GETPGRP         63
#define SIGACTION       71
#define SIGSUSPEND      72
#define SIGPENDING      73
#define SIGPROCMASK     74
#define SIGRETURN       75
#define REBOOT          76
#define SVRCTL          77
#define GETSYSINFO      79
#define GETPROCNR       80
#define ALLOCMEM        83
#define FREEMEM         84
#define GETPRIORITY     88
#define SETPRIORITY     89
#define GETTIMEOFDAY    90
#endif
