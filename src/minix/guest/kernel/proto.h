/* proto.h - every kernel function used across files, grouped by the file defining it. */
#ifndef PROTO_H
#define PROTO_H

/* mpx.S, klib.S */
void  restart(void);
void  divide_error(void), single_step_exception(void), breakpoint_exception(void);
void  overflow(void), bounds_check(void), inval_opcode(void), copr_not_available(void);
void  copr_seg_overrun(void), inval_tss(void), segment_not_present(void);
void  stack_exception(void), general_protection(void), page_fault(void);
void  copr_error(void), alignment_check(void), simd_exception(void);
void  s_call(void), xen_proxy_trap(void), hypervisor_callback(void), failsafe_callback(void);
long  xen_op(unsigned op, unsigned a1, unsigned a2, unsigned a3, unsigned a4, unsigned a5);
long  xen_proxy_int(multicall_entry_t *e);
int   current_ring(void);

/* xen.c */
long  hypercall(unsigned op, unsigned a1, unsigned a2, unsigned a3, unsigned a4, unsigned a5);
void  do_xen_proxy_op(void);
long  hypervisor_console_write(const char *buf, int len);
long  hypervisor_stack_switch(unsigned ss, unsigned esp);
long  hypervisor_update_descriptor(u32_t ma, u32_t lo, u32_t hi);
long  hypervisor_set_trap_table(const trap_info_t *table);
long  hypervisor_set_callbacks(unsigned cs, void (*event)(void), void (*failsafe)(void));
long  hypervisor_event_channel_op(evtchn_op_t *op);
long  hypervisor_set_timer_op(u64_t abs_ns);
long  hypervisor_block(void);
long  hypervisor_yield(void);
long  hypervisor_shutdown(unsigned reason);
long  hypervisor_xen_version(void);
void  intr_disable(void);
void  intr_enable(void);

/* start.c */
void  xen_cstart(minix_start_info_t *info);

/* protect.c */
void  prot_init(void);
void  alloc_segments(struct proc *rp);
reg_t set_remote_segment(struct proc *rp, int index, phys_bytes base, vir_bytes size);
void  clear_remote_segments(struct proc *rp);
u32_t gdt_entry_ma(int index);

/* main.c */
void  main(void);
void  idle_task(void);
void  prepare_shutdown(int how);

/* proc.c */
int   sys_call(int call_nr, int src_dst, vir_bytes m_ptr);
void  do_ipc_trap(void);
int   lock_notify(int src, int dst);
int   lock_send(int dst, message *m);
void  enqueue(struct proc *rp);
void  dequeue(struct proc *rp);
void  block_proc(struct proc *rp, int flags);
void  unblock_proc(struct proc *rp, int flags);
void  lock_enqueue(struct proc *rp);
void  lock_dequeue(struct proc *rp);
void  restart_prepare(void);

/* evtchn.c */
void  init_events(void);
int   bind_virq_to_irq(int virq);
int   bind_evtchn_to_irq(int port);
void  put_irq_handler(int irq, irq_handler_t handler);
void  enable_irq(int irq);
void  disable_irq(int irq);
int   irq_pending(int irq);
void  do_hypervisor_callback(void);
int   notify_remote_port(int port);

/* clock.c */
void  clock_task(void);
clock_t get_uptime(void);
clock_t set_alarm(struct proc *rp, clock_t exp);
u64_t xen_system_time(void);

/* system.c */
void  sys_task(void);
phys_bytes umap_local(struct proc *rp, int seg, vir_bytes vir, vir_bytes bytes);

/* system/cause_sig.c */
void  cause_sig(int proc_nr, int sig_nr);
void  send_sig(int proc_nr, int sig_nr);

/* ctrlif.c */
void  ctrlif_task(void);

/* exception.c */
void  exception(unsigned vector, unsigned error);
void  kernel_fault(unsigned vector, unsigned error, unsigned eip);
void  failsafe_panic(void);

/* utility.c */
int   kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void  panic(const char *who, const char *mess, int nr);
#endif
