/*
 * minix/com.h - process numbers and message types shared by the kernel, its tasks, drivers
 * and servers (MINIX 3.1.1 numbers; minix-facts 2-4). The port adds the control-interface
 * task CTRLIF (report 6.2.4), which moves IDLE to -5 and makes NR_TASKS 5.
 */
#ifndef _MINIX_COM_H
#define _MINIX_COM_H

/* Magic process numbers. */
#define ANY             0x7ace
#define NONE            0x6ace
#define SELF            0x8ace

/* Kernel tasks. */
#define IDLE            -5
#define CTRLIF          -4      /* control-interface task (report 6.2.4) */
#define CLOCK           -3
#define SYSTEM          -2
#define KERNEL          -1
#define HARDWARE        KERNEL
#define NR_TASKS        5

/* Boot processes of 3.1.1 (this image holds PM, TTY, INIT and PEER). */
#define PM_PROC_NR      0       /* the PM stand-in (servers/pm) until the real PM arrives */
#define FS_PROC_NR      1
#define RS_PROC_NR      2
#define MEM_PROC_NR     3
#define LOG_PROC_NR     4
#define TTY_PROC_NR     5
#define DRVR_PROC_NR    6
#define DS_PROC_NR      7
#define INIT_PROC_NR    8       /* the boot test plays init */
#define PEER_PROC_NR    9       /* second copy of the boot test, its IPC peer */
#define NR_BOOT_PROCS   (NR_TASKS + 4)  /* the tasks (KERNEL included), pm, tty, init, peer */

/* Notifications: m_type = NOTIFY_MESSAGE | (source + NR_TASKS). */
#define NOTIFY_MESSAGE  0x1000
#define NOTIFY_FROM(p)  (NOTIFY_MESSAGE | ((p) + NR_TASKS))
#define SYN_ALARM       NOTIFY_FROM(CLOCK)
#define SYS_SIG         NOTIFY_FROM(SYSTEM)
#define HARD_INT        NOTIFY_FROM(HARDWARE)
#define CTRLIF_NOTIFY   NOTIFY_FROM(CTRLIF)   /* control messages wait for the handler */
#define NOTIFY_SOURCE   m_source
#define NOTIFY_TYPE     m_type
#define NOTIFY_ARG      m2_l1
#define NOTIFY_TIMESTAMP m2_l2

/* Character and block device requests and replies. */
#define DEV_RQ_BASE     0x400
#define CANCEL          (DEV_RQ_BASE + 0)
#define DEV_READ        (DEV_RQ_BASE + 3)
#define DEV_WRITE       (DEV_RQ_BASE + 4)
#define DEV_IOCTL       (DEV_RQ_BASE + 5)
#define DEV_OPEN        (DEV_RQ_BASE + 6)
#define DEV_CLOSE       (DEV_RQ_BASE + 7)
#define DEV_STATUS      (DEV_RQ_BASE + 13)
#define DEV_RS_BASE     0x500
#define DEV_REVIVE      (DEV_RS_BASE + 2)
#define DEV_NO_STATUS   (DEV_RS_BASE + 4)
#define TASK_REPLY      68
#define SUSPEND         -998

#define DEVICE          m2_i1
#define IO_PROC         m2_i2   /* "PROC_NR" in 3.1.1 */
#define COUNT           m2_i3
#define POSITION        m2_l1
#define ADDRESS         m2_p1
#define REP_PROC_NR     m2_i1
#define REP_STATUS      m2_i2

/* Kernel calls to the SYSTEM task. */
#define KERNEL_CALL     0x600
#define SYS_FORK        (KERNEL_CALL + 0)
#define SYS_EXEC        (KERNEL_CALL + 1)
#define SYS_EXIT        (KERNEL_CALL + 2)
#define SYS_NICE        (KERNEL_CALL + 3)
#define SYS_PRIVCTL     (KERNEL_CALL + 4)
#define SYS_TRACE       (KERNEL_CALL + 5)
#define SYS_KILL        (KERNEL_CALL + 6)
#define SYS_GETKSIG     (KERNEL_CALL + 7)
#define SYS_ENDKSIG     (KERNEL_CALL + 8)
#define SYS_SIGSEND     (KERNEL_CALL + 9)
#define SYS_SIGRETURN   (KERNEL_CALL + 10)
#define SYS_NEWMAP      (KERNEL_CALL + 11)
#define SYS_SEGCTL      (KERNEL_CALL + 12)
#define SYS_MEMSET      (KERNEL_CALL + 13)
#define SYS_UMAP        (KERNEL_CALL + 14)
#define SYS_VIRCOPY     (KERNEL_CALL + 15)
#define SYS_PHYSCOPY    (KERNEL_CALL + 16)
#define SYS_VIRVCOPY    (KERNEL_CALL + 17)
#define SYS_PHYSVCOPY   (KERNEL_CALL + 18)
#define SYS_IRQCTL      (KERNEL_CALL + 19)
#define SYS_INT86       (KERNEL_CALL + 20)
#define SYS_DEVIO       (KERNEL_CALL + 21)
#define SYS_SDEVIO      (KERNEL_CALL + 22)
#define SYS_VDEVIO      (KERNEL_CALL + 23)
#define SYS_SETALARM    (KERNEL_CALL + 24)
#define SYS_TIMES       (KERNEL_CALL + 25)
#define SYS_GETINFO     (KERNEL_CALL + 26)
#define SYS_ABORT       (KERNEL_CALL + 27)
#define SYS_IOPENABLE   (KERNEL_CALL + 28)
#define NR_SYS_CALLS    29

