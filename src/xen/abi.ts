// The Xen 2.0 (x86_32, non-PAE) public interface as a guest and the dom0 tools see it: numbers
// and packed struct layouts, no behaviour. Facts from /work/shared/reference/xen2-abi.md, which
// was read out of xen/include/public/{xen.h,arch-x86_32.h,event_channel.h,io/*.h} of 2.0.6.
// Layouts are offset tables with a SIZE; the guest's C copy (src/minix/guest/include/xen/) is
// checked against this file by test/xen/abi-probe.test.ts.

// ---- Global constants -----------------------------------------------------------------------

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;

/** Guests may not map or modify anything at or above this VA (L2 slots >= 1008 are Xen's). */
export const HYPERVISOR_VIRT_START = 0xfc000000;
/** VA of the read-only machine-to-phys table: u32 m2p[mfn] = pfn, 4 MiB. */
export const MACH2PHYS_VIRT_START = 0xfc000000;
export const MACH2PHYS_VIRT_END = 0xfc400000;
/** Xen's own mappings start here; segment limits and debug registers are checked against it. */
export const XEN_PAGE_OFFSET = 0xfc400000;
/** First L2 slot owned by Xen (HYPERVISOR_VIRT_START >> 22). */
export const FIRST_XEN_L2_SLOT = 1008;
export const L1_ENTRIES = 1024;
export const L2_ENTRIES = 1024;

export const NR_RESERVED_GDT_ENTRIES = 40;
export const FIRST_RESERVED_GDT_ENTRY = 256;
export const LAST_RESERVED_GDT_ENTRY = 295;
/** Entries in the default GDT a new domain gets (all below 256 are zero). */
export const DEFAULT_GDT_ENTRIES = 296;
export const GDT_ENTRIES_PER_FRAME = 512;
export const MAX_GDT_ENTRIES = 8192;
export const MAX_GDT_FRAMES = 16;
export const MAX_LDT_ENTRIES = 8192;

export const XEN_RING0_CS = 0x0808;
export const XEN_RING0_DS = 0x0810;
export const FLAT_RING1_CS = 0x0819;
export const FLAT_RING1_DS = 0x0821;
export const FLAT_RING3_CS = 0x082b;
export const FLAT_RING3_DS = 0x0833;
/** Older names used by 2.0-era guests. */
export const FLAT_GUESTOS_CS = FLAT_RING1_CS;
export const FLAT_GUESTOS_DS = FLAT_RING1_DS;
export const FLAT_USER_CS = FLAT_RING3_CS;
export const FLAT_USER_DS = FLAT_RING3_DS;

/** Xen's reserved descriptors 256..263 as [low word, high word]; 264+ (TSS/LDT per CPU) stay 0 for guests. */
export const RESERVED_GDT_DESCRIPTORS: ReadonlyArray<readonly [number, number]> = [
  [0x00000000, 0x00000000], // 256 unused
  [0x0000ffff, 0x00cf9a00], // 257 ring 0 code
  [0x0000ffff, 0x00cf9200], // 258 ring 0 data
  [0x0000c3ff, 0x00cfba00], // 259 ring 1 code, ends at 0xFC3FFFFF
  [0x0000c3ff, 0x00cfb200], // 260 ring 1 data
  [0x0000c3ff, 0x00cffa00], // 261 ring 3 code
  [0x0000c3ff, 0x00cff200], // 262 ring 3 data
  [0x00000000, 0x00000000], // 263 unused
];

export const NR_EVENT_CHANNELS = 1024;
export const MAX_VIRT_CPUS = 1;
export const NR_VIRQS = 7;
export const MAX_CMDLINE = 256;

export const DOMID_FIRST_RESERVED = 0x7ff0;
export const DOMID_SELF = 0x7ff0;
export const DOMID_IO = 0x7ff1;
export const DOMID_XEN = 0x7ff2;

/** xen_version(0): (major << 16) | minor. */
export const XEN_VERSION = 0x00020000;

/** The M2P entry of frames that have no pseudo-physical number (e.g. shared_info). */
export const INVALID_M2P_ENTRY = 0xffffffff;

