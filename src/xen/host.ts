// The testing computer's software side in one object: machine memory, Xen's core (frames and
// domains), the scheduler, the clock, the serial console sink and Xen's boot log. It owns the run
// loop: pick a domain, return to it through Xen's exit path (failsafe check, pending upcall), run
// the CPU for a bounded slice, then handle what stopped it (hypercall, exception, budget).
import createDebug from "debug";
import {
  DOMID_SELF, EVTCHNSTAT_closed, __HYPERVISOR_set_timer_op, __HYPERVISOR_xen_version, FLAT_RING1_CS, FLAT_RING1_DS, PGT_l2_page_table, HYPERCALL_VECTOR, SHARED_INFO, SHUTDOWN_crash, VIRQ_DEBUG, VIRQ_TIMER,
  VMASST_TYPE_writable_pagetables, XEN_VERSION,
} from "./abi.js";
import { BufferConsole, type ConsoleSink } from "./console-sink.js";
import { XenCore, type XenCoreOptions } from "./core.js";
import { R_EAX, R_EBX, R_ECX, R_EDI, R_EDX, R_ESI, R_ESP, S_CS, S_DS, S_ES, S_FS, S_GS, S_SS, type Domain } from "./domain.js";
import { bindInterdomain, closePort, sendPort, sendVirq } from "./evtchn.js";
import type { AddressSpace } from "./guest-memory.js";
import { HypercallStats, hypercall, hypercallNumber } from "./hypercalls.js";
import { installGdt, mapGdt, mapLdtShadowPage } from "./gdt.js";
import { newBaseptr } from "./mm.js";
import { getPageType } from "./page-types.js";
import { Scheduler, TICK_NS } from "./sched.js";
import { Clock, NS_PER_INSTRUCTION, type TimeMode } from "./time.js";
import { checkSegmentsOnReturn, deliverException, returnToGuest, upcallDue, type GuestException } from "./traps.js";
import { contextCpl } from "./vm86.js";
import type { GuestCpuPort } from "./vcpu-port.js";
import { LDT_VIRT_START } from "./layout.js";
import { ptwrFault, ptwrFlush } from "./ptwr.js";

const log = createDebug("xen:host");

/** Runs `fn` as a microtask (a resolved promise: lighter than queueMicrotask's async resource). */
function runSoon(fn: () => void): void {
  void Promise.resolve().then(fn);
}

/**
 * Whether exception `e` of `d` is a hypercall that changes no more of the vcpu context than EAX
 * (and no segment, page table, callback or debug state), so the CPU may go on with what it holds.
 */
function isInPlaceHypercall(d: Domain, e: GuestException): boolean {
  if (!e.softwareInt || e.vector !== HYPERCALL_VECTOR) return false;
  const r = d.vcpu.regs;
  if (contextCpl(r) !== 1) return false;
  const nr = hypercallNumber(r.gpr[R_EAX]);
  return nr === __HYPERVISOR_set_timer_op || nr === __HYPERVISOR_xen_version;
}

export interface XenHostOptions extends XenCoreOptions {
  timeMode?: TimeMode;
  console?: ConsoleSink;
  /** Instructions per CPU run call (the bound that keeps sockets responsive). @default 20000 */
  runChunk?: number;
}

/** Initial registers a builder sets (report 5.2.5, xen2-abi.md 5.2); absent ones get Xen's defaults. */
export interface InitialRegisters {
  eip: number;
  esp: number;
  esi: number;
  eflags?: number;
  eax?: number; ebx?: number; ecx?: number; edx?: number; edi?: number; ebp?: number;
  cs?: number;
  ds?: number;
}

export interface BuildPlan {
  regs: InitialRegisters;
  /** MFN of the bootstrap page directory; it is pinned as an L2 and loaded as CR3. */
  l2Mfn: number;
  /** Fill m2p[frameList[pfn]] = pfn for every frame of the domain. */
  fillM2p?: boolean;
  vmAssistWritablePt?: boolean;
  /** GDT frames (MFNs) and entry count to install before the first run (the MINIX builder's GDT). */
  gdt?: { frames: number[]; entries: number };
}

