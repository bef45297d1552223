// The emulated Xen host as the GDB stub's DebugTarget (src/gdbstub/target.ts), in the spirit of
// Xen 2.0's pervasive debugger: every domain's vcpu is a thread, memory is read through that
// vcpu's own page tables (or by pseudo-physical or machine address), breakpoints live in the
// emulator, and any stop stops the whole host and its clock.
import type {
  AddressSpace as DbgSpace, Breakpoint, DebugTarget, MonitorCommand, RegisterSnapshot, RegisterValue,
  ResumeRequest, TargetEvent, TargetResult, VcpuInfo, VcpuRef,
} from "../gdbstub/index.js";
import {
  EVTCHNSTAT_interdomain, EVTCHNSTAT_unbound, EVTCHNSTAT_virq, HYPERVISOR_VIRT_START, PGT_gdt_page, PGT_l1_page_table,
  PGT_l2_page_table, PGT_ldt_page, SHARED_INFO,
} from "./abi.js";
import type { DebugPoint, Domain } from "./domain.js";
import { S_CS, S_DS, S_ES, S_FS, S_GS, S_SS } from "./domain.js";
import { auditFrames } from "./audit.js";
import { guestVaToMa } from "./guest-memory.js";
import type { DebugStop, XenHost } from "./host.js";
import { decodeDescriptor } from "./descriptors.js";
import { readDescriptor, segmentOf } from "./segments.js";

const GPR_NAMES = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const SEG_NAMES: Array<[string, number]> = [["cs", S_CS], ["ss", S_SS], ["ds", S_DS], ["es", S_ES], ["fs", S_FS], ["gs", S_GS]];
/** EFLAGS bits a debugger may change: arithmetic flags, TF, DF. IF, IOPL and VM stay Xen's. */
const EFLAGS_DEBUGGER_MASK = 0x0cd5 | 0x100 | 0x400;

export class XenDebugTarget implements DebugTarget {
  private listeners: Array<(e: TargetEvent) => void> = [];
  private attached = false;

  /**
   * `toolCommands` are monitor commands served by the dom0 tools (which sit above Xen and so
   * cannot be reached from here), e.g. `console` from xend's history.
   */
  constructor(
    private readonly host: XenHost,
    private readonly toolCommands: readonly MonitorCommand[] = [],
  ) {
    host.onDomainDestroyed((id) => {
      if (this.attached) this.emit({ kind: "exited", domain: id, status: 0 });
    });
  }

  private domain(ref: VcpuRef): Domain | null {
    const d = this.host.core.domains.get(ref.domain);
    return d && d.id !== 0 && ref.vcpu === 0 ? d : null;
  }

  private emit(e: TargetEvent): void {
    // Asynchronous as the DebugTarget contract asks (never inside the stub's own call), but as a
    // microtask: a step's stop reply then leaves as soon as the packet that asked for it has been
    // handled, not a turn of the event loop later (a stepi is seven round trips with gdb).
    queueMicrotask(() => {
      for (const l of this.listeners) l(e);
    });
  }

  private refOf(d: Domain | null): VcpuRef {
    const first = [...this.host.core.domains.values()].find((x) => x.id !== 0);
    return { domain: (d ?? first)?.id ?? 0, vcpu: 0 };
  }

  vcpus(): VcpuInfo[] {
    const out: VcpuInfo[] = [];
    for (const d of this.host.core.domains.values()) {
      if (d.id === 0) continue;
      const state = d.crashed ? `crashed: ${d.crashWhy}` : d.runState === "runnable" ? "running" : d.runState;
      out.push({ ref: { domain: d.id, vcpu: 0 }, domainName: d.name, state });
    }
    return out;
  }

  attach(): void {
    this.attached = true;
    this.host.debugStopListener = (d: Domain, why: DebugStop) => this.onHostStop(d, why);
    // Said on the console, so a user watching it knows why every domain froze.
    this.host.xenLog("Debugger attached: Xen is in a debugging state, all domains stopped");
  }

  detach(): void {
    if (this.attached) this.host.xenLog("Debugger detached: domains running again");
    this.attached = false;
    this.host.debugStopListener = null;
    for (const d of this.host.core.domains.values()) {
      d.debugPoints = [];
      d.debugVersion++;
    }
    this.host.resumeHost();
  }

