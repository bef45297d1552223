/* sys/wait.h - waitpid and the status word of a stopped child (MINIX 3.1.1's encoding). */
#ifndef _SYS_WAIT_H
#define _SYS_WAIT_H
#define WIFSTOPPED(s)   (((s) & 0377) == 0177)
#define WSTOPSIG(s)     (((s) >> 8) & 0377)
int waitpid(int pid, int *status, int options);
#endif
