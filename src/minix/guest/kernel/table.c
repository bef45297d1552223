/*
 * table.c - the boot image table and the kernel's global storage (MINIX kernel/table.c).
 * Rows are in image order: the kernel tasks (all in the kernel's a.out), then one row per
 * further program of the boot image. Kernel tasks run in ring 2 on stacks carved from t_stack.
 */
#include "kernel.h"

/* Stack sizes of the kernel tasks (bytes); HARDWARE never runs. */
#define IDLE_S     2048
#define CTRLIF_S   4096
#define CLOCK_S    4096
#define SYSTEM_S   4096
#define HARDWARE_S 0
#define TOT_STACK_SPACE (IDLE_S + CTRLIF_S + CLOCK_S + SYSTEM_S + HARDWARE_S)

/* Send masks: bit = privilege id. Every system process here may send to every other. */
#define SYS_M   (~0U)
/* Kernel-call masks: bit = call - KERNEL_CALL. */
#define c(n)    (1L << ((n) - KERNEL_CALL))
#define TTY_C   (c(SYS_VIRCOPY) | c(SYS_UMAP) | c(SYS_GETINFO) | c(SYS_TIMES) | c(SYS_ABORT) | c(SYS_SETALARM) | c(SYS_KILL))
/* The boot test may also make a driver's device calls (to see them refused in a domU), not SDEVIO. */
#define TEST_C  (c(SYS_VIRCOPY) | c(SYS_VIRVCOPY) | c(SYS_UMAP) | c(SYS_MEMSET) | c(SYS_GETINFO) | c(SYS_TIMES) | c(SYS_EXIT) | c(SYS_ABORT) | c(SYS_SETALARM) | c(SYS_NICE) | c(SYS_KILL) | \
                 c(SYS_DEVIO) | c(SYS_VDEVIO) | c(SYS_IRQCTL) | c(SYS_INT86) | c(SYS_IOPENABLE))
/* PM may make every kernel call but the device and interrupt ones (3.1.1's PM_C). */
#define PM_C    (~0L & ~(c(SYS_DEVIO) | c(SYS_SDEVIO) | c(SYS_VDEVIO) | c(SYS_IRQCTL) | c(SYS_INT86)))
/* Kernel tasks receive, and reply with send or notify (see the README on TSK_T). */
#define TASK_T  ((1 << RECEIVE) | (1 << SEND) | (1 << NOTIFY))

char t_stack[TOT_STACK_SPACE] __attribute__((aligned(16)));

struct boot_image image[] = {
	{ IDLE,         idle_task,   IDL_F, 8, IDLE_Q, IDLE_S,     0,      0,     0,      "IDLE"   },
	{ CTRLIF,       ctrlif_task, TSK_F, 0, TASK_Q, CTRLIF_S,   TASK_T, SYS_M, 0,      "CTRLIF" },
	{ CLOCK,        clock_task,  TSK_F, 0, TASK_Q, CLOCK_S,    TASK_T, SYS_M, 0,      "CLOCK"  },
	{ SYSTEM,       sys_task,    TSK_F, 0, TASK_Q, SYSTEM_S,   TASK_T, SYS_M, 0,      "SYSTEM" },
	{ HARDWARE,     0,           TSK_F, 0, TASK_Q, HARDWARE_S, 0,      SYS_M, 0,      "KERNEL" },
	{ PM_PROC_NR,   0,           SRV_F, 32, 3,     0,          SRV_T,  SYS_M, PM_C,   "pm"     },
	{ TTY_PROC_NR,  0,           SRV_F, 4, 1,      0,          SRV_T,  SYS_M, TTY_C,  "tty"    },
	{ INIT_PROC_NR, 0,           SRV_F, 8, USER_Q, 0,          SRV_T,  SYS_M, TEST_C, "init"   },
	{ PEER_PROC_NR, 0,           SRV_F, 8, USER_Q, 0,          SRV_T,  SYS_M, TEST_C, "peer"   },
};

/* Globals (glo.h). */
struct proc proc[NR_TASKS + NR_PROCS];
struct priv ppriv[NR_PRIV_SLOTS];
struct proc *proc_ptr;
struct proc *next_ptr;
struct proc *bill_ptr;
struct proc *prev_ptr;
struct proc *rdy_head[NR_SCHED_QUEUES];
struct proc *rdy_tail[NR_SCHED_QUEUES];
int k_reenter;
struct kinfo kinfo;
minix_start_info_t *msi;
clock_t realtime;
u32_t system_hz = HZ;
u32_t clock_ticks_counted;
u32_t ex_number, trap_errno, fault_cr2;

/* The table must have one row per boot process. */
typedef char image_table_size_check[sizeof image / sizeof image[0] == NR_BOOT_PROCS ? 1 : -1];