  private onHostStop(d: Domain, why: DebugStop): void {
    const vcpu = { domain: d.id, vcpu: 0 };
    if (why.kind === "breakpoint") this.emit({ kind: "stop", vcpu, reason: { kind: "breakpoint", type: "software" } });
    else if (why.kind === "watchpoint") this.emit({ kind: "stop", vcpu, reason: { kind: "watchpoint", type: why.access, address: why.address } });
    else if (why.kind === "crash") this.emit({ kind: "stop", vcpu, reason: { kind: "crash", description: why.description } });
    else this.emit({ kind: "stop", vcpu, reason: { kind: "step" } });
  }

  readRegisters(ref: VcpuRef): RegisterSnapshot {
    const m = new Map<string, RegisterValue>();
    const d = this.domain(ref);
    if (!d) return m;
    const r = d.vcpu.regs;
    GPR_NAMES.forEach((n, i) => m.set(n, r.gpr[i] >>> 0));
    m.set("eip", r.eip >>> 0);
    m.set("eflags", r.eflags >>> 0);
    const as = this.host.addressSpace(d);
    for (const [n, s] of SEG_NAMES) {
      m.set(n, r.seg[s]);
      const seg = segmentOf(this.host.core, as, d, r.seg[s]);
      if (seg) {
        m.set(`${n}_base`, seg.base);
        m.set(`${n}_limit`, seg.limit);
      }
    }
    m.set("cr0", (0x80010011 | (d.vcpu.cr0Ts ? 8 : 0)) >>> 0);
    m.set("cr2", r.cr2 >>> 0);
    m.set("cr3", d.vcpu.baseptrMfn >= 0 ? d.vcpu.baseptrMfn * 4096 : 0);
    m.set("xen_domid", d.id);
    m.set("xen_vcpu", 0);
    const base = d.sharedInfoMfn * 4096;
    m.set("evtchn_upcall_pending", this.host.mem.read8(base + SHARED_INFO.evtchn_upcall_pending));
    m.set("evtchn_upcall_mask", this.host.mem.read8(base + SHARED_INFO.evtchn_upcall_mask));
    return m;
  }

  writeRegister(ref: VcpuRef, name: string, value: RegisterValue): TargetResult {
    const d = this.domain(ref);
    if (!d) return { ok: false, message: `no vcpu ${ref.vcpu} in domain ${ref.domain}` };
    if (typeof value !== "number") return { ok: false, message: `${name} takes a 32-bit value` };
    const r = d.vcpu.regs;
    const i = GPR_NAMES.indexOf(name);
    if (i >= 0) r.gpr[i] = value | 0;
    else if (name === "eip") r.eip = value >>> 0;
    else if (name === "eflags") r.eflags = ((r.eflags & ~EFLAGS_DEBUGGER_MASK) | (value & EFLAGS_DEBUGGER_MASK)) >>> 0;
    else return { ok: false, message: `${name} is read-only here (Xen owns segments, control registers and its own view)` };
    return { ok: true };
  }

  /** Machine address of one byte, or -1. */
  private toMachine(d: Domain | null, space: DbgSpace, addr: number): number {
    addr >>>= 0;
    if (space === "machine") return addr < this.host.mem.bytes ? addr : -1;
    if (!d) return -1;
    if (space === "physical") {
      const mfn = d.frameList[addr >>> 12];
      return mfn === undefined ? -1 : mfn * 4096 + (addr & 0xfff);
    }
    if (addr >= HYPERVISOR_VIRT_START) {
      // The read-only machine-to-phys table every guest can read there (writes are refused
      // below: its frames are Xen's); the rest of Xen's area is unreachable, as for the guest.
      const mfn = this.host.core.m2pFrames[(addr - HYPERVISOR_VIRT_START) >>> 12];
      return mfn === undefined ? -1 : mfn * 4096 + (addr & 0xfff);
    }
    return guestVaToMa(this.host.addressSpace(d), addr, false);
  }

  readMemory(ref: VcpuRef, space: DbgSpace, address: number, length: number): Uint8Array {
    const d = this.domain(ref);
    const len = Math.max(0, Math.min(length | 0, 1 << 20));
    const first = len > 0 ? this.toMachine(d, space, address) : -1;
    // Within one page (gdb's reads around a step): a view of machine memory, no copy.
    if (first >= 0 && (address & 0xfff) + len <= 4096 && first + len <= this.host.mem.bytes) return this.host.mem.u8.subarray(first, first + len);
    const out = new Uint8Array(len);
    let done = 0;
    // One translation per page, then a straight copy of the part of the page wanted.
    while (done < len) {
      const at = (address + done) >>> 0;
      const ma = this.toMachine(d, space, at);
      if (ma < 0) break;
      const n = Math.min(len - done, 4096 - (at & 0xfff), this.host.mem.bytes - ma);
      out.set(this.host.mem.u8.subarray(ma, ma + n), done);
      done += n;
    }
    return out.subarray(0, done);
  }

