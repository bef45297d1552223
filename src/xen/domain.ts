// A Xen 2.0 domain and its virtual CPU: the saved register context, the per-vcpu "arch" state
// Xen keeps (virtual IDT, callbacks, ring-1 stack, GDT/LDT, debug registers, page-table base)
// and the domain's run state (paused, blocked, shut down, crashed). One vcpu per domain, as
// Xen 2.0's MAX_VIRT_CPUS = 1, but the vcpu is its own object so more could follow.
import {
  DEFAULT_GDT_ENTRIES, FLAT_RING1_CS, NR_TRAP_VECTORS,
} from "./abi.js";
import type { Mfn } from "./frames.js";
import type { EventChannels } from "./evtchn.js";
import type { GrantTable } from "./grant-table.js";

/** The guest-visible register file, in the CPU's encoding order. */
export class VcpuRegisters {
  /** EAX ECX EDX EBX ESP EBP ESI EDI. */
  readonly gpr = new Int32Array(8);
  eip = 0;
  eflags = 0x202;
  /** ES CS SS DS FS GS selectors. */
  readonly seg = new Uint16Array(6);
  /** CR2 as the guest last saw it (set on #PF bounce). */
  cr2 = 0;
}

export const R_EAX = 0, R_ECX = 1, R_EDX = 2, R_EBX = 3, R_ESP = 4, R_EBP = 5, R_ESI = 6, R_EDI = 7;
export const S_ES = 0, S_CS = 1, S_SS = 2, S_DS = 3, S_FS = 4, S_GS = 5;

export class Vcpu {
  readonly regs = new VcpuRegisters();
  /** Virtual IDT (trap_info_t per vector): handler CS, EIP and flags (DPL, disable-events). */
  readonly trapCs = new Uint16Array(NR_TRAP_VECTORS).fill(FLAT_RING1_CS);
  readonly trapEip = new Uint32Array(NR_TRAP_VECTORS);
  readonly trapFlags = new Uint8Array(NR_TRAP_VECTORS);
  /** The fast-trap vector installed by set_fast_trap (0 = none); treated as a normal trap. */
  fastTrap = 0;
  eventCs = FLAT_RING1_CS;
  eventEip = 0;
  failsafeCs = FLAT_RING1_CS;
  failsafeEip = 0;
  /** TSS.SS1:ESP1, the stack for ring-3 -> ring-1 bounces (stack_switch). */
  kernelSs = 0;
  kernelEsp = 0;
  /** MFN of the L2 loaded as CR3, or -1. Holds an L2 type reference. */
  baseptrMfn: Mfn = -1;
  /** GDT frames (MFNs) given by set_gdt; empty = Xen's default GDT. */
  gdtFrames: Mfn[] = [];
  gdtEntries = DEFAULT_GDT_ENTRIES;
  /** LDT as set by MMUEXT_SET_LDT: linear base and entry count (0 = none). */
  ldtBaseVa = 0;
  ldtEntries = 0;
  /** LDT pages currently mapped in the shadow area (index -> MFN, -1 = not mapped). */
  readonly ldtShadow = new Int32Array(16).fill(-1);
  readonly debugreg = new Uint32Array(8);
  /** CR0.TS requested by fpu_taskswitch; #NM is then bounced to the guest. */
  fpuTsRequested = false;
  /** The CPU's CR0.TS for this vcpu. */
  cr0Ts = false;
  /** Set while a hypercall runs from within a multicall (nested multicalls are refused). */
  inMulticall = false;
  /**
   * A preempted long hypercall (Xen's hypercall_create_continuation): the host rewinds EIP over
   * `int $0x82` and loads these registers, so the guest re-enters the call where it stopped.
   */
  continuation: { nr: number; args: number[] } | null = null;
  constructor(readonly id: number) {}
}

/** An emulator-side breakpoint (exec) or watchpoint, never patched into guest memory. */
export interface DebugPoint {
  kind: "exec" | "write" | "read" | "access";
  /** Linear address in the domain. */
  address: number;
  length: number;
}

export type DomainRunState = "runnable" | "blocked" | "paused" | "shutdown" | "crashed" | "dying";

export class Domain {
  readonly vcpus: Vcpu[] = [new Vcpu(0)];
  /** Frames owned by the domain, in allocation order (the builder's PFN order). */
  readonly frameList: Mfn[] = [];
  /** Pause count from the control plane (xm pause). Created domains start paused once. */
  pauseCount = 1;
  blocked = false;
  /** Set by sched_op(shutdown) with its reason, or by a crash (SHUTDOWN_crash). */
  shutdownReason: number | null = null;
  crashed = false;
  crashWhy = "";
  dying = false;
  /**
   * Absolute system-time deadline (ns) of set_timer_op; 0 = none. Counters here and in the clock
   * start as -0 so V8 keeps them as doubles from the start: they pass its small-integer range
   * (2^30) while a guest runs, and the change of representation then deoptimizes the host's code.
   */
  timerDeadlineNs = -0;
  vmAssist = 0;
  /** Frame with the shared_info page (Xen-allocated, owned by the domain, always writable). */
  sharedInfoMfn: Mfn = -1;
  /** Xen-owned L1 that maps the GDT and shadow LDT at PERDOMAIN_VIRT_START. */
  perdomainL1Mfn: Mfn = -1;
  /** Pages this domain may hold (max_pages); dom_mem_op increase refuses beyond it. */
  maxPages: number;
  privileged = false;
  evtchn!: EventChannels;
  /** Grant table and maptrack (grant-table.ts), created on first use. */
  grants: GrantTable | null = null;
  /** Set for the native dom0: events to its ports are handed to this callback. */
  native: ((port: number) => void) | null = null;
  /** Debugger breakpoints and watchpoints in this domain's linear addresses. */
  debugPoints: DebugPoint[] = [];
  /** Bumped on every change of debugPoints, so the CPU side knows to reinstall them. */
  debugVersion = 0;
  /** Instructions executed, for `xm list` and the scheduler. */
  cpuTimeInstr = -0;

  constructor(readonly id: number, readonly name: string, maxPages: number) {
    this.maxPages = maxPages;
  }

  get vcpu(): Vcpu {
    return this.vcpus[0];
  }

  get runState(): DomainRunState {
    if (this.dying) return "dying";
    if (this.crashed) return "crashed";
    if (this.shutdownReason !== null) return "shutdown";
    if (this.pauseCount > 0) return "paused";
    if (this.blocked) return "blocked";
    return "runnable";
  }

  /** True when the scheduler may run this domain. */
  get canRun(): boolean {
    return this.runState === "runnable";
  }

  /** Runnable except for a debugger or control-plane pause (single-stepping a paused domain). */
  get canRunIgnoringPause(): boolean {
    return !this.dying && !this.crashed && this.shutdownReason === null;
  }

  /** Number of frames currently owned (pages held). */
  get totPages(): number {
    return this.frameList.length;
  }
}
