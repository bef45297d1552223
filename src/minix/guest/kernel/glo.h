/* glo.h - the kernel's global variables (defined in table.c); the assembly uses several. */
#ifndef GLO_H
#define GLO_H

extern struct proc proc[NR_TASKS + NR_PROCS];
extern struct priv ppriv[NR_PRIV_SLOTS];
extern struct proc *proc_ptr;        /* the process running, or about to */
extern struct proc *next_ptr;        /* chosen by pick_proc, taken over by restart */
extern struct proc *bill_ptr;        /* who pays for system time */
extern struct proc *prev_ptr;        /* last process that used up its quantum */
extern struct proc *rdy_head[NR_SCHED_QUEUES];
extern struct proc *rdy_tail[NR_SCHED_QUEUES];
extern int k_reenter;                /* -1 while a process runs */
extern struct kinfo kinfo;
extern minix_start_info_t *msi;      /* start info the builder gave us (esi on entry) */
extern struct boot_image image[];
extern clock_t realtime;             /* clock ticks since boot */
extern u32_t system_hz;              /* clock ticks per second (boot parameter hz) */
extern u32_t clock_ticks_counted;    /* handler calls that advanced realtime by one tick */
extern u32_t ex_number, trap_errno, fault_cr2;

#define shared ((shared_info_t *)SHARED_INFO_VA)
#endif
