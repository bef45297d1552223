// The one interface between the GDB stub and what it debugs (ARCHITECTURE.md: "the stub talks
// to Xen through one narrow debug-target interface"). Xen implements it for the emulated host;
// tests implement it in memory. It speaks domains and vcpus, never RSP: the stub owns the wire
// numbering (pid = domid + 1, tid = vcpu + 1), the register layout and the packet formats.
import type { RegisterName } from "./registers.js";

/** One virtual CPU of one domain. Both numbers are Xen's own (domain 0 is dom0, vcpu 0 first). */
export interface VcpuRef {
  domain: number;
  vcpu: number;
}

/** What the debugger lists as a thread. */
export interface VcpuInfo {
  ref: VcpuRef;
  /** The domain's name (gdb shows it as the thread name). Plain text; the stub makes it ASCII. */
  domainName: string;
  /** A few words on its state, e.g. "running", "paused", "crashed: page fault at 0x1234". */
  state: string;
}

/**
 * A register's value: a number for registers of 32 bits or fewer (taken as unsigned, low
 * bits first), or the raw little-endian bytes for wider ones (st0-st7 are 10 bytes).
 */
export type RegisterValue = number | Uint8Array;

/**
 * Registers of one vcpu, raw (eip is the offset in CS). A register missing from the map cannot
 * be supplied (gdb shows it as unavailable). Supply cs_base and ss_base: the stub shows gdb
 * eip/esp/ebp as linear addresses (base added), matching memory and breakpoint addresses.
 */
export type RegisterSnapshot = ReadonlyMap<RegisterName, RegisterValue>;

/** Which addresses `m`/`M` use; changed per connection by `monitor mem`. */
export type AddressSpace =
  /** Linear addresses through the vcpu's own page tables (the default). */
  | "virtual"
  /** The domain's pseudo-physical addresses. */
  | "physical"
  /** Machine addresses (the whole host's memory; reads only, writes are the target's call). */
  | "machine";

/** Result of an action the target may refuse; `message` is plain text for the user. */
export type TargetResult = { ok: true } | { ok: false; message: string };

export type BreakpointType =
  /** Z0: stop before executing `address`. Emulator-side, guest memory is not patched. */
  | "software"
  /** Z1: the same check, reported as a hardware breakpoint. */
  | "hardware"
  /** Z2: stop after a write to [address, address + length). */
  | "write"
  /** Z3: stop after a read. */
  | "read"
  /** Z4: stop after a read or a write. */
  | "access";

/** A breakpoint or watchpoint, keyed by the domain whose address space `address` is in. */
export interface Breakpoint {
  type: BreakpointType;
  domain: number;
  /** Linear address in that domain. */
  address: number;
  /** Bytes covered; the instruction length hint (1 on x86) for Z0/Z1. */
  length: number;
}

/** How to resume, decided by the stub from vCont/c/s. The host is all-stop: one request moves everyone. */
export type ResumeRequest =
  /** Run every domain and the clock until something stops the host. */
  | { kind: "continue" }
  /**
   * Execute exactly one instruction on `vcpu` while every other vcpu and the clock stay
   * frozen; with `range`, keep stepping while eip stays in [start, end) (vCont;r, for `next`).
   */
  | { kind: "step"; vcpu: VcpuRef; range?: { start: number; end: number } };

/** Why the host stopped. Every stop event means the whole host has stopped. */
export type StopReason =
  /** The stub asked for it with requestStop() (attach or Ctrl-C). */
  | { kind: "requested" }
  /** A step (or range step) finished. */
  | { kind: "step" }
  /** A breakpoint at eip was reached; eip is the breakpoint address, the instruction not yet run. */
  | { kind: "breakpoint"; type: "software" | "hardware" }
  /** A watched access completed; `address` is the watched address that was touched. */
  | { kind: "watchpoint"; type: "write" | "read" | "access"; address: number }
  /**
   * The domain crashed (what Xen 2.0 treats as fatal for it). Its registers and memory stay
   * readable as they were just before the crash, until the domain is destroyed.
   */
  | { kind: "crash"; description: string };

export type TargetEvent =
  | { kind: "stop"; vcpu: VcpuRef; reason: StopReason }
  /** The domain no longer exists (destroyed or shut down); reported while running. */
  | { kind: "exited"; domain: number; status: number };

/** A `monitor` command whose body belongs to the target. */
export interface MonitorCommand {
  /** First word, e.g. "domains". */
  name: string;
  /** Argument synopsis for `monitor help`, e.g. "DOM" or "on|off". */
  usage: string;
  /** One line for `monitor help`. */
  summary: string;
  /**
   * Runs the command. `args` are the words after the name; `context` says which vcpu gdb has
   * selected and which address space `m`/`M` use. Returns the text to show (plain ASCII
   * preferred; the stub replaces anything else). Throw a RangeError/TypeError with a
   * "Cannot ..." message for bad arguments: the stub shows the message.
   */
  run(args: string[], context: MonitorContext): string;
}

export interface MonitorContext {
  vcpu: VcpuRef | null;
  space: AddressSpace;
}

/**
 * The debug target. Methods are called only from the stub's event loop turn; none may throw
 * for bad input from gdb (addresses, lengths, register values are gdb's, hence untrusted):
 * refuse with a TargetResult or a short read instead.
 */
export interface DebugTarget {
  /** Every vcpu of every domain that exists, in domain order. */
  vcpus(): VcpuInfo[];

  /**
   * A debugger has connected. From now until detach() the target stops on breakpoints and
   * reports crashes as stop events. The stub calls requestStop() right after.
   */
  attach(): void;

  /**
   * The debugger has gone (detach, kill, or the connection dropped). The stub has already
   * removed its breakpoints. Resume the host if it is stopped and run on without a debugger.
   */
  detach(): void;

  /** Registers of one vcpu; registers it cannot supply are left out of the map. */
  readRegisters(vcpu: VcpuRef): RegisterSnapshot;

  /** Writes one register; read-only ones (segment bases, cr*, the Xen view) are refused. */
  writeRegister(vcpu: VcpuRef, name: RegisterName, value: RegisterValue): TargetResult;

  /**
   * Reads up to `length` bytes at `address` in `space`, as seen by `vcpu`. Returns the readable
   * prefix: a read that runs into an unmapped page stops there (possibly empty). The result
   * may be a view of the target's memory: use it before the target runs or is written again.
   */
  readMemory(vcpu: VcpuRef, space: AddressSpace, address: number, length: number): Uint8Array;

  /** Writes bytes, all or nothing, with the checks Xen applies to the frames involved. */
  writeMemory(vcpu: VcpuRef, space: AddressSpace, address: number, data: Uint8Array): TargetResult;

  insertBreakpoint(bp: Breakpoint): TargetResult;
  /** Removing a breakpoint that is not there is fine and returns ok. */
  removeBreakpoint(bp: Breakpoint): TargetResult;

  /** Resumes the stopped host; a stop event follows later (possibly much later). */
  resume(request: ResumeRequest): void;

  /**
   * Asks a running host to stop; a stop event with reason "requested" follows. When the host
   * is already stopped the target reports a stop event anyway, so every request gets one.
   */
  requestStop(): void;

  /**
   * Registers the stub's listener for stop and exit events. Events are delivered
   * asynchronously (never from inside a call the stub made). Returns an unsubscribe function.
   */
  onEvent(listener: (event: TargetEvent) => void): () => void;

  /** The target's monitor commands; the stub adds `help` and `mem` itself. */
  monitorCommands(): MonitorCommand[];
}
