/*
 * xen/xen.h - the Xen 2.0 (x86_32) guest interface: numbers, selectors and packed structs.
 * The guest-side twin of src/xen/abi.ts; test/xen/abi-probe.test.ts checks they agree.
 * Self-contained (no includes); the C-only part is fenced so .S files can use the numbers.
 * Addresses: "MA" machine address, "MFN" machine frame, "PFN" pseudo-physical frame, "VA".
 */
#ifndef XEN_XEN_H
#define XEN_XEN_H

/* ---- Memory layout ------------------------------------------------------------------ */
#define PAGE_SHIFT                 12
#define PAGE_SIZE                  4096
#define HYPERVISOR_VIRT_START      0xFC000000  /* nothing at/above is guest-mappable    */
#define MACH2PHYS_VIRT_START       0xFC000000  /* read-only u32 m2p[mfn] = pfn          */
#define MACH2PHYS_VIRT_END         0xFC400000
#define XEN_PAGE_OFFSET            0xFC400000  /* segment limits end below this        */
#define FIRST_XEN_L2_SLOT          1008        /* L2 slots >= this belong to Xen        */
#define L1_ENTRIES                 1024
#define L2_ENTRIES                 1024
#define INVALID_M2P_ENTRY          0xFFFFFFFF

/* ---- GDT ---------------------------------------------------------------------------- */
#define NR_RESERVED_GDT_ENTRIES    40
#define FIRST_RESERVED_GDT_ENTRY   256
#define LAST_RESERVED_GDT_ENTRY    295
#define DEFAULT_GDT_ENTRIES        296         /* set_gdt needs at least this many      */
#define GDT_ENTRIES_PER_FRAME      512
#define MAX_GDT_ENTRIES            8192
#define MAX_GDT_FRAMES             16
#define MAX_LDT_ENTRIES            8192

#define XEN_RING0_CS               0x0808      /* GDT 257, never used by guests         */
#define XEN_RING0_DS               0x0810      /* GDT 258                               */
#define FLAT_RING1_CS              0x0819      /* GDT 259, RPL 1: guest kernel code     */
#define FLAT_RING1_DS              0x0821      /* GDT 260, RPL 1: guest kernel data     */
#define FLAT_RING3_CS              0x082B      /* GDT 261, RPL 3: user code             */
#define FLAT_RING3_DS              0x0833      /* GDT 262, RPL 3: user data             */
#define FLAT_GUESTOS_CS            FLAT_RING1_CS
#define FLAT_GUESTOS_DS            FLAT_RING1_DS
#define FLAT_USER_CS               FLAT_RING3_CS
#define FLAT_USER_DS               FLAT_RING3_DS

/* ---- Page-table entry flags ------------------------------------------------------- */
#define _PAGE_PRESENT              0x001
#define _PAGE_RW                   0x002
#define _PAGE_USER                 0x004
#define _PAGE_PWT                  0x008
#define _PAGE_PCD                  0x010
#define _PAGE_ACCESSED             0x020
#define _PAGE_DIRTY                0x040
#define _PAGE_PAT                  0x080
#define _PAGE_PSE                  0x080
#define _PAGE_GLOBAL               0x100
#define L1_DISALLOW_MASK           (_PAGE_GLOBAL | _PAGE_PAT)
#define L2_DISALLOW_MASK           (_PAGE_GLOBAL | _PAGE_PSE)

/* ---- Limits and identities ---------------------------------------------------------- */
#define NR_EVENT_CHANNELS          1024
#define MAX_VIRT_CPUS              1
#define NR_VIRQS                   7
#define MAX_CMDLINE                256
#define DOMID_FIRST_RESERVED       0x7FF0
#define DOMID_SELF                 0x7FF0
#define DOMID_IO                   0x7FF1
#define DOMID_XEN                  0x7FF2
#define XEN_VERSION                0x00020000  /* xen_version(0)                        */

/* ---- Errors: hypercalls return -XEN_Exxx (prefixed: MINIX has its own errno) ------ */
#define XEN_EPERM                  1
#define XEN_ESRCH                  3
#define XEN_EAGAIN                 11
#define XEN_ENOMEM                 12
#define XEN_EFAULT                 14
#define XEN_EBUSY                  16
#define XEN_EINVAL                 22
#define XEN_ENOSPC                 28
#define XEN_ENOSYS                 38