export type DomainExitListener = (d: Domain, reason: number) => void;

/** What stopped the host for the debugger. */
export type DebugStop =
  | { kind: "breakpoint" }
  | { kind: "watchpoint"; address: number; access: "write" | "read" | "access" }
  | { kind: "step" }
  | { kind: "crash"; description: string };

export class XenHost {
  readonly core: XenCore;
  readonly clock: Clock;
  readonly sched = new Scheduler();
  readonly stats = new HypercallStats();
  console: ConsoleSink;
  cpu: GuestCpuPort | null = null;
  readonly runChunk: number;
  private exitListeners: DomainExitListener[] = [];
  private destroyListeners: Array<(domid: number) => void> = [];
  private dom0Handlers = new Map<number, () => void>();
  /** Stored first as -0 so V8 keeps it a double (see Domain.timerDeadlineNs); TICK_NS in the constructor. */
  private nextTickNs = -0;
  private loaded: Domain | null = null;
  /** Host-level stop (debugger): no domain runs, the clock is frozen. */
  private stopped = false;
  private wakeTimer: NodeJS.Timeout | null = null;
  /** The deadline timer that last fired, and its delay: re-armed with refresh() when the next sleep is as long. */
  private firedTimer: NodeJS.Timeout | null = null;
  private firedTimerMs = -1;
  private running = false;
  /** A turn of the run loop is scheduled (immediate, microtask) and not yet run. */
  private turnPending = false;
  /** The loop sleeps (idle or stopped) until kick(); `sleptUntil` is the deadline it slept for. */
  private asleep = false;
  private sleptUntil: number | null = null;
  /** Whether a debugger's single step may enter a pending event upcall first (monitor sstep-events). */
  stepDeliversEvents = false;
  /** Set while a debugger is attached: told when a breakpoint, watchpoint, step or crash stops the host. */
  debugStopListener: ((d: Domain, why: DebugStop) => void) | null = null;
  /** The domain whose vcpu ran last (the debugger's default thread). */
  get lastRun(): Domain | null {
    return this.loaded;
  }
  /** Counts of Xen entries per kind, for tests and benchmarks. */
  readonly entries = { hypercalls: 0, exceptions: 0 };
  /** Exceptions and software interrupts reflected, by vector. */
  readonly vectors = new Map<number, number>();

  constructor(options: XenHostOptions = {}) {
    this.core = new XenCore(options);
    this.clock = new Clock(options.timeMode ?? "interactive");
    this.console = options.console ?? new BufferConsole();
    this.runChunk = options.runChunk ?? 20000;
    this.nextTickNs = TICK_NS;
    this.core.wake = (d) => {
      // A new upcall for a domain that is not running lets it in next (BVT's warp for I/O-bound
      // domains): blocked ones wake, runnable ones waiting behind a spinner's slice preempt it.
      d.blocked = false;
      if (d.canRun) this.sched.wakeUp(d);
      this.kick();
    };
    this.core.crash = (d, why) => this.crashDomain(d, why);
    this.core.dom0.native = (port) => this.dom0Handlers.get(port)?.();
    this.bootLog();
  }

  get mem() {
    return this.core.mem;
  }

  get dom0(): Domain {
    return this.core.dom0;
  }

  xenLog(line: string): void {
    this.console.xenLog(line);
  }

  private bootLog(): void {
    const v = XEN_VERSION;
    this.xenLog(`Xen version ${v >>> 16}.${v & 0xffff} (minix-on-xen) model of the Xen 2.0 hypervisor`);
    this.xenLog(`Physical RAM: ${this.mem.bytes >>> 20}MB, ${this.core.pool.freeCount} frames free for domains`);
    this.xenLog(`Scheduler: round robin, ${TICK_NS / 1e6} ms slices; time mode ${this.clock.mode}`);
    this.xenLog(`Frame pool: ${this.core.pool.shuffle ? "shuffled" : "in order"}`);
  }

