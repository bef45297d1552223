// The emulated CPU (src/emu/cpu, owned mode) as Xen drives it: a vcpu context goes in with its
// segment caches filled from the domain's own descriptor tables, CR3, CR0 (PE, PG, WP, TS), the
// per-domain GDT/LDT mapping and debug registers; after a bounded run it comes back out with
// whatever stopped it. Xen reads descriptors itself, so the CPU needs no knowledge of Xen.
import { Cpu, StopReason, WatchKind } from "../emu/cpu/index.js";
import type { XenCore } from "./core.js";
import { descriptorBase, descriptorLimit } from "./descriptors.js";
import type { DebugPoint, Domain } from "./domain.js";
import { TRAP_debug } from "./abi.js";
import { GDT_VIRT_START, LDT_VIRT_START } from "./layout.js";
import { descriptorMa } from "./segments.js";
import type { GuestException } from "./traps.js";
import type { GuestCpuPort, RunOutcome, RunStop } from "./vcpu-port.js";
import { inVm86 } from "./vm86.js";

/** Selector of GDT entry 265, where Xen 2.0 puts CPU 0's LDT descriptor. */
const XEN_LDT_SELECTOR = 265 << 3;
const CR0_PE = 1;
const CR0_TS = 1 << 3;
const CR0_ET = 1 << 4;
const CR0_WP = 1 << 16;
const CR0_PG = 1 << 31;
/** Segment registers in the order they are loaded: CS first, it sets the CPL the others use. */
const SEGMENT_LOAD_ORDER = [1, 0, 2, 3, 4, 5] as const;

export class CpuPort implements GuestCpuPort {
  readonly cpu: Cpu;
  private loadedCr3 = -1;
  private loadedCr0 = -1;
  private pointsOf: Domain | null = null;
  private pointsVersion = -1;
  private installed: DebugPoint[] = [];
  private readonly outcome: RunOutcome = { stop: "budget", executed: -0, exception: null, watchAddress: undefined, watchKind: undefined };
  private readonly exceptionRecord: GuestException = { vector: 0, errorCode: 0, cr2: 0, softwareInt: false, instrLength: 2 };

  constructor(x: XenCore) {
    this.cpu = new Cpu(x.mem, { mode: "owned" });
  }

  flushTlb(): void {
    this.cpu.flushTlb();
  }

  invlpg(va: number): void {
    this.cpu.flushTlbPage(va >>> 0);
  }

  load(x: XenCore, d: Domain, tsc: number): string | null {
    const c = this.cpu;
    // The CPU's rdtsc counts retired instructions; start it at the clock's TSC.
    c.instructionCount = tsc;
    const v = d.vcpu;
    const r = v.regs;
    const cr0 = (CR0_PE | CR0_ET | CR0_WP | CR0_PG | (v.cr0Ts ? CR0_TS : 0)) | 0;
    if (cr0 !== this.loadedCr0) {
      c.cr0 = cr0;
      this.loadedCr0 = cr0;
    }
    const cr3 = v.baseptrMfn * 4096;
    if (cr3 !== this.loadedCr3) {
      c.cr3 = cr3;
      this.loadedCr3 = cr3;
    }
    c.gdtrBase = GDT_VIRT_START | 0;
    c.gdtrLimit = v.gdtEntries * 8 - 1;
    const l = c.ldtr;
    // Xen keeps the LDT descriptor in its reserved GDT slot __LDT(0) = 265.
    l.selector = v.ldtEntries > 0 ? XEN_LDT_SELECTOR : 0;
    l.base = LDT_VIRT_START;
    l.limit = v.ldtEntries > 0 ? v.ldtEntries * 8 - 1 : 0;
    l.access = v.ldtEntries > 0 ? 0x82 : 0;
    c.regs.set(r.gpr);
    c.eip = r.eip;
    c.setEflags(r.eflags);
    c.cr2 = r.cr2 | 0;
    c.dr.set(v.debugreg);
    this.installDebugPoints(d);
    let error: string | null = null;
    if (inVm86(r)) {
      // Virtual-8086 mode: selector * 16 bases, no descriptors (setEflags above made CPL 3).
      for (let i = 0; i < SEGMENT_LOAD_ORDER.length; i++) c.setRealModeSegment(SEGMENT_LOAD_ORDER[i], r.seg[SEGMENT_LOAD_ORDER[i]]);
      return null;
    }
    const as = { mem: x.mem, baseptrMfn: v.baseptrMfn };
    const m = x.mem;
    // Descriptors are read in place (no arrays or objects): this runs on every return to a guest.
    for (let i = 0; i < SEGMENT_LOAD_ORDER.length; i++) {
      const s = SEGMENT_LOAD_ORDER[i];
      const sel = r.seg[s];
      const ma = (sel & ~3) === 0 ? -1 : descriptorMa(x, as, d, sel);
      if (ma < 0) {
        c.setSegmentCache(s, sel, 0, 0, 0);
        if (s === 1 || s === 2) error = `selector ${sel.toString(16)} in ${s === 1 ? "CS" : "SS"} is unusable`;
        continue;
      }
      const lo = m.read32(ma) >>> 0;
      const hi = m.read32(ma + 4) >>> 0;
      c.setSegmentCache(s, sel, descriptorBase(lo, hi), descriptorLimit(lo, hi), (hi >>> 8) & 0xf0ff);
    }
    return error;
  }

