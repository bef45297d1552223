/*
 * minix/syslib.h - library wrappers for kernel calls to SYSTEM and for the control-interface
 * task (lib/syslib.c). Needs minix/types.h and minix/ipc.h.
 */
#ifndef _MINIX_SYSLIB_H
#define _MINIX_SYSLIB_H
int  taskcall(int who, int type, message *m);
int  sys_vircopy(int src_proc, int src_seg, vir_bytes src, int dst_proc, int dst_seg, vir_bytes dst, phys_bytes n);
int  sys_getinfo(int request, void *ptr, int len);
int  sys_whoami(int *proc_nr, char *name, int len);
int  sys_times(int proc_nr, clock_t *user, clock_t *sys, clock_t *uptime);
int  getuptime(clock_t *ticks);
int  sys_abort(int how);
int  sys_memset(unsigned long pattern, phys_bytes base, phys_bytes bytes);

/* One copy of a SYS_VIRVCOPY vector (MINIX's vir_cp_req, D segments only here). */
struct vir_cp_req {
	int       src_proc;
	vir_bytes src_addr;
	int       dst_proc;
	vir_bytes dst_addr;
	phys_bytes count;
};
int  sys_virvcopy(struct vir_cp_req *vec, int count, int *done);
/* One copy of a SYS_PHYSVCOPY vector (MINIX's phys_cp_req): pseudo-physical addresses. */
struct phys_cp_req {
	phys_bytes src;
	phys_bytes dst;
	phys_bytes count;
};
int  sys_physvcopy(struct phys_cp_req *vec, int count, int *done);
int  sys_setalarm(clock_t exp_time, int abs_time);
int  sys_exit(int proc_nr);
/* sys_signal.c (needs signal.h for sigset_t and struct sigmsg) */
#ifdef _SIGNAL_H
int  sys_kill(int proc_nr, int sig);
int  sys_getksig(int *proc_nr, sigset_t *map);
int  sys_endksig(int proc_nr);
int  sys_sigsend(int proc_nr, struct sigmsg *sig_ctxt);
int  sys_sigreturn(int proc_nr, vir_bytes sig_ctxt);
int  sys_trace(int request, int proc_nr, long addr, long *data);
#endif
int  ctrlif_register(int cmsg_type);
int  ctrlif_send(int type, int subtype, const void *data, int len, int block);
int  ctrlif_respond(const message *cmsg);
int  ctrlif_get(message *m);

/* Process management kernel calls, PM's (lib/sysproc.c). */
struct mem_map;
int  sys_fork(int parent, int child, int pid);
int  sys_newmap(int proc_nr, struct mem_map *map);
int  sys_exec(int proc_nr, vir_bytes sp, const char *name, vir_bytes pc);
int  sys_privctl(int proc_nr);
int  sys_segctl(int *index, u16_t *selector, vir_bytes *offset, phys_bytes phys, vir_bytes size);
/* The common form of sys_vircopy and sys_physcopy (call = SYS_VIRCOPY or SYS_PHYSCOPY). */
int  sys_copy(int call, int src_proc, int src_seg, vir_bytes src, int dst_proc, int dst_seg, vir_bytes dst, phys_bytes n);
int  sys_physcopy(int src_proc, int src_seg, vir_bytes src, int dst_proc, int dst_seg, vir_bytes dst, phys_bytes n);
int  sys_abscopy(phys_bytes src, phys_bytes dst, phys_bytes n);
int  sys_umap(int proc_nr, int seg, vir_bytes vir, vir_bytes bytes, phys_bytes *phys);
int  sys_getproc(void *dst, int proc_nr, int len);
#endif