  addressSpace(d: Domain): AddressSpace {
    return { mem: this.core.mem, baseptrMfn: d.vcpu.baseptrMfn };
  }

  // ---- Domain control (the API the dom0 tools use) -------------------------------------------

  /** Creates a paused domain with `memoryMiB` of zeroed frames (d.frameList: MFN per PFN). */
  createDomain(opts: { name: string; memoryMiB: number; domid?: number }): Domain {
    const pages = Math.round(opts.memoryMiB * 256);
    if (!Number.isFinite(pages) || pages <= 0) throw new RangeError(`Cannot create domain "${opts.name}": memory is ${opts.memoryMiB} MiB`);
    const d = this.core.createDomain(opts.name, pages, opts.domid);
    if (!this.core.allocateDomainFrames(d, pages)) {
      this.core.destroyDomain(d);
      throw new RangeError(`Cannot create domain "${opts.name}": ${opts.memoryMiB} MiB asked, ${this.core.pool.freeCount >>> 8} MiB free`);
    }
    mapGdt(this.core, d);
    this.sched.add(d);
    this.xenLog(`Domain ${d.id} "${d.name}" created with ${opts.memoryMiB} MiB`);
    return d;
  }

  setM2p(mfn: number, pfn: number): void {
    this.core.setM2p(mfn, pfn);
  }

  /** Applies a builder's plan: pins the L2 (Xen validation), loads CR3 and the initial context. */
  buildDomain(d: Domain, plan: BuildPlan): void {
    const x = this.core;
    if (plan.fillM2p) d.frameList.forEach((mfn, pfn) => x.setM2p(mfn, pfn));
    if (x.frames.owner[plan.l2Mfn] !== d.id) throw new Error(`Cannot build domain ${d.id}: L2 frame ${plan.l2Mfn} is not the domain's`);
    if (!getPageType(x, d, plan.l2Mfn, PGT_l2_page_table)) {
      throw new Error(`Cannot build domain ${d.id}: page tables at frame ${plan.l2Mfn} fail Xen's validation (writable PT frame or foreign frame)`);
    }
    x.frames.pinned[plan.l2Mfn] = 1;
    if (!newBaseptr(x, d, plan.l2Mfn)) throw new Error(`Cannot build domain ${d.id}: cannot load the L2 as CR3`);
    if (plan.gdt) {
      if (installGdt(x, d, plan.gdt.frames, plan.gdt.entries) !== 0) {
        throw new Error(`Cannot build domain ${d.id}: GDT frames fail Xen's checks (must be read-only, DPL 1-3)`);
      }
    }
    const r = d.vcpu.regs;
    const p = plan.regs;
    r.gpr.fill(0);
    r.gpr[R_EAX] = p.eax ?? 0;
    r.gpr[R_EBX] = p.ebx ?? 0;
    r.gpr[R_ECX] = p.ecx ?? 0;
    r.gpr[R_EDX] = p.edx ?? 0;
    r.gpr[R_EDI] = p.edi ?? 0;
    r.gpr[5] = p.ebp ?? 0;
    r.gpr[R_ESP] = p.esp | 0;
    r.gpr[R_ESI] = p.esi | 0;
    r.eip = p.eip >>> 0;
    r.eflags = (p.eflags ?? 0x204) | 2;
    const ds = p.ds ?? FLAT_RING1_DS;
    r.seg[S_CS] = p.cs ?? FLAT_RING1_CS;
    for (const s of [S_DS, S_ES, S_FS, S_GS, S_SS]) r.seg[s] = ds;
    d.vcpu.kernelSs = ds;
    d.vcpu.kernelEsp = p.esp >>> 0;
    if (plan.vmAssistWritablePt) d.vmAssist |= 1 << VMASST_TYPE_writable_pagetables;
    x.mem.write8(d.sharedInfoMfn * 4096 + SHARED_INFO.evtchn_upcall_mask, 1);
    this.xenLog(`Domain ${d.id} built: entry ${r.eip.toString(16)}, stack ${(p.esp >>> 0).toString(16)}`);
  }

