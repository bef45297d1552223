/*
 * priv.h - privilege structures of system processes (MINIX 3.1.1 kernel/priv.h, simplified):
 * which IPC primitives a process may use, to whom it may send, which kernel calls it may make,
 * and the notifications and interrupts waiting for it.
 */
#ifndef PRIV_H
#define PRIV_H

/* A remote segment a process set up with SYS_SEGCTL. */
struct far_mem {
	int         in_use;
	phys_bytes  mem_phys;
	vir_bytes   mem_len;
};

struct priv {
	proc_nr_t s_proc_nr;          /* owner, or NONE when the slot is free */
	int       s_id;               /* index in priv[], the bit others use for this process */
	short     s_flags;
	short     s_trap_mask;        /* allowed primitives, bit (1 << SEND) etc. */
	u32_t     s_ipc_to;           /* may send to these privilege ids */
	long      s_call_mask;        /* allowed kernel calls, bit (1 << (call - KERNEL_CALL)) */
	u32_t     s_notify_pending;   /* notifications waiting, bit = sender's privilege id */
	u32_t     s_int_pending;      /* internal irqs waiting for a HARD_INT */
	clock_t   s_alarm;            /* uptime at which SYN_ALARM is due, 0 = none */
	sigset_t  s_sig_pending;      /* signals for this system process, sent with SYS_SIG */
	struct far_mem s_farmem[NR_REMOTE_SEGS];   /* SYS_SEGCTL's segments */
};

/* s_flags */
#define PREEMPTIBLE   0x02
#define BILLABLE      0x04
#define SYS_PROC      0x10

#define IDL_F   (SYS_PROC | PREEMPTIBLE | BILLABLE)
#define TSK_F   (SYS_PROC)
#define SRV_F   (SYS_PROC | PREEMPTIBLE)
#define USR_F   (BILLABLE | PREEMPTIBLE)

/* Trap masks. */
#define TSK_T   (1 << RECEIVE)
#define SRV_T   (~0)
#define USR_T   ((1 << SENDREC) | (1 << ECHO))

#define NR_PRIV_SLOTS NR_SYS_PROCS
#define USER_PRIV_ID  0
#endif