// ---- Page-table entry flags ------------------------------------------------------------------

export const _PAGE_PRESENT = 0x001;
export const _PAGE_RW = 0x002;
export const _PAGE_USER = 0x004;
export const _PAGE_PWT = 0x008;
export const _PAGE_PCD = 0x010;
export const _PAGE_ACCESSED = 0x020;
export const _PAGE_DIRTY = 0x040;
export const _PAGE_PAT = 0x080;
export const _PAGE_PSE = 0x080;
export const _PAGE_GLOBAL = 0x100;
/** L1 entries Xen refuses in guest tables. */
export const L1_DISALLOW_MASK = _PAGE_GLOBAL | _PAGE_PAT;
/** L2 entries Xen refuses in guest tables. */
export const L2_DISALLOW_MASK = _PAGE_GLOBAL | _PAGE_PSE;

// ---- Error codes (hypercalls return -errno in EAX) -------------------------------------------

export const EPERM = 1;
export const ESRCH = 3;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EFAULT = 14;
export const EBUSY = 16;
export const EINVAL = 22;
export const ENOSPC = 28;
export const ENOSYS = 38;

// ---- Hypercalls --------------------------------------------------------------------------------

export const HYPERCALL_VECTOR = 0x82;
/** The entry stub masks EAX with NR_hypercalls-1; slots 24..31 return -ENOSYS. */
export const NR_hypercalls = 32;

export const __HYPERVISOR_set_trap_table = 0;
export const __HYPERVISOR_mmu_update = 1;
export const __HYPERVISOR_set_gdt = 2;
export const __HYPERVISOR_stack_switch = 3;
export const __HYPERVISOR_set_callbacks = 4;
export const __HYPERVISOR_fpu_taskswitch = 5;
export const __HYPERVISOR_sched_op = 6;
export const __HYPERVISOR_dom0_op = 7;
export const __HYPERVISOR_set_debugreg = 8;
export const __HYPERVISOR_get_debugreg = 9;
export const __HYPERVISOR_update_descriptor = 10;
export const __HYPERVISOR_set_fast_trap = 11;
export const __HYPERVISOR_dom_mem_op = 12;
export const __HYPERVISOR_multicall = 13;
export const __HYPERVISOR_update_va_mapping = 14;
export const __HYPERVISOR_set_timer_op = 15;
export const __HYPERVISOR_event_channel_op = 16;
export const __HYPERVISOR_xen_version = 17;
export const __HYPERVISOR_console_io = 18;
export const __HYPERVISOR_physdev_op = 19;
export const __HYPERVISOR_grant_table_op = 20;
export const __HYPERVISOR_vm_assist = 21;
export const __HYPERVISOR_update_va_mapping_otherdomain = 22;
export const __HYPERVISOR_switch_vm86 = 23;

/** Names by number, for logs and histograms. */
export const HYPERCALL_NAMES: readonly string[] = [
  "set_trap_table", "mmu_update", "set_gdt", "stack_switch", "set_callbacks", "fpu_taskswitch",
  "sched_op", "dom0_op", "set_debugreg", "get_debugreg", "update_descriptor", "set_fast_trap",
  "dom_mem_op", "multicall", "update_va_mapping", "set_timer_op", "event_channel_op",
  "xen_version", "console_io", "physdev_op", "grant_table_op", "vm_assist",
  "update_va_mapping_otherdomain", "switch_vm86",
];

// ---- mmu_update ------------------------------------------------------------------------------

/** mmu_update_t: ptr[1:0] selects the command. */
export const MMU_UPDATE = { ptr: 0, val: 4, SIZE: 8 } as const;
export const MMU_NORMAL_PT_UPDATE = 0;
export const MMU_MACHPHYS_UPDATE = 2;
export const MMU_EXTENDED_COMMAND = 3;
export const MMU_CMD_MASK = 3;
/** Set in mmu_update's count by a continuation: Xen preempted the batch; *success_count holds the done part. */
export const MMU_UPDATE_PREEMPTED = 0x80000000;