  pause(d: Domain): void {
    d.pauseCount++;
  }

  unpause(d: Domain): void {
    if (d.pauseCount > 0) d.pauseCount--;
    this.kick();
  }

  onDomainExit(fn: DomainExitListener): void {
    this.exitListeners.push(fn);
  }

  /** Runs `fn` after a domain has been destroyed (its frames are back in the pool). */
  onDomainDestroyed(fn: (domid: number) => void): void {
    this.destroyListeners.push(fn);
  }

  /** sched_op(SCHEDOP_shutdown) and `xm shutdown`'s end: the domain stops with a reason. */
  shutdownDomain(d: Domain, reason: number): void {
    if (d.shutdownReason !== null) return;
    d.shutdownReason = reason;
    if (reason === SHUTDOWN_crash) d.crashed = true;
    this.sched.yieldRequested = true;
    const names = ["poweroff", "reboot", "suspend", "crash"];
    this.xenLog(`Domain ${d.id} shutdown: ${names[reason] ?? `reason ${reason}`}`);
    for (const fn of this.exitListeners) fn(d, reason);
  }

  /** A fatal guest error: the domain stops as crashed; the host carries on. */
  crashDomain(d: Domain, why: string): void {
    if (d.crashed) return;
    this.core.counters.crashes++;
    d.crashWhy = why;
    this.xenLog(`Domain ${d.id} (${d.name}) crashed: ${why}`);
    d.crashed = true;
    d.shutdownReason = SHUTDOWN_crash;
    this.sched.yieldRequested = true;
    if (this.debugStopListener) {
      this.stopHost();
      this.debugStopListener(d, { kind: "crash", description: why });
    }
    for (const fn of this.exitListeners) fn(d, SHUTDOWN_crash);
  }

  destroyDomain(d: Domain): void {
    if (this.loaded === d) this.loaded = null;
    this.sched.remove(d);
    // Close its channels so peers see them unbound.
    for (let p = 1; p < d.evtchn.size; p++) {
      if (d.evtchn.state[p] !== EVTCHNSTAT_closed) closePort(this.core, d, DOMID_SELF, p);
    }
    this.core.destroyDomain(d);
    this.xenLog(`Domain ${d.id} destroyed`);
    for (const fn of this.destroyListeners) fn(d.id);
  }

  /** Xen's debug key: asks the guest to dump its state (VIRQ_DEBUG). */
  raiseDebugVirq(d: Domain): void {
    sendVirq(this.core, d, VIRQ_DEBUG);
  }

  // ---- Event channels with the native dom0 -----------------------------------------------------

  /** bind_interdomain(dom0, d): the control-interface channel. */
  bindControlChannel(d: Domain): { dom0Port: number; guestPort: number } {
    const r = bindInterdomain(this.core, this.dom0, 0, d.id, 0, 0);
    if (typeof r === "number") throw new Error(`Cannot bind the control channel of domain ${d.id}: error ${r}`);
    return { dom0Port: r[0], guestPort: r[1] };
  }

  /** Runs `fn` whenever the peer of dom0's `port` sends an event. */
  onDom0Event(port: number, fn: () => void): void {
    this.dom0Handlers.set(port, fn);
  }

  /** evtchn send from dom0's `port` to its peer. */
  notifyFromDom0(port: number): void {
    sendPort(this.core, this.dom0, port);
  }

  // ---- Running ------------------------------------------------------------------------------

  attachCpu(cpu: GuestCpuPort): void {
    this.cpu = cpu;
    this.core.tlb = cpu;
  }

  /** The earliest timer deadline of any live domain, or null. */
  nextDeadlineNs(): number | null {
    let best: number | null = null;
    const all = this.sched.domains;
    for (let i = 0; i < all.length; i++) {
      const d = all[i];
      if (d.timerDeadlineNs > 0 && d.shutdownReason === null && (best === null || d.timerDeadlineNs < best)) best = d.timerDeadlineNs;
    }
    return best;
  }

