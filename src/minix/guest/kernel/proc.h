/*
 * proc.h - the process table (MINIX 3.1.1 kernel/proc.h on Xen): the saved frame comes first
 * so a trap from ring 2/3 lands in it (stack_switch points there); GDT slot numbers replace
 * the LDT (report 6.2.2). Scheduling queues: 16 levels, TASK_Q highest, IDLE_Q lowest.
 */
#ifndef PROC_H
#define PROC_H

struct proc {
	struct stackframe_s p_reg;    /* must be first: P_STACKTOP = sizeof */
	int p_gdt_index;              /* first of this slot's SEGS_PER_PROC GDT entries */
	reg_t p_cs_sel, p_ds_sel;
	proc_nr_t p_nr;
	struct priv *p_priv;
	short p_rts_flags;            /* runnable only when 0 */
	short p_misc_flags;
	char p_priority;              /* current scheduling queue */
	char p_max_priority;
	char p_ticks_left;
	char p_quantum_size;
	struct mem_map p_memmap[NR_LOCAL_SEGS];
	clock_t p_user_time;
	clock_t p_sys_time;
	struct proc *p_nextready;     /* next in its scheduling queue */
	struct proc *p_caller_q;      /* first of those blocked sending to this one */
	struct proc *p_q_link;        /* next in that list */
	vir_bytes p_messbuf;          /* message buffer, virtual in its D segment */
	proc_nr_t p_getfrom;          /* whom a RECEIVING process waits for */
	proc_nr_t p_sendto;           /* whom a SENDING process waits for */
	sigset_t p_pending;           /* kernel signals PM has not fetched yet (SYS_GETKSIG) */
	char p_name[P_NAME_LEN];
};

/* p_rts_flags */
#define SLOT_FREE     0x01
#define NO_MAP        0x02
#define SENDING       0x04
#define RECEIVING     0x08
#define SIGNALED      0x10
#define SIG_PENDING   0x20
#define P_STOP        0x40
#define NO_PRIV       0x80

/* p_misc_flags */
#define REPLY_PENDING 0x01

/* Scheduling queues. */
#define NR_SCHED_QUEUES 16
#define TASK_Q          0
#define MAX_USER_Q      0
#define USER_Q          7
#define MIN_USER_Q      14
#define IDLE_Q          15

#define BEG_PROC_ADDR   (&proc[0])
#define END_PROC_ADDR   (&proc[NR_TASKS + NR_PROCS])
#define proc_addr(n)    (&proc[NR_TASKS + (n)])
#define proc_nr(p)      ((p)->p_nr)
#define isokprocn(n)    ((unsigned)((n) + NR_TASKS) < NR_TASKS + NR_PROCS)
#define isemptyn(n)     ((proc_addr(n)->p_rts_flags & SLOT_FREE) != 0)
#define isemptyp(p)     (((p)->p_rts_flags & SLOT_FREE) != 0)
#define iskerneln(n)    ((n) < 0)
#define isuserp(p)      (((p)->p_priv->s_flags & SYS_PROC) == 0)
#define priv(p)         ((p)->p_priv)
#endif
