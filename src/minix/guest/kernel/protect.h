/*
 * protect.h - protection on Xen (report 6.2.2): rings, GDT slots and selectors. No LDTs and
 * no TSS: each process gets SEGS_PER_PROC descriptors of its own in the 16-frame GDT, written
 * through update_descriptor and never in Xen's reserved slots 256..295. Needs minix/bootinfo.h.
 */
#ifndef PROTECT_H
#define PROTECT_H

/* Rings under Xen: kernel in 1 (Xen holds 0), kernel tasks in 2, everything else in 3. */
#define INTR_PRIVILEGE       1
#define TASK_PRIVILEGE       2
#define USER_PRIVILEGE       3

/* Fixed GDT slots. 1 and 2 are written by the builder; the kernel fills the rest. */
#define TASK_CS_INDEX        3      /* ring-2 code, base 0 */
#define TASK_DS_INDEX        4      /* ring-2 data, base 0 */
#define EXTRA_INDEX          5      /* ring-1 data over all memory, for copies (report 6.2.2) */
#define FIRST_PROC_GDT_INDEX 8
#define SEGS_PER_PROC        5      /* CS, DS and 3 extra (remote) segments */
#define EXTRA_SEG_OFFSET     2      /* first extra segment after CS and DS */
#define NR_REMOTE_SEGS       (SEGS_PER_PROC - EXTRA_SEG_OFFSET)

#define SELECTOR(index, rpl) (((index) << 3) | (rpl))
#define KERNEL_CS_SELECTOR   SELECTOR(KERNEL_CS_INDEX, INTR_PRIVILEGE)   /* 0x09 */
#define KERNEL_DS_SELECTOR   SELECTOR(KERNEL_DS_INDEX, INTR_PRIVILEGE)   /* 0x11 */
#define TASK_CS_SELECTOR     SELECTOR(TASK_CS_INDEX, TASK_PRIVILEGE)     /* 0x1A */
#define TASK_DS_SELECTOR     SELECTOR(TASK_DS_INDEX, TASK_PRIVILEGE)     /* 0x22 */
#define EXTRA_SELECTOR       SELECTOR(EXTRA_INDEX, INTR_PRIVILEGE)       /* 0x29 */

/* Software interrupts. */
#define XEN_PROXY_VECTOR     34     /* ring-2 tasks ask the kernel to make a hypercall */

/* Descriptor bits (access byte and granularity nibble). */
#define PRESENT              0x80
#define DPL_SHIFT            5
#define SEGMENT              0x10
#define EXECUTABLE           0x08
#define READABLE             0x02
#define WRITEABLE            0x02
#define GRANULAR             0x80   /* limit counts 4 KiB pages */
#define DEFAULT              0x40   /* 32-bit segment */
#define BYTE_GRAN_MAX        0xFFFFF
/* Largest limit Xen accepts for a guest segment: pages up to 0xFC3FFFFF. */
#define MAX_LIMIT_PAGES      0xFC3FF

#define INIT_PSW             0x0202 /* IF plus the always-one bit; IOPL stays 0 under Xen */
#define INIT_TASK_PSW        0x0202
#define TRACEBIT             0x0100 /* TF: a debug exception after each instruction */
/* EFLAGS bits a process may set (sigreturn, T_SETUSER): OF DF SF ZF AF PF CF, as MINIX's SETPSW. */
#define USER_PSW_BITS        0x0CD5
#endif