export const MMUEXT_PIN_L1_TABLE = 0;
export const MMUEXT_PIN_L2_TABLE = 1;
export const MMUEXT_PIN_L3_TABLE = 2;
export const MMUEXT_PIN_L4_TABLE = 3;
export const MMUEXT_UNPIN_TABLE = 4;
export const MMUEXT_NEW_BASEPTR = 5;
export const MMUEXT_TLB_FLUSH = 6;
export const MMUEXT_INVLPG = 7;
export const MMUEXT_FLUSH_CACHE = 8;
export const MMUEXT_SET_LDT = 9;
export const MMUEXT_SET_FOREIGNDOM = 10;
export const MMUEXT_CLEAR_FOREIGNDOM = 11;
export const MMUEXT_TRANSFER_PAGE = 12;
export const MMUEXT_REASSIGN_PAGE = 13;
export const MMUEXT_CMD_MASK = 0xff;
export const MMUEXT_CMD_SHIFT = 8;

/** update_va_mapping flags. */
export const UVMF_FLUSH_TLB = 1;
export const UVMF_INVLPG = 2;

// ---- sched_op ----------------------------------------------------------------------------------

export const SCHEDOP_yield = 0;
export const SCHEDOP_block = 1;
export const SCHEDOP_shutdown = 2;
export const SCHEDOP_cmdmask = 0xff;
export const SCHEDOP_reasonshift = 8;

export const SHUTDOWN_poweroff = 0;
export const SHUTDOWN_reboot = 1;
export const SHUTDOWN_suspend = 2;
export const SHUTDOWN_crash = 3;

// ---- console_io, vm_assist, dom_mem_op, debug registers ---------------------------------------

export const CONSOLEIO_write = 0;
export const CONSOLEIO_read = 1;
export const CONSOLEIO_MAX_WRITE = 4095;

export const VMASST_CMD_enable = 0;
export const VMASST_CMD_disable = 1;
export const VMASST_TYPE_4gb_segments = 0;
export const VMASST_TYPE_4gb_segments_notify = 1;
export const VMASST_TYPE_writable_pagetables = 2;
export const MAX_VMASST_TYPE = 2;

export const MEMOP_increase_reservation = 0;
export const MEMOP_decrease_reservation = 1;

/** Highest value set_debugreg accepts for DR0-DR3. */
export const DEBUGREG_ADDR_MAX = 0xfc3ffffc;

// ---- Traps -------------------------------------------------------------------------------------

/** trap_info_t; address 0 terminates a set_trap_table list. */
export const TRAP_INFO = { vector: 0, flags: 1, cs: 2, address: 4, SIZE: 8 } as const;
export const TI_DPL_MASK = 3;
/** flags bit: set upcall_mask on delivery (the header says bit 4, the code uses value 4). */
export const TI_DISABLE_EVENTS = 4;
export const NR_TRAP_VECTORS = 256;

// ---- switch_vm86 (x86_32 entry.S do_switch_vm86) -------------------------------------------------

/** EFLAGS bits switch_vm86 sets (IF, VM) and clears (IOPL) in the activation it returns to. */
export const X86_EFLAGS_IF = 0x200;
export const X86_EFLAGS_IOPL = 0x3000;
export const X86_EFLAGS_VM = 0x20000;
/**
 * switch_vm86: the ring-1 stack at ESP holds the value to put back into EAX (which carried the
 * hypercall number), then the virtual-8086 activation Xen copies onto its own frame.
 */
export const VM86_ACTIVATION = {
  eax: 0, eip: 4, cs: 8, eflags: 12, esp: 16, ss: 20, es: 24, ds: 28, fs: 32, gs: 36, SIZE: 40,
} as const;
/**
 * A bounce frame from virtual-8086 mode (on SS1:ESP1), above the [cr2] [error code] words:
 * the ring-3 frame plus ES DS FS GS above SS.
 */
export const VM86_BOUNCE_FRAME = {
  eip: 0, cs: 4, eflags: 8, esp: 12, ss: 16, es: 20, ds: 24, fs: 28, gs: 32, SIZE: 36,
} as const;

// ---- multicall ---------------------------------------------------------------------------------

