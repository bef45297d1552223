/*
 * system.h - handlers of the SYSTEM task's kernel calls that live in kernel/system/, one file
 * per call as MINIX 3.1.1 lays them out. Each takes the request and fills in the reply.
 */
#ifndef SYSTEM_H
#define SYSTEM_H
int do_kill(message *m);
int do_getksig(message *m);
int do_endksig(message *m);
int do_sigsend(message *m);
int do_sigreturn(message *m);
int do_trace(message *m);
#endif