  /** Puts the domain's breakpoints and watchpoints in the CPU (they are linear, per domain). */
  private installDebugPoints(d: Domain): void {
    if (this.pointsOf === d && this.pointsVersion === d.debugVersion) return;
    const c = this.cpu;
    for (const p of this.installed) {
      if (p.kind === "exec") c.removeBreakpoint(p.address);
      else c.removeWatchpoint(p.address, p.length, watchKind(p));
    }
    this.installed = d.debugPoints.map((p) => ({ ...p }));
    for (const p of this.installed) {
      if (p.kind === "exec") c.addBreakpoint(p.address);
      else c.addWatchpoint(p.address, p.length, watchKind(p));
    }
    this.pointsOf = d;
    this.pointsVersion = d.debugVersion;
  }

  setSingleStep(on: boolean): void {
    this.cpu.singleStep = on;
  }

  skipBreakpointOnce(): void {
    this.cpu.skipBreakpointOnce = true;
  }

  save(d: Domain): void {
    const c = this.cpu;
    const r = d.vcpu.regs;
    r.gpr.set(c.regs);
    r.eip = c.eip >>> 0;
    r.eflags = c.getEflags() >>> 0;
    for (let s = 0; s < 6; s++) r.seg[s] = c.segSel[s] & 0xffff;
    r.cr2 = c.cr2 >>> 0;
  }

  resume(d: Domain, tsc: number): void {
    const c = this.cpu;
    const r = d.vcpu.regs;
    c.instructionCount = tsc;
    c.regs.set(r.gpr);
    c.eip = r.eip;
  }

  run(budget: number): RunOutcome {
    const c = this.cpu;
    const before = c.instructionCount;
    const code = c.run(budget);
    const executed = c.instructionCount - before;
    let stop: RunStop;
    switch (code) {
      case StopReason.EXCEPTION: stop = "exception"; break;
      case StopReason.BREAKPOINT: stop = "breakpoint"; break;
      case StopReason.WATCHPOINT: stop = "watchpoint"; break;
      case StopReason.STEP: stop = "step"; break;
      case StopReason.STOP_REQUESTED: stop = "stop-requested"; break;
      default: stop = "budget";
    }
    // One outcome and one exception record per port, refilled by each run: the caller reads them
    // before the next run, and an idle host then allocates nothing here on each timer tick.
    const out = this.outcome;
    out.stop = stop;
    out.executed = executed;
    out.exception = null;
    out.watchAddress = undefined;
    out.watchKind = undefined;
    if (stop === "watchpoint") {
      const k = c.watchHit?.kind;
      out.watchKind = k === WatchKind.WRITE ? "write" : k === WatchKind.READ ? "read" : "access";
      out.watchAddress = c.watchHit?.linear ?? 0;
      return out;
    }
    if (stop !== "exception") return out;
    const e = c.exception;
    const g = this.exceptionRecord;
    g.vector = e.vector;
    // #DB has no error code; Xen 2.0's do_debug saves the debug status (DR6) instead.
    g.errorCode = e.vector === TRAP_debug && !e.software ? c.dr[6] : e.errorCode;
    g.cr2 = e.cr2;
    g.softwareInt = e.software;
    g.instrLength = e.vector === 3 || e.vector === 4 ? 1 : 2;
    out.exception = g;
    return out;
  }

  requestStop(): void {
    this.cpu.requestStop();
  }
}

function watchKind(p: DebugPoint): (typeof WatchKind)[keyof typeof WatchKind] {
  return p.kind === "write" ? WatchKind.WRITE : p.kind === "read" ? WatchKind.READ : WatchKind.ACCESS;
}