/** multicall_entry_t: args[5] (offset 24) receives the result. */
export const MULTICALL_ENTRY = { op: 0, args: 4, result: 24, SIZE: 32 } as const;
export const MULTICALL_MAX_ARGS = 5;

// ---- Events ------------------------------------------------------------------------------------

export const VIRQ_MISDIRECT = 0;
export const VIRQ_TIMER = 1;
export const VIRQ_DEBUG = 2;
export const VIRQ_CONSOLE = 3;
export const VIRQ_DOM_EXC = 4;
export const VIRQ_PARITY_ERR = 5;
export const VIRQ_IO_ERR = 6;

export const EVTCHNOP_bind_interdomain = 0;
export const EVTCHNOP_bind_virq = 1;
export const EVTCHNOP_bind_pirq = 2;
export const EVTCHNOP_close = 3;
export const EVTCHNOP_send = 4;
export const EVTCHNOP_status = 5;
export const EVTCHNOP_alloc_unbound = 6;

export const EVTCHNSTAT_closed = 0;
export const EVTCHNSTAT_unbound = 1;
export const EVTCHNSTAT_interdomain = 2;
export const EVTCHNSTAT_pirq = 3;
export const EVTCHNSTAT_virq = 4;

/** evtchn_op_t: cmd, reserved, then a 24-byte union at offset 8. Offsets below are absolute. */
export const EVTCHN_OP = { cmd: 0, u: 8, SIZE: 32 } as const;
export const EVTCHN_BIND_INTERDOMAIN = { dom1: 8, dom2: 10, port1: 12, port2: 16 } as const;
export const EVTCHN_BIND_VIRQ = { virq: 8, port: 12 } as const;
export const EVTCHN_BIND_PIRQ = { pirq: 8, flags: 12, port: 16 } as const;
export const EVTCHN_CLOSE = { dom: 8, port: 12 } as const;
export const EVTCHN_SEND = { local_port: 8 } as const;
export const EVTCHN_STATUS = {
  dom: 8, port: 12, status: 16,
  unbound_dom: 20, interdomain_dom: 20, interdomain_port: 24, pirq: 20, virq: 20,
} as const;
export const EVTCHN_ALLOC_UNBOUND = { dom: 8, port: 12 } as const;

// ---- Grant tables (grant_table.h of 2.0; hypercall 20: EBX=cmd, ECX=uop, EDX=count) ------------

export const GNTTABOP_map_grant_ref = 0;
export const GNTTABOP_unmap_grant_ref = 1;
export const GNTTABOP_setup_table = 2;

/** grant_entry_t: written by the granting guest, flags GTF_reading/writing updated by Xen. */
export const GRANT_ENTRY = { flags: 0, domid: 2, frame: 4, SIZE: 8 } as const;
export const GTF_invalid = 0;
export const GTF_permit_access = 1;
export const GTF_accept_transfer = 2;
export const GTF_type_mask = 3;
export const GTF_readonly = 4;
export const GTF_reading = 8;
export const GTF_writing = 16;

/** GNTMAP_* flags of a map request. */
export const GNTMAP_device_map = 1;
export const GNTMAP_host_map = 2;
export const GNTMAP_readonly = 4;
export const GNTMAP_application_map = 8;

/** GNTST_* statuses (a map request returns them, negated, in its handle field). */
export const GNTST_okay = 0;
export const GNTST_general_error = -1;
export const GNTST_bad_domain = -2;
export const GNTST_bad_gntref = -3;
export const GNTST_bad_handle = -4;
export const GNTST_bad_virt_addr = -5;
export const GNTST_bad_dev_addr = -6;
export const GNTST_no_device_space = -7;
export const GNTST_permission_denied = -8;

/** A domain's table is one frame (ORDER_GRANT_FRAMES 0): 512 entries. */
export const NR_GRANT_FRAMES = 1;
export const NR_GRANT_ENTRIES = 512;