  writeMemory(ref: VcpuRef, space: DbgSpace, address: number, data: Uint8Array): TargetResult {
    const d = this.domain(ref);
    const f = this.host.core.frames;
    const chunks: Array<[number, number, number]> = []; // machine address, offset in data, length
    let done = 0;
    while (done < data.length) {
      const at = (address + done) >>> 0;
      const ma = this.toMachine(d, space, at);
      if (ma < 0) return { ok: false, message: `address 0x${at.toString(16)} is not mapped` };
      const mfn = ma >>> 12;
      const t = f.type[mfn];
      const tableInUse = f.typeCount[mfn] > 0 && (t === PGT_l1_page_table || t === PGT_l2_page_table || t === PGT_gdt_page || t === PGT_ldt_page);
      if (f.owner[mfn] < 0 || tableInUse) return { ok: false, message: `frame ${mfn} is ${f.owner[mfn] < 0 ? "Xen's or free" : "a page table or descriptor table in use"}` };
      // Whatever the address space, a write lands only in the selected domain's own frames.
      if (f.owner[mfn] !== d?.id) return { ok: false, message: `frame ${mfn} belongs to domain ${f.owner[mfn]}, not the selected domain ${d?.id ?? "(none)"}` };
      const n = Math.min(data.length - done, 4096 - (at & 0xfff));
      chunks.push([ma, done, n]);
      done += n;
    }
    // All pages checked: now write (MachineMemory drops compiled code of the frames written).
    for (const [ma, off, n] of chunks) this.host.mem.writeBytes(ma, data.subarray(off, off + n));
    return { ok: true };
  }

  private pointOf(bp: Breakpoint): DebugPoint {
    const kind = bp.type === "software" || bp.type === "hardware" ? "exec" : bp.type;
    return { kind, address: bp.address >>> 0, length: Math.max(1, bp.length | 0) };
  }

  insertBreakpoint(bp: Breakpoint): TargetResult {
    const d = this.host.core.domains.get(bp.domain);
    if (!d || d.id === 0) return { ok: false, message: `no domain ${bp.domain}` };
    const p = this.pointOf(bp);
    if (!d.debugPoints.some((q) => q.kind === p.kind && q.address === p.address && q.length === p.length)) {
      d.debugPoints.push(p);
      d.debugVersion++;
    }
    return { ok: true };
  }

  removeBreakpoint(bp: Breakpoint): TargetResult {
    const d = this.host.core.domains.get(bp.domain);
    if (!d) return { ok: true };
    const p = this.pointOf(bp);
    const before = d.debugPoints.length;
    d.debugPoints = d.debugPoints.filter((q) => !(q.kind === p.kind && q.address === p.address && q.length === p.length));
    if (d.debugPoints.length !== before) d.debugVersion++;
    return { ok: true };
  }

  resume(request: ResumeRequest): void {
    if (request.kind === "continue") {
      this.host.resumeHost();
      return;
    }
    const d = this.domain(request.vcpu);
    if (!d) {
      this.emit({ kind: "stop", vcpu: request.vcpu, reason: { kind: "step" } });
      return;
    }
    // Stepping happens with the host stopped: nothing else runs and the clock stands still.
    const range = request.range;
    let n = 0;
    do {
      this.host.stepDomain(d);
      n++;
    } while (range && d.canRunIgnoringPause && d.vcpu.regs.eip >= range.start && d.vcpu.regs.eip < range.end && n < 100_000
      && !d.debugPoints.some((p) => p.kind === "exec" && p.address === d.vcpu.regs.eip));
    if (d.crashed) this.emit({ kind: "stop", vcpu: request.vcpu, reason: { kind: "crash", description: d.crashWhy } });
    else this.emit({ kind: "stop", vcpu: request.vcpu, reason: { kind: "step" } });
  }

  requestStop(): void {
    this.host.stopHost();
    this.emit({ kind: "stop", vcpu: this.refOf(this.host.lastRun), reason: { kind: "requested" } });
  }

