/*
 * system.h - the SYSTEM task's handlers, one file each in kernel/system/ (MINIX 3.1.1
 * kernel/system.h), and the helpers they share (system.c). Include after kernel.h.
 */
#ifndef SYSTEM_H
#define SYSTEM_H
#include <minix/syslib.h>

/* system.c */
struct proc *proc_or_self(int who, int caller);
phys_bytes umap_remote(struct proc *rp, int index, vir_bytes vir, vir_bytes bytes);
int  get_priv(struct proc *rp, int sys);
int  phys_range_ok(phys_bytes base, phys_bytes bytes, int writing);

/* One handler per kernel call; each returns the reply's m_type or EDONTREPLY. */
int  do_fork(message *m);
int  do_exec(message *m);
int  do_exit(message *m);
int  do_nice(message *m);
int  do_privctl(message *m);
int  do_newmap(message *m);
int  do_segctl(message *m);
int  do_memset(message *m);
int  do_umap(message *m);
int  do_copy(message *m);
int  do_virvcopy(message *m);
int  do_physvcopy(message *m);
int  do_setalarm(message *m);
int  do_times(message *m);
int  do_getinfo(message *m);
int  do_abort(message *m);
int  do_kill(message *m);
int  do_getksig(message *m);
int  do_endksig(message *m);
int  do_sigsend(message *m);
int  do_sigreturn(message *m);
int  do_trace(message *m);
#endif