/* ---- Hypercalls: int $0x82 from ring 1, EAX = number, args EBX ECX EDX ESI EDI ------ */
#define HYPERCALL_VECTOR           0x82
#define NR_hypercalls              32          /* EAX is masked with NR_hypercalls-1    */
#define __HYPERVISOR_set_trap_table                0
#define __HYPERVISOR_mmu_update                    1
#define __HYPERVISOR_set_gdt                       2
#define __HYPERVISOR_stack_switch                  3
#define __HYPERVISOR_set_callbacks                 4
#define __HYPERVISOR_fpu_taskswitch                5
#define __HYPERVISOR_sched_op                      6
#define __HYPERVISOR_dom0_op                       7
#define __HYPERVISOR_set_debugreg                  8
#define __HYPERVISOR_get_debugreg                  9
#define __HYPERVISOR_update_descriptor             10
#define __HYPERVISOR_set_fast_trap                 11
#define __HYPERVISOR_dom_mem_op                    12
#define __HYPERVISOR_multicall                     13
#define __HYPERVISOR_update_va_mapping             14  /* first arg is VA >> 12! */
#define __HYPERVISOR_set_timer_op                  15  /* EBX = high word         */
#define __HYPERVISOR_event_channel_op              16
#define __HYPERVISOR_xen_version                   17
#define __HYPERVISOR_console_io                    18
#define __HYPERVISOR_physdev_op                    19
#define __HYPERVISOR_grant_table_op                20
#define __HYPERVISOR_vm_assist                     21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_switch_vm86                   23

/* mmu_update: ptr[1:0] is the command */
#define MMU_NORMAL_PT_UPDATE       0           /* ptr = MA of a PTE/PDE or word         */
#define MMU_MACHPHYS_UPDATE        2           /* m2p[ptr >> 12] = val                   */
#define MMU_EXTENDED_COMMAND       3           /* val[7:0] = MMUEXT_*                   */
#define MMU_CMD_MASK               3
#define MMU_UPDATE_PREEMPTED       0x80000000  /* in ECX after Xen preempted a batch    */
#define MMUEXT_PIN_L1_TABLE        0
#define MMUEXT_PIN_L2_TABLE        1
#define MMUEXT_PIN_L3_TABLE        2
#define MMUEXT_PIN_L4_TABLE        3
#define MMUEXT_UNPIN_TABLE         4
#define MMUEXT_NEW_BASEPTR         5
#define MMUEXT_TLB_FLUSH           6
#define MMUEXT_INVLPG              7           /* ptr = VA                              */
#define MMUEXT_FLUSH_CACHE         8
#define MMUEXT_SET_LDT             9           /* ptr = VA, val >> 8 = entries          */
#define MMUEXT_SET_FOREIGNDOM      10          /* val >> 16 = domid                     */
#define MMUEXT_CLEAR_FOREIGNDOM    11
#define MMUEXT_TRANSFER_PAGE       12
#define MMUEXT_REASSIGN_PAGE       13
#define MMUEXT_CMD_MASK            0xFF
#define MMUEXT_CMD_SHIFT           8
#define UVMF_FLUSH_TLB             1
#define UVMF_INVLPG                2

/* sched_op: cmd in bits 7:0, shutdown reason in bits 15:8 */
#define SCHEDOP_yield              0
#define SCHEDOP_block              1
#define SCHEDOP_shutdown           2
#define SCHEDOP_cmdmask            0xFF
#define SCHEDOP_reasonshift        8
#define SHUTDOWN_poweroff          0
#define SHUTDOWN_reboot            1
#define SHUTDOWN_suspend           2
#define SHUTDOWN_crash             3

#define CONSOLEIO_write            0
#define CONSOLEIO_read             1
#define CONSOLEIO_MAX_WRITE        4095

#define VMASST_CMD_enable          0
#define VMASST_CMD_disable         1
#define VMASST_TYPE_4gb_segments          0
#define VMASST_TYPE_4gb_segments_notify   1
#define VMASST_TYPE_writable_pagetables   2
#define MAX_VMASST_TYPE            2

