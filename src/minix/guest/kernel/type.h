/* type.h - kernel-private types: the saved frame, the boot image table, kernel information. */
#ifndef TYPE_H
#define TYPE_H

typedef void (*task_t)(void);
typedef int proc_nr_t;

/* Saved state of a process, in push order reversed (see sconst.h for the offsets). */
struct stackframe_s {
	reg_t gs, fs, es, ds;
	reg_t di, si, fp, st, bx, dx, cx, retreg;
	reg_t retadr;
	reg_t pc, cs, psw, sp, ss;       /* the frame Xen pushes entering the kernel */
};

/* One row of the boot image table (table.c): who runs and with which rights. */
struct boot_image {
	proc_nr_t   proc_nr;
	task_t      initial_pc;       /* kernel tasks only */
	int         flags;
	u8_t        quantum;
	int         priority;
	int         stksize;
	short       trap_mask;
	u32_t       ipc_to;           /* send mask, bits are privilege ids */
	long        call_mask;
	char        proc_name[P_NAME_LEN];
};

/* What the kernel knows of itself, handed to processes by SYS_GETINFO GET_KINFO. */
struct kinfo {
	phys_bytes code_base;
	phys_bytes code_size;
	phys_bytes data_base;
	phys_bytes data_size;
	vir_bytes  proc_addr;         /* VA of the process table */
	phys_bytes kmem_base;
	phys_bytes kmem_size;
	phys_bytes free_base;         /* first free byte after the builder's structures */
	phys_bytes mem_size;          /* all of the domain's memory */
	int        nr_procs;
	int        nr_tasks;
	char       release[6];
	char       version[8];
	char       params[256];       /* boot parameters: "name=value" strings, an empty one last */
};

/* Handler of an internal irq (an event channel or virq bound to it, report 6.2.3). */
typedef int (*irq_handler_t)(int irq);
#endif