  private fireTimers(now: number): void {
    const all = this.sched.domains;
    for (let i = 0; i < all.length; i++) {
      const d = all[i];
      if (d.timerDeadlineNs > 0 && d.timerDeadlineNs <= now && d.shutdownReason === null) {
        d.timerDeadlineNs = 0;
        this.clock.publish(this.mem, d.sharedInfoMfn * 4096);
        sendVirq(this.core, d, VIRQ_TIMER);
      }
    }
    if (now >= this.nextTickNs) {
      this.nextTickNs = now - (now % TICK_NS) + TICK_NS;
      const cur = this.sched.current;
      if (cur && cur.canRun) {
        this.clock.publish(this.mem, cur.sharedInfoMfn * 4096);
        sendVirq(this.core, cur, VIRQ_TIMER);
      }
    }
  }

  /**
   * One step of the host: fire timers, pick a domain and run it for at most one chunk.
   * Returns "ran", "idle" (no domain can run) or "stopped" (debugger stop / no CPU).
   */
  step(): "ran" | "idle" | "stopped" {
    if (this.stopped || !this.cpu) return "stopped";
    const now = this.clock.nowNs();
    this.fireTimers(now);
    const pick = this.sched.pick(now);
    if (!pick) return "idle";
    const d = pick.domain;
    const x = this.core;
    const as = this.addressSpace(d);
    if (pick.switched) {
      this.clock.publish(this.mem, d.sharedInfoMfn * 4096);
      sendVirq(x, d, VIRQ_TIMER);
    }
    // An open writable page table is closed when the domain is scheduled in again (Xen closes it
    // on deschedule) and before an upcall frame may have to be written through it; not on the
    // plain retry of the write that opened it.
    if ((pick.switched || upcallDue(this.mem.u8, d)) && !ptwrFlush(x, d)) return "ran";
    if (!returnToGuest(x, as, d) || !d.canRun) return "ran";
    const cpu = this.cpu;
    const loadError = cpu.load(x, d, this.clock.tsc());
    this.loaded = d;
    if (loadError) {
      this.crashDomain(d, `cannot return to the guest: ${loadError}`);
      return "ran";
    }
    let out = cpu.run(this.runBudget(now, this.nextDeadlineNs()));
    let ranHere = 0;
    for (;;) {
      cpu.save(d);
      d.cpuTimeInstr += out.executed;
      this.clock.executed(out.executed);
      ranHere += out.executed;
      if (out.stop !== "exception" || !out.exception) break;
      const inPlace = isInPlaceHypercall(d, out.exception);
      this.handleException(d, as, out.exception);
      if (!inPlace || ranHere >= this.runChunk) return "ran";
      const budget = this.budgetToStayIn(d, cpu);
      if (budget === 0) return "ran";
      cpu.resume(d, this.clock.tsc());
      out = cpu.run(budget);
    }
    if (out.stop === "breakpoint" || out.stop === "watchpoint") {
      this.stopHost();
      this.debugStopListener?.(d, out.stop === "breakpoint" ? { kind: "breakpoint" } : { kind: "watchpoint", address: out.watchAddress ?? 0, access: out.watchKind ?? "access" });
    }
    return "ran";
  }

  /**
   * After a hypercall that touched nothing of the CPU context but EAX: the budget of the run the
   * next step would give `d` when that step would change nothing else (no timer or tick due, no
   * upcall to enter, `d` still current in its slice, no stop), else 0. The CPU then goes on with
   * the context it holds, skipping Xen's exit path and the reload of every segment, which an idle
   * guest's timer handler (set_timer_op, then block) would otherwise pay twice per tick.
   */
  private budgetToStayIn(d: Domain, cpu: GuestCpuPort): number {
    if (this.stopped || this.cpu !== cpu || !d.canRun || this.sched.yieldRequested || this.sched.current !== d || d.vcpu.continuation) return 0;
    const now = this.clock.nowNs();
    if (now >= this.sched.sliceEndNs || now >= this.nextTickNs) return 0;
    const deadline = this.nextDeadlineNs();
    if (deadline !== null && deadline <= now) return 0;
    if (upcallDue(this.mem.u8, d)) return 0;
    return this.runBudget(now, deadline);
  }