#define MEMOP_increase_reservation 0
#define MEMOP_decrease_reservation 1
#define DEBUGREG_ADDR_MAX          0xFC3FFFFC

/* trap_info_t.flags */
#define TI_DPL_MASK                3
#define TI_DISABLE_EVENTS          4           /* set upcall_mask on delivery           */
#define NR_TRAP_VECTORS            256

/* switch_vm86 (hypercall 23): EFLAGS bits Xen sets (IF, VM) and clears (IOPL) */
#define X86_EFLAGS_IF              0x00000200
#define X86_EFLAGS_IOPL            0x00003000
#define X86_EFLAGS_VM              0x00020000
#define MULTICALL_MAX_ARGS         5

/* ---- Events ------------------------------------------------------------------------- */
#define VIRQ_MISDIRECT             0           /* port 0; unbound VIRQs land here       */
#define VIRQ_TIMER                 1
#define VIRQ_DEBUG                 2
#define VIRQ_CONSOLE               3
#define VIRQ_DOM_EXC               4
#define VIRQ_PARITY_ERR            5
#define VIRQ_IO_ERR                6

#define EVTCHNOP_bind_interdomain  0
#define EVTCHNOP_bind_virq         1
#define EVTCHNOP_bind_pirq         2
#define EVTCHNOP_close             3
#define EVTCHNOP_send              4
#define EVTCHNOP_status            5
#define EVTCHNOP_alloc_unbound     6
#define EVTCHNSTAT_closed          0
#define EVTCHNSTAT_unbound         1
#define EVTCHNSTAT_interdomain     2
#define EVTCHNSTAT_pirq            3
#define EVTCHNSTAT_virq            4

/* ---- start_info flags, control interface place ---------------------------------------- */
#define SIF_PRIVILEGED             0x1
#define SIF_INITDOMAIN             0x2
#define SIF_BLK_BE_DOMAIN          0x10
#define SIF_NET_BE_DOMAIN          0x20
#define CONTROL_IF_OFFSET          2048        /* control_if_t inside the shared page   */

/* ---- Exception vectors ---------------------------------------------------------------- */
#define TRAP_divide_error          0
#define TRAP_debug                 1
#define TRAP_nmi                   2
#define TRAP_int3                  3
#define TRAP_overflow              4
#define TRAP_bounds                5
#define TRAP_invalid_op            6
#define TRAP_no_device             7
#define TRAP_double_fault          8
#define TRAP_copro_seg             9
#define TRAP_invalid_tss           10
#define TRAP_no_segment            11
#define TRAP_stack_error           12
#define TRAP_gp_fault              13
#define TRAP_page_fault            14
#define TRAP_spurious_int          15
#define TRAP_copro_error           16
#define TRAP_alignment_check       17
#define TRAP_machine_check         18
#define TRAP_simd_error            19

#ifndef __ASSEMBLY__

typedef unsigned char      xen_u8;
typedef unsigned short     xen_u16;
typedef unsigned int       xen_u32;
typedef unsigned long long xen_u64;
typedef signed short       xen_s16;
typedef xen_u16            domid_t;

/* A 32-bit field padded to 64 bits, as Xen 2.0's memory_t + MEMORY_PADDING. */
#define XEN_PADDED32(name) xen_u32 name; xen_u32 name##_pad

/* Virtual IDT entry; address 0 ends a set_trap_table list. */
typedef struct {
	xen_u8  vector;
	xen_u8  flags;       /* DPL in bits 1:0, TI_DISABLE_EVENTS */
	xen_u16 cs;
	xen_u32 address;
} __attribute__((packed)) trap_info_t;

/* switch_vm86: the ring-1 stack at ESP when the guest does int $0x82 with EAX = 23. */
typedef struct {
	xen_u32 eax;         /* put back into EAX (it carried the hypercall number) */
	xen_u32 eip, cs, eflags, esp, ss, es, ds, fs, gs;
} __attribute__((packed)) vm86_activation_t;

/* A trap or event bounced from vm86 mode: on SS1:ESP1 above [cr2] [error code]. */
typedef struct {
	xen_u32 eip, cs, eflags, esp, ss, es, ds, fs, gs;
} __attribute__((packed)) vm86_bounce_frame_t;