/* Signals (kernel/system/do_kill.c ... do_sigreturn.c). */
#define SIG_PROC        m2_i1   /* process to signal, or the one GETKSIG found (NONE: none) */
#define SIG_NUMBER      m2_i2
#define SIG_FLAGS       m2_i3
#define SIG_MAP         m2_l1   /* GETKSIG: the pending signals */
#define SIG_CTXT_PTR    m2_p1   /* SIGSEND: struct sigmsg in PM; SIGRETURN: sigcontext in the process */

/* Space codes of a copy: a segment index (T, D, S, or a remote segment's), OR-ed with a type. */
#define SEGMENT_TYPE    0xFF00
#define SEGMENT_INDEX   0x00FF
#define LOCAL_SEG       0x0000  /* the process's T, D or S */
#define REMOTE_SEG      0x0100  /* one of its remote segments (SYS_SEGCTL) */
#define PHYS_SEG        0x0400  /* a pseudo-physical address (SYS_PHYSCOPY only) */

#define CP_SRC_SPACE    m5_c1
#define CP_SRC_PROC_NR  m5_i1
#define CP_SRC_ADDR     m5_l1
#define CP_DST_SPACE    m5_c2
#define CP_DST_PROC_NR  m5_i2
#define CP_DST_ADDR     m5_l2
#define CP_NR_BYTES     m5_l3

#define PR_PROC_NR      m1_i1   /* SYS_FORK (child), EXEC, NEWMAP, NICE: the process */
#define PR_PRIORITY     m1_i2   /* SYS_NICE */
#define PR_PPROC_NR     m1_i2   /* SYS_FORK: the parent */
#define PR_PID          m1_i3   /* SYS_FORK: the child's process id (PM's) */
#define PR_STACK_PTR    m1_p1   /* SYS_EXEC: new stack pointer */
#define PR_NAME_PTR     m1_p2   /* SYS_EXEC: new name, in the caller's D */
#define PR_IP_PTR       m1_p3   /* SYS_EXEC: new program counter */
#define PR_MEM_PTR      m1_p1   /* SYS_NEWMAP: the mem_map[3], in the caller's D */

#define CTL_PROC_NR     m2_i1   /* SYS_PRIVCTL, SYS_TRACE: the process */
#define CTL_REQUEST     m2_i2
#define CTL_MM_PRIV     m2_i3
#define CTL_ARG_PTR     m2_p1
#define CTL_ADDRESS     m2_l1
#define CTL_DATA        m2_l2

#define SEG_SELECT      m4_l1   /* SYS_SEGCTL out: selector */
#define SEG_OFFSET      m4_l2   /* out: offset of the range in that segment */
#define SEG_PHYS        m4_l3   /* in: pseudo-physical base */
#define SEG_SIZE        m4_l4   /* in: bytes */
#define SEG_INDEX       m4_l5   /* out: REMOTE_SEG | index, for copies */
#define PRIO_MIN        (-20)   /* nice range, as setpriority(2) */
#define PRIO_MAX        20
#define MEM_PTR         m2_p1   /* SYS_MEMSET: base (pseudo-physical), count, pattern */
#define MEM_COUNT       m2_l1
#define MEM_PATTERN     m2_l2

#define VCP_VEC_SIZE    m1_i3   /* SYS_VIRVCOPY: entries, vector address, entries done */
#define VCP_VEC_ADDR    m1_p1
#define VCP_NR_OK       m1_i2
#define VCOPYVEC_NR     16

#define I_REQUEST       m7_i3
#define I_PROC_NR       m7_i4
#define I_VAL_PTR       m7_p1
#define I_VAL_LEN       m7_i1
#define I_VAL_PTR2      m7_p2
#define I_VAL_LEN2      m7_i2   /* GET_PROC: which process (SELF = the caller), as 3.1.1 */
#define GET_KINFO       0
#define GET_IMAGE       1
#define GET_PROCTAB     2
#define GET_MONPARAMS   4
#define GET_PROC        11      /* one process-table slot */
#define GET_WHOAMI      17      /* port addition: caller's number and name */

#define T_PROC_NR       m4_l1
#define T_USER_TIME     m4_l1
#define T_SYSTEM_TIME   m4_l2
#define T_BOOT_TICKS    m4_l5

#define ABRT_HOW        m1_i1   /* SYS_ABORT: one of 3.1.1's RBT_* (its <unistd.h>) */
#define RBT_HALT        0
#define RBT_REBOOT      1
#define RBT_PANIC       2       /* a server panicked */
#define RBT_MONITOR     3       /* back to the boot monitor: none under Xen */
#define RBT_RESET       4

#define ALRM_EXP_TIME   m2_l1   /* in: expiry; out: ticks left of the previous alarm */
#define ALRM_TIME_LEFT  m2_l1
#define ALRM_ABS_TIME   m2_i2   /* 1 = absolute uptime, 0 = relative to now */
#define ALRM_PROC_NR    m2_i1

/* Control-interface task requests (report 6.2.4); fields in mess_9. */
#define CTRLIF_BASE           0x700
#define CTRLIF_REG_HND        (CTRLIF_BASE + 1)  /* m9_type: control message type to handle */
#define CTRLIF_UNREG_HND      (CTRLIF_BASE + 2)
#define CTRLIF_SEND_BLOCK     (CTRLIF_BASE + 3)  /* m9_cmsg to the controller, wait for room */
#define CTRLIF_SEND_NOBLOCK   (CTRLIF_BASE + 4)  /* EAGAIN when the tx ring is full */
#define CTRLIF_SEND_RESPONSE  (CTRLIF_BASE + 5)  /* answer a controller request (rx ring) */
#define CTRLIF_NOP            (CTRLIF_BASE + 6)
#define CTRLIF_GET            (CTRLIF_BASE + 7)  /* port addition: fetch a forwarded message */
#define CTRLIF_MSG            (CTRLIF_BASE + 8)  /* reply to CTRLIF_GET carrying one */
#endif