  /** Instructions the current domain may run from `now`: one chunk, cut at its slice end, the next timer deadline and tick. */
  private runBudget(now: number, deadline: number | null): number {
    const untilSlice = Math.max(1, Math.ceil((this.sched.sliceEndNs - now) / NS_PER_INSTRUCTION));
    const untilTimer = deadline === null ? Infinity : Math.max(1, Math.ceil((deadline - now) / NS_PER_INSTRUCTION));
    const untilTick = Math.max(1, Math.ceil((this.nextTickNs - now) / NS_PER_INSTRUCTION));
    return Math.min(this.runChunk, untilSlice, untilTimer, untilTick);
  }

  /**
   * Executes exactly one instruction of `d` (the debugger's step) with the clock and every other
   * domain frozen; a hypercall or fault taken by that instruction is handled as usual.
   */
  stepDomain(d: Domain): void {
    const cpu = this.cpu;
    if (!cpu || !d.canRunIgnoringPause) return;
    const as = this.addressSpace(d);
    // By default a step does not enter the event callback (gdb's stepi stays in the code shown).
    const ok = this.stepDeliversEvents ? returnToGuest(this.core, as, d) : checkSegmentsOnReturn(this.core, as, d);
    if (!ok) return;
    const err = cpu.load(this.core, d, this.clock.tsc());
    this.loaded = d;
    if (err) {
      this.crashDomain(d, `cannot return to the guest: ${err}`);
      return;
    }
    cpu.skipBreakpointOnce();
    cpu.setSingleStep(true);
    const out = cpu.run(1);
    cpu.setSingleStep(false);
    cpu.save(d);
    d.cpuTimeInstr += out.executed;
    if (out.stop === "exception" && out.exception) this.handleException(d, as, out.exception);
  }

  private handleException(d: Domain, as: AddressSpace, e: NonNullable<ReturnType<GuestCpuPort["run"]>["exception"]>): void {
    const r = d.vcpu.regs;
    // Writable page tables: a write to a protected L1 opens it; any other entry closes it first.
    if (e.vector === 14 && !e.softwareInt && ptwrFault(this.core, d, e.cr2, e.errorCode)) return;
    if (!ptwrFlush(this.core, d)) return;
    const cpl = contextCpl(r);
    if (e.softwareInt && e.vector === HYPERCALL_VECTOR && cpl === 1) {
      this.entries.hypercalls++;
      const g = r.gpr;
      r.gpr[R_EAX] = hypercall(this, d, g[R_EAX], g[R_EBX], g[R_ECX], g[R_EDX], g[R_ESI], g[R_EDI]) | 0;
      const c = d.vcpu.continuation;
      if (c) {
        // Preempted: the guest re-executes int $0x82 with the updated arguments.
        d.vcpu.continuation = null;
        r.gpr[R_EAX] = c.nr;
        [R_EBX, R_ECX, R_EDX, R_ESI, R_EDI].forEach((reg, i) => {
          if (i < c.args.length) r.gpr[reg] = c.args[i] | 0;
        });
        r.eip = (r.eip - 2) >>> 0;
      }
      return;
    }
    this.entries.exceptions++;
    this.vectors.set(e.vector, (this.vectors.get(e.vector) ?? 0) + 1);
    log("d%d exception %d err %d at %s cr2 %s", d.id, e.vector, e.errorCode, r.eip.toString(16), (e.cr2 >>> 0).toString(16));
    if (e.vector === 14 && !e.softwareInt) {
      const off = (e.cr2 >>> 0) - LDT_VIRT_START;
      if (off >= 0 && off < 0x10000 && mapLdtShadowPage(this.core, as, d, e.cr2)) return; // retry the access
    }
    deliverException(this.core, as, d, e);
  }