/** gnttab_map_grant_ref_t (packed, 16 bytes): IN host_virt_addr, dom, ref, flags; OUT handle (<0: GNTST_*), dev_bus_addr. */
export const GNTTAB_MAP_GRANT_REF = { host_virt_addr: 0, dom: 4, ref: 6, flags: 8, handle: 10, dev_bus_addr: 12, SIZE: 16 } as const;
/** gnttab_unmap_grant_ref_t (packed, 12 bytes): IN host_virt_addr, dev_bus_addr, handle; OUT status. */
export const GNTTAB_UNMAP_GRANT_REF = { host_virt_addr: 0, dev_bus_addr: 4, handle: 8, status: 10, SIZE: 12 } as const;
/** gnttab_setup_table_t (packed, 10 bytes): IN dom, nr_frames, frame_list (u32 MFN array); OUT status. */
export const GNTTAB_SETUP_TABLE = { dom: 0, nr_frames: 2, status: 4, frame_list: 6, SIZE: 10 } as const;

// ---- shared_info -------------------------------------------------------------------------------

export const SHARED_INFO = {
  evtchn_upcall_pending: 0,
  evtchn_upcall_mask: 1,
  evtchn_pending: 4,
  evtchn_pending_sel: 132,
  evtchn_mask: 136,
  cpu_freq: 264,
  time_version1: 272,
  time_version2: 276,
  tsc_timestamp: 280,
  system_time: 288,
  wc_sec: 296,
  wc_usec: 300,
  domain_time: 304,
  wall_timeout: 312,
  domain_timeout: 320,
  mfn_to_pfn_start: 328,
  pfn_to_mfn_frame_list: 336,
  SIZE: 344,
} as const;
/** vcpu_info_t inside shared_info: pending, mask, 2 bytes pad. */
export const VCPU_INFO = { evtchn_upcall_pending: 0, evtchn_upcall_mask: 1, SIZE: 4 } as const;
/** The control interface lives in the shared_info page at this offset. */
export const CONTROL_IF_OFFSET = 2048;

// ---- start_info --------------------------------------------------------------------------------

export const START_INFO = {
  nr_pages: 0,
  shared_info: 8,
  flags: 16,
  domain_controller_evtchn: 20,
  pt_base: 24,
  nr_pt_frames: 32,
  mfn_list: 40,
  mod_start: 48,
  mod_len: 56,
  cmd_line: 64,
  SIZE: 320,
} as const;
export const SIF_PRIVILEGED = 0x1;
export const SIF_INITDOMAIN = 0x2;
export const SIF_BLK_BE_DOMAIN = 0x10;
export const SIF_NET_BE_DOMAIN = 0x20;

// ---- Control interface (io/domain_controller.h) ------------------------------------------------

export const CONTROL_RING_SIZE = 8;
export const CONTROL_MSG = { type: 0, subtype: 1, id: 2, length: 3, msg: 4, SIZE: 64 } as const;
export const CONTROL_MSG_PAYLOAD = 60;
export const CONTROL_IF = {
  tx_ring: 0,
  rx_ring: 512,
  tx_req_prod: 1024,
  tx_resp_prod: 1028,
  rx_req_prod: 1032,
  rx_resp_prod: 1036,
  SIZE: 1040,
} as const;

export const CMSG_CONSOLE = 0;
export const CMSG_BLKIF_BE = 1;
export const CMSG_BLKIF_FE = 2;
export const CMSG_NETIF_BE = 3;
export const CMSG_NETIF_FE = 4;
export const CMSG_SHUTDOWN = 6;
export const CMSG_MEM_REQUEST = 7;

export const CMSG_CONSOLE_DATA = 0;

export const CMSG_SHUTDOWN_POWEROFF = 0;
export const CMSG_SHUTDOWN_REBOOT = 1;
export const CMSG_SHUTDOWN_SUSPEND = 2;
export const CMSG_SHUTDOWN_SYSRQ = 3;

export const CMSG_MEM_REQUEST_SET = 0;

export const CMSG_BLKIF_FE_INTERFACE_STATUS = 0;
export const CMSG_BLKIF_FE_DRIVER_STATUS = 32;
export const CMSG_BLKIF_FE_INTERFACE_CONNECT = 33;
export const CMSG_BLKIF_FE_INTERFACE_DISCONNECT = 34;
export const CMSG_BLKIF_FE_INTERFACE_QUERY = 35;