  onEvent(listener: (event: TargetEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  monitorCommands(): MonitorCommand[] {
    const h = this.host;
    const dom = (args: string[], ctx: { vcpu: VcpuRef | null }): Domain => {
      const id = args[0] !== undefined ? Number(args[0]) : ctx.vcpu?.domain;
      const d = id === undefined ? undefined : h.core.domains.get(id);
      if (!d || d.id === 0) throw new RangeError(`Cannot find domain ${args[0] ?? "(none selected)"}: no such guest domain (see monitor domains)`);
      return d;
    };
    return [
      {
        name: "domains",
        usage: "",
        summary: "list domains with state, pages and instructions run",
        run: () => [...h.core.domains.values()].filter((d) => d.id !== 0)
          .map((d) => `${d.id} ${d.name} ${d.runState} pages=${d.totPages} instr=${d.cpuTimeInstr}${d.crashed ? ` (${d.crashWhy})` : ""}`).join("\n"),
      },
      {
        name: "evtchn",
        usage: "[DOM]",
        summary: "event-channel ports of a domain",
        run: (args, ctx) => {
          const d = dom(args, ctx);
          const e = d.evtchn;
          const lines: string[] = [];
          for (let p = 0; p < e.size; p++) {
            const st = e.state[p];
            if (st === EVTCHNSTAT_virq) lines.push(`${p} virq ${e.virqOfPort[p]}`);
            else if (st === EVTCHNSTAT_interdomain) lines.push(`${p} interdomain -> d${e.remoteDom[p]}:${e.remotePort[p]}`);
            else if (st === EVTCHNSTAT_unbound) lines.push(`${p} unbound for d${e.remoteDom[p]}`);
          }
          return lines.join("\n");
        },
      },
      {
        name: "status",
        usage: "",
        summary: "host state, clock and hypervisor entry counts",
        run: () => `${h.isStopped ? "stopped" : "running"} time=${h.clock.nowNs()}ns mode=${h.clock.mode} hypercalls=${h.entries.hypercalls} exceptions=${h.entries.exceptions} upcalls=${h.core.counters.upcalls} free-frames=${h.core.pool.freeCount}`,
      },
      {
        name: "xp",
        usage: "ADDR [LEN]",
        summary: "hex dump of machine memory (Xen's own view)",
        run: (args) => {
          const addr = Number(args[0]);
          const len = Math.min(Number(args[1] ?? 64), 4096);
          if (!Number.isInteger(addr) || addr < 0 || addr >= h.mem.bytes || !Number.isInteger(len) || len <= 0) {
            throw new RangeError(`Cannot dump machine memory at "${args[0] ?? ""}": expected ADDR below 0x${h.mem.bytes.toString(16)} and LEN 1..4096`);
          }
          const bytes = h.mem.u8.subarray(addr, Math.min(addr + len, h.mem.bytes));
          const lines: string[] = [];
          for (let i = 0; i < bytes.length; i += 16) {
            lines.push(`${(addr + i).toString(16).padStart(8, "0")}: ${Array.from(bytes.subarray(i, i + 16), (b) => b.toString(16).padStart(2, "0")).join(" ")}`);
          }
          return lines.join("\n");
        },
      },
      {
        name: "pt",
        usage: "VA [DOM]",
        summary: "walk a domain's page tables for VA: PDE, PTE, machine frame, pseudo-physical frame, page types",
        run: (args, ctx) => {
          const va = Number(args[0]) >>> 0;
          if (!Number.isFinite(Number(args[0]))) throw new RangeError(`Cannot walk the page tables for "${args[0] ?? ""}": expected a virtual address`);
          const d = dom(args.slice(1), ctx);
          const l2 = d.vcpu.baseptrMfn;
          if (l2 < 0) return `domain ${d.id} has no page directory`;
          const pde = h.mem.read32(l2 * 4096 + (va >>> 22) * 4);
          const lines = [`L2 mfn ${l2} slot ${va >>> 22}: pde 0x${pde.toString(16).padStart(8, "0")}`];
          if ((pde & 1) === 0) return `${lines[0]} (not present)`;
          const l1 = pde >>> 12;
          const pte = h.mem.read32(l1 * 4096 + ((va >>> 12) & 1023) * 4);
          lines.push(`L1 mfn ${l1} (type ${h.core.frames.type[l1]}) slot ${(va >>> 12) & 1023}: pte 0x${pte.toString(16).padStart(8, "0")}`);
          if ((pte & 1) === 0) return `${lines.join("\n")} (not present)`;
          const mfn = pte >>> 12;
          const f = h.core.frames;
          lines.push(`frame mfn ${mfn} pfn ${h.core.getM2p(mfn) | 0} owner ${f.owner[mfn]} type ${f.type[mfn]} count ${f.typeCount[mfn]}${f.pinned[mfn] ? " pinned" : ""}; ${pte & 2 ? "writable" : "read-only"}${pte & 4 ? ", user" : ""}`);
          return lines.join("\n");
        },
      },
      {
        name: "seg",
        usage: "SEL [DOM]",
        summary: "decode a selector through the domain's GDT/LDT",
        run: (args, ctx) => {
          const sel = Number(args[0]);
          if (!Number.isInteger(sel) || sel < 0 || sel > 0xffff) throw new RangeError(`Cannot decode selector "${args[0] ?? ""}": expected 0..0xffff`);
          const d = dom(args.slice(1), ctx);
          const raw = readDescriptor(h.core, h.addressSpace(d), d, sel);
          if (!raw) return `selector 0x${sel.toString(16)}: outside the ${sel & 4 ? "LDT" : "GDT"}`;
          const s = decodeDescriptor(raw[0], raw[1]);
          return `selector 0x${sel.toString(16)}: ${raw[1].toString(16).padStart(8, "0")}_${raw[0].toString(16).padStart(8, "0")} base 0x${s.base.toString(16)} limit 0x${s.limit.toString(16)} dpl ${s.dpl} ${s.present ? "present" : "not present"} ${s.system ? "system" : s.code ? "code" : "data"}`;
        },
      },
      {
        name: "gdt",
        usage: "[DOM]",
        summary: "a domain's GDT frames, entry count and its non-empty guest entries",
        run: (args, ctx) => {
          const d = dom(args, ctx);
          const v = d.vcpu;
          const frames = v.gdtFrames.length > 0 ? v.gdtFrames : [h.core.defaultGdtMfn];
          const lines = [`${v.gdtEntries} entries in frames ${frames.join(" ")}${v.gdtFrames.length === 0 ? " (Xen's default GDT)" : ""}; LDT ${v.ldtEntries} entries at 0x${v.ldtBaseVa.toString(16)}`];
          for (let i = 1; i < Math.min(v.gdtEntries, 256); i++) {
            const ma = frames[i >>> 9] * 4096 + (i & 511) * 8;
            const lo = h.mem.read32(ma);
            const hi = h.mem.read32(ma + 4);
            if (lo !== 0 || hi !== 0) lines.push(`${i} (0x${((i << 3) | ((hi >>> 13) & 3)).toString(16)}): ${hi.toString(16).padStart(8, "0")}_${lo.toString(16).padStart(8, "0")}`);
            if (lines.length > 64) break;
          }
          return lines.join("\n");
        },
      },
      {
        name: "sstep-events",
        usage: "on|off",
        summary: "whether stepping may enter a pending event upcall (off by default)",
        run: (args) => {
          if (args[0] === "on") h.stepDeliversEvents = true;
          else if (args[0] === "off") h.stepDeliversEvents = false;
          else if (args.length > 0) throw new RangeError(`Cannot set sstep-events to "${args[0]}": expected on or off`);
          return `sstep-events ${h.stepDeliversEvents ? "on" : "off"}`;
        },
      },
      {
        name: "audit",
        usage: "",
        summary: "check Xen's frame type and reference counts against their holders",
        run: () => {
          const problems = auditFrames(h.core);
          return problems.length === 0 ? "frame accounting consistent" : problems.slice(0, 40).join("\n");
        },
      },
      {
        name: "debugkey",
        usage: "DOM",
        summary: "raise VIRQ_DEBUG in a domain (Xen's debug key)",
        run: (args, ctx) => {
          const d = dom(args, ctx);
          h.raiseDebugVirq(d);
          return `VIRQ_DEBUG sent to domain ${d.id}`;
        },
      },
      {
        name: "pause",
        usage: "DOM",
        summary: "pause a domain (as xm pause)",
        run: (args, ctx) => {
          const d = dom(args, ctx);
          h.pause(d);
          return `domain ${d.id} paused`;
        },
      },
      {
        name: "unpause",
        usage: "DOM",
        summary: "unpause a domain",
        run: (args, ctx) => {
          const d = dom(args, ctx);
          h.unpause(d);
          return `domain ${d.id} unpaused`;
        },
      },
      ...this.toolCommands,
    ];
  }
}
