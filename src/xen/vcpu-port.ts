// The seam between Xen and the CPU emulator: Xen keeps each vcpu's context in its Domain and
// hands it to the CPU for a bounded run; the CPU reports why it stopped. The CPU knows nothing of
// Xen (owned mode raises every exception and `int n` to us).
import type { XenCore, TlbControl } from "./core.js";
import type { Domain } from "./domain.js";
import type { GuestException } from "./traps.js";

export type RunStop = "budget" | "exception" | "breakpoint" | "watchpoint" | "step" | "stop-requested";

export interface RunOutcome {
  stop: RunStop;
  /** Instructions retired in this run. */
  executed: number;
  /** Filled when stop is "exception". */
  exception: GuestException | null;
  /** For a watchpoint stop: the linear address of the watched access, and its kind. */
  watchAddress?: number;
  watchKind?: "write" | "read" | "access";
}

export interface GuestCpuPort extends TlbControl {
  /**
   * Puts domain `d`'s vcpu context (registers, segments, CR3, GDT/LDT, debug registers) in the
   * CPU, with its time-stamp counter at `tsc` (the host clock's, so rdtsc agrees with
   * shared_info's tsc_timestamp and cpu_freq). Returns null, or why CS/SS cannot be used.
   */
  load(x: XenCore, d: Domain, tsc: number): string | null;
  /** Copies the CPU's registers back into `d`'s vcpu context. */
  save(d: Domain): void;
  /**
   * Goes on with the context still loaded after a run of `d` that save() copied out: only the
   * general registers and EIP come back from `d` (a hypercall's result), and the TSC is set to `tsc`.
   */
  resume(d: Domain, tsc: number): void;
  /** Runs at most `budget` instructions of the loaded context; the outcome is valid until the next run. */
  run(budget: number): RunOutcome;
  /** Asks a running `run` to return early (debugger stop, host shutdown). */
  requestStop(): void;
  /** One instruction per run (debugger single-step). */
  setSingleStep(on: boolean): void;
  /** Do not stop on a breakpoint at the current EIP at the start of the next run. */
  skipBreakpointOnce(): void;
}
