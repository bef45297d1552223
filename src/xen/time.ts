// The host's one clock, in three modes. Interactive: virtual time runs with executed
// instructions while a domain runs and follows the wall clock while all are idle (the host
// sleeps). Deterministic: idle time is skipped to the next deadline, so a run replays exactly.
// Realtime: the wall clock. Guests see it through shared_info's time fields (Xen 2.0 time.c:
// version1++, fields, version2++), through the TSC and VIRQ_TIMER.
import { SHARED_INFO } from "./abi.js";
import type { MachineMemory } from "../emu/memory.js";

export type TimeMode = "interactive" | "deterministic" | "realtime";

/** The nominal speed of the emulated CPU: one instruction is this many ns of virtual time. */
export const NS_PER_INSTRUCTION = 10;
/** cpu_freq published in shared_info; the TSC counts at this rate. */
export const CPU_FREQ_HZ = 1e9 / NS_PER_INSTRUCTION;
/** Wall clock at boot in deterministic mode (the report's year), so replays match. */
export const DETERMINISTIC_BOOT_WALLCLOCK_MS = Date.UTC(2006, 4, 1, 12, 0, 0);

export class Clock {
  /** -0: a double from the start (it passes 2^30 after a second; see Domain.timerDeadlineNs). */
  private virtualNs = -0;
  private readonly realStart = performance.now();
  private idleSince: number | null = null;
  private frozen = false;
  /** The deadline the host sleeps for while idle (caps the idle time counted). */
  private idleDeadlineNs: number | null = null;
  readonly bootWallclockMs: number;

  constructor(readonly mode: TimeMode = "interactive") {
    this.bootWallclockMs = mode === "deterministic" ? DETERMINISTIC_BOOT_WALLCLOCK_MS : Date.now();
  }

  /** System time: ns since the host booted. */
  nowNs(): number {
    if (this.mode === "realtime" && !this.frozen) return Math.floor((performance.now() - this.realStart) * 1e6);
    return this.virtualNs;
  }

  /** TSC value now, counting at CPU_FREQ_HZ. */
  tsc(): number {
    return Math.floor(this.nowNs() / NS_PER_INSTRUCTION);
  }

  /** A domain executed `n` instructions. */
  executed(n: number): void {
    if (this.mode !== "realtime") this.virtualNs += n * NS_PER_INSTRUCTION;
  }

  /**
   * Every domain is idle until `deadlineNs` (null: no deadline). Returns how long the host
   * should sleep in ms; deterministic mode skips straight to the deadline.
   */
  goIdle(deadlineNs: number | null): number {
    const now = this.nowNs();
    if (this.mode === "deterministic") {
      if (deadlineNs !== null && deadlineNs > now) this.virtualNs = deadlineNs;
      return 0;
    }
    this.idleSince = this.frozen ? null : performance.now();
    this.idleDeadlineNs = deadlineNs;
    if (deadlineNs === null) return Infinity;
    return Math.max(0, (deadlineNs - now) / 1e6);
  }

  /** The host woke from an idle sleep: interactive time catches up with the wall clock. */
  wake(deadlineNs: number | null): void {
    this.idleDeadlineNs = deadlineNs;
    this.settleIdle();
    this.idleSince = null;
  }

  /**
   * Debugger stop: time stands still until thaw(). Idle time up to the stop is counted now, so
   * the clock the debugger reads does not move while it holds the host, whatever wakes it.
   */
  freeze(): void {
    if (this.frozen) return;
    this.settleIdle();
    this.frozen = true;
  }

  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    if (this.idleSince !== null) this.idleSince = performance.now();
  }

  /** Interactive idle time so far is added (never past the deadline slept for). */
  private settleIdle(): void {
    if (this.idleSince === null || this.frozen) return;
    const now = performance.now();
    if (this.mode === "interactive") {
      const deadline = this.idleDeadlineNs;
      let next = this.virtualNs + Math.floor((now - this.idleSince) * 1e6);
      if (deadline !== null && next > deadline && this.virtualNs <= deadline) next = deadline;
      this.virtualNs = Math.max(this.virtualNs, next);
    }
    this.idleSince = now;
  }

  /** Writes the time fields of a shared_info page (machine address `sharedMa`). */
  publish(mem: MachineMemory, sharedMa: number): void {
    const v = mem.view;
    const ns = this.nowNs();
    const wallMs = this.bootWallclockMs + ns / 1e6;
    const v1 = sharedMa + SHARED_INFO.time_version1;
    mem.write32(v1, (v.getUint32(v1, true) + 1) >>> 0);
    setU64(v, sharedMa + SHARED_INFO.cpu_freq, CPU_FREQ_HZ);
    setU64(v, sharedMa + SHARED_INFO.tsc_timestamp, this.tsc());
    setU64(v, sharedMa + SHARED_INFO.system_time, ns);
    v.setUint32(sharedMa + SHARED_INFO.wc_sec, Math.floor(wallMs / 1000) >>> 0, true);
    v.setUint32(sharedMa + SHARED_INFO.wc_usec, Math.floor((wallMs % 1000) * 1000) >>> 0, true);
    mem.noteWrite(sharedMa + SHARED_INFO.cpu_freq, 40);
    const v2 = sharedMa + SHARED_INFO.time_version2;
    mem.write32(v2, (v.getUint32(v2, true) + 1) >>> 0);
  }
}

/** Stores a non-negative integer below 2^53 as a little-endian u64 (no BigInt per store). */
function setU64(v: DataView, at: number, value: number): void {
  v.setUint32(at, value % 0x1_0000_0000, true);
  v.setUint32(at + 4, Math.floor(value / 0x1_0000_0000), true);
}