  /** Runs steps until `done()` or `maxSteps`; idle periods advance the clock (deterministic tests). */
  runUntil(done: () => boolean, maxSteps = 1_000_000): boolean {
    for (let i = 0; i < maxSteps; i++) {
      if (done()) return true;
      const s = this.step();
      if (s === "stopped") return done();
      if (s === "idle") {
        const deadline = this.nextDeadlineNs();
        if (deadline === null) return done();
        this.clock.goIdle(deadline);
        this.clock.wake(deadline);
      }
    }
    return done();
  }

  /** Wakes the run loop (input arrived, a domain was unpaused or woken, a deadline came). */
  kick(): void {
    if (this.wakeTimer) {
      clearTimeout(this.wakeTimer);
      this.wakeTimer = null;
    }
    if (!this.asleep || !this.running) return;
    this.asleep = false;
    this.clock.wake(this.sleptUntil);
    this.scheduleTurn(runSoon);
  }

  /** Runs the host on the event loop until stop(): slices of about 1 ms, sleeping when idle. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.asleep = false;
    this.scheduleTurn(runSoon);
  }

  stop(): void {
    this.running = false;
    this.kick();
  }

  private scheduleTurn(how: (fn: () => void) => unknown): void {
    if (this.turnPending) return;
    this.turnPending = true;
    how(this.turn);
  }

  // One turn of the run loop: about 1 ms of steps, then another turn after pending I/O, or
  // sleep until the next deadline or a kick. Plain callbacks rather than an async loop: an idle
  // host wakes 100 times a second for a guest's 10 ms timer, and each promise hop costs there.
  private readonly turn = (): void => {
    this.turnPending = false;
    if (!this.running) return;
    const t0 = performance.now();
    let state: "ran" | "idle" | "stopped" = "ran";
    try {
      while (state === "ran" && performance.now() - t0 < 1) state = this.step();
    } catch (err) {
      // A host bug must not take the process down with it: stop the current domain, report.
      const d = this.loaded;
      this.xenLog(`internal error: ${(err as Error).message}`);
      log("internal error %O", err);
      if (d) this.crashDomain(d, "internal hypervisor error");
    }
    if (!this.running) return;
    if (state === "ran") {
      this.scheduleTurn(setImmediate);
      return;
    }
    const deadline = state === "idle" ? this.nextDeadlineNs() : null;
    const sleepMs = state === "idle" ? this.clock.goIdle(deadline) : Infinity;
    this.asleep = true;
    this.sleptUntil = deadline;
    if (sleepMs === Infinity) return;
    const ms = Math.max(0, Math.ceil(sleepMs));
    // An idle guest's periodic timer asks for the same sleep each time: re-arming the fired
    // timer spares a timer object and its async bookkeeping per tick.
    const t = this.firedTimer;
    this.firedTimer = null;
    if (t !== null && ms === this.firedTimerMs) this.wakeTimer = t.refresh();
    else {
      this.wakeTimer = setTimeout(this.wake, ms);
      this.firedTimerMs = ms;
    }
  };

  // The deadline timer: a top-level callback, so the turn runs right here, not one hop later.
  private readonly wake = (): void => {
    this.firedTimer = this.wakeTimer;
    this.wakeTimer = null;
    if (!this.asleep || !this.running || this.turnPending) return;
    this.asleep = false;
    this.clock.wake(this.sleptUntil);
    this.turnPending = true;
    this.turn();
  };

  /** Debugger stop: nothing runs and the clock stands still until resumeHost(). */
  stopHost(): void {
    this.stopped = true;
    this.clock.freeze();
    this.cpu?.requestStop();
  }

  resumeHost(): void {
    if (this.stopped) this.cpu?.skipBreakpointOnce();
    this.stopped = false;
    this.clock.thaw();
    this.kick();
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}