typedef struct {
	xen_u32 ptr;         /* MA | command in bits 1:0 */
	xen_u32 val;
} __attribute__((packed)) mmu_update_t;

typedef struct {
	xen_u32 op;
	xen_u32 args[7];     /* args[5] receives the result */
} __attribute__((packed)) multicall_entry_t;

typedef struct {
	xen_u8  evtchn_upcall_pending;
	xen_u8  evtchn_upcall_mask;   /* the guest's virtual IF: 1 = no upcalls */
	xen_u8  pad0;
	xen_u8  pad1;
} __attribute__((packed)) vcpu_info_t;

typedef struct {
	XEN_PADDED32(mfn_to_pfn_start);
	XEN_PADDED32(pfn_to_mfn_frame_list);
} __attribute__((packed)) arch_shared_info_t;

typedef struct {
	vcpu_info_t vcpu_data[MAX_VIRT_CPUS];
	xen_u32 evtchn_pending[32];
	xen_u32 evtchn_pending_sel;
	xen_u32 evtchn_mask[32];
	xen_u64 cpu_freq;             /* Hz, for converting TSC deltas */
	xen_u32 time_version1;        /* bumped before an update */
	xen_u32 time_version2;        /* bumped after an update */
	xen_u64 tsc_timestamp;
	xen_u64 system_time;          /* ns since boot at tsc_timestamp */
	xen_u32 wc_sec;
	xen_u32 wc_usec;
	xen_u64 domain_time;
	xen_u64 wall_timeout;
	xen_u64 domain_timeout;
	arch_shared_info_t arch;
} __attribute__((packed)) shared_info_t;

typedef struct {
	XEN_PADDED32(nr_pages);
	XEN_PADDED32(shared_info);    /* MA of the shared_info page */
	xen_u32 flags;
	xen_u16 domain_controller_evtchn;
	xen_u16 pad;
	XEN_PADDED32(pt_base);        /* VA of the bootstrap L2 */
	XEN_PADDED32(nr_pt_frames);
	XEN_PADDED32(mfn_list);       /* VA of u32 p2m[nr_pages] */
	XEN_PADDED32(mod_start);
	XEN_PADDED32(mod_len);
	xen_u8  cmd_line[MAX_CMDLINE];
} __attribute__((packed)) start_info_t;

/* evtchn_op_t and its union members; "port 0" in bind_interdomain means allocate. */
typedef struct { domid_t dom1, dom2; xen_u32 port1, port2; } __attribute__((packed)) evtchn_bind_interdomain_t;
typedef struct { xen_u32 virq; xen_u32 port; } __attribute__((packed)) evtchn_bind_virq_t;
typedef struct { xen_u32 pirq; xen_u32 flags; xen_u32 port; } __attribute__((packed)) evtchn_bind_pirq_t;
typedef struct { domid_t dom; xen_u16 pad; xen_u32 port; } __attribute__((packed)) evtchn_close_t;
typedef struct { xen_u32 local_port; } __attribute__((packed)) evtchn_send_t;
typedef struct {
	domid_t dom; xen_u16 pad; xen_u32 port;
	xen_u32 status;
	union {
		struct { domid_t dom; } __attribute__((packed)) unbound;
		struct { domid_t dom; xen_u16 pad; xen_u32 port; } __attribute__((packed)) interdomain;
		xen_u32 pirq;
		xen_u32 virq;
	} __attribute__((packed)) u;
} __attribute__((packed)) evtchn_status_t;
typedef struct { domid_t dom; xen_u16 pad; xen_u32 port; } __attribute__((packed)) evtchn_alloc_unbound_t;

typedef struct {
	xen_u32 cmd;
	xen_u32 reserved;
	union {
		evtchn_bind_interdomain_t bind_interdomain;
		evtchn_bind_virq_t        bind_virq;
		evtchn_bind_pirq_t        bind_pirq;
		evtchn_close_t            close;
		evtchn_send_t             send;
		evtchn_status_t           status;
		evtchn_alloc_unbound_t    alloc_unbound;
		xen_u8                    pad[24];
	} __attribute__((packed)) u;
} __attribute__((packed)) evtchn_op_t;

#endif /* __ASSEMBLY__ */
#endif /* XEN_XEN_H */