export const BLKIF_INTERFACE_STATUS_CLOSED = 0;
export const BLKIF_INTERFACE_STATUS_DISCONNECTED = 1;
export const BLKIF_INTERFACE_STATUS_CONNECTED = 2;
export const BLKIF_INTERFACE_STATUS_CHANGED = 3;

export const BLKIF_DRIVER_STATUS_DOWN = 0;
export const BLKIF_DRIVER_STATUS_UP = 1;

export const BLKIF_FE_INTERFACE_STATUS = { handle: 0, status: 4, evtchn: 8, domid: 10, SIZE: 12 } as const;
export const BLKIF_FE_DRIVER_STATUS = { status: 0, max_handle: 4, SIZE: 8 } as const;
export const BLKIF_FE_INTERFACE_CONNECT = { handle: 0, shmem_frame: 8, SIZE: 16 } as const;
export const BLKIF_FE_INTERFACE_DISCONNECT = { handle: 0, SIZE: 4 } as const;

export const MEM_REQUEST = { target: 0, status: 4, SIZE: 8 } as const;

// ---- Block ring (io/blkif.h, the 2.0 ring) ----------------------------------------------------

export const BLKIF_RING_SIZE = 64;
/** blkif counts sectors of this many bytes (sector_number, vdisk capacity, first/last_sect). */
export const BLKIF_SECTOR_SIZE = 512;
export const BLKIF_MAX_SEGMENTS_PER_REQUEST = 11;
export const BLKIF_OP_READ = 0;
export const BLKIF_OP_WRITE = 1;
export const BLKIF_OP_PROBE = 2;
export const BLKIF_RSP_OKAY = 0;
export const BLKIF_RSP_ERROR = -1;
export const BLKIF_RING = { req_prod: 0, resp_prod: 4, ring: 8, SIZE: 3848 } as const;
export const BLKIF_REQUEST = {
  operation: 0, nr_segments: 1, device: 2, id: 4, sector_number: 8, frame_and_sects: 16, SIZE: 60,
} as const;
export const BLKIF_RESPONSE = { id: 0, operation: 4, status: 5, SIZE: 7 } as const;
export const VDISK = { capacity: 0, device: 8, info: 10, SIZE: 12 } as const;
export const VDISK_TYPE_DISK = 0x20;
export const VDISK_FLAG_RO = 0x40;
export const VDISK_FLAG_VIRT = 0x80;

// ---- dom0_op (the control plane is native TypeScript; numbers kept for reference) -------------

export const DOM0_INTERFACE_VERSION = 0xaaaa001a;
export const DOM0_OP_SIZE = 80;

// ---- Page types (type_info bits 31:29) ---------------------------------------------------------

export const PGT_none = 0;
export const PGT_l1_page_table = 1;
export const PGT_l2_page_table = 2;
export const PGT_gdt_page = 5;
export const PGT_ldt_page = 6;
export const PGT_writable_page = 7;

// ---- Exception vectors the bounce path cares about --------------------------------------------

export const TRAP_divide_error = 0;
export const TRAP_debug = 1;
export const TRAP_nmi = 2;
export const TRAP_int3 = 3;
export const TRAP_overflow = 4;
export const TRAP_bounds = 5;
export const TRAP_invalid_op = 6;
export const TRAP_no_device = 7;
export const TRAP_double_fault = 8;
export const TRAP_copro_seg = 9;
export const TRAP_invalid_tss = 10;
export const TRAP_no_segment = 11;
export const TRAP_stack_error = 12;
export const TRAP_gp_fault = 13;
export const TRAP_page_fault = 14;
export const TRAP_spurious_int = 15;
export const TRAP_copro_error = 16;
export const TRAP_alignment_check = 17;
export const TRAP_machine_check = 18;
export const TRAP_simd_error = 19;

/** Bounce frames keep the interrupted EFLAGS minus TF, NT, RF and VM. */
export const BOUNCE_EFLAGS_MASK = 0xfffcbeff;
