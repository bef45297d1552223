// The i386 CPU state and its memory path: registers, lazy flags, segment caches, 2-level paging
// with a TLB (SDM vol. 3 ch. 3-4), and the run loop that unwinds faults to one place.
// Instruction semantics live in execute.ts; descriptor loads and far transfers in transfers.ts.
// Modes: "owned" hands every exception and software interrupt to the owner; "bare" delivers
// them through the IDT as a PC would.
import createDebug from "debug";
import type { MachineMemory } from "../memory.js";
import {
  AC, AF, ARITH, CC_ADC, CC_ADD, CC_DEC, CC_EAGER, CC_INC, CC_RES, CC_SBB, CC_SUB, CF,
  FLAGS_FIXED, FLAGS_WRITABLE, OF, PF, SF, TF, VM, ZF,
} from "./flags.js";
import { PARITY } from "./lazy-flags.js";
import {
  CR0_AM, CR0_PG, CR0_WP, CR4_PSE, PF_P, PF_U, PF_W, StopReason, Vector,
  type SRegIndex, type StopReasonCode, type WatchKindCode,
} from "./constants.js";
import { step } from "./execute.js";
import { deliverInterrupt, loadSegmentChecked } from "./transfers.js";
import { traceInstruction } from "./trace.js";
import { HELPERS, compileBlock, type BlockFn } from "./block-compiler.js";

const log = createDebug("emu:cpu");
const traceLog = createDebug("emu:trace");

/** Thrown (never allocated per fault) to unwind from a faulting instruction to run(). */
export const FAULT = { fault: true } as const;

/** 0 benign, 1 contributory, 2 page fault (for the double-fault rules). */
function exceptionClass(v: number): number {
  if (v === 0 || (v >= 10 && v <= 13)) return 1;
  return v === 14 ? 2 : 0;
}

/** Internal stop code: leave the inner loop, re-evaluate (TF, pending IRQ), keep running. */
const STOP_REEVAL = 100;

const TLB_LIST_MAX = 16384;
const BLOCK_CACHE = 8192;
/** Executions counted per block before compiling: thresholds at or above this never compile. */
const SEEN_LIMIT = 1024;

/** Access byte of every segment in virtual-8086 mode: present, DPL 3, read/write data, accessed. */
export const V86_SEGMENT_ACCESS = 0xf3;

/** segOk bits: what the cached descriptor allows. */
export const SEG_R = 1;
export const SEG_W = 2;
export const SEG_EXPDOWN = 4;
export const SEG_BIG = 8;

/** What the owner is told about an exception or software interrupt (owned mode). */
export interface CpuException {
  vector: number;
  /** The pushed error code, or -1 when the vector has none. */
  errorCode: number;
  /** Faulting instruction for faults; the next instruction for traps and int n/int3/into. */
  eip: number;
  /** The faulting linear address for #PF (also in cpu.cr2). */
  cr2: number;
  /** True for int n, int3 and into (the owner checks the gate DPL against CPL). */
  software: boolean;
}

/** The cached part of a segment register; access = descriptor dword 1 bits 8..23 (type, S, DPL, P, AVL, D/B, G). */
export interface SegmentCache {
  selector: number;
  base: number;
  limit: number;
  access: number;
}

export interface CpuOptions {
  /** owned: rings 1-3, everything is raised to the owner. bare: ring 0 too, IDT/TSS delivery. */
  mode: "owned" | "bare";
}

export interface WatchHit {
  linear: number;
  size: number;
  kind: WatchKindCode;
}

export class Cpu {
  readonly mem: MachineMemory;
  readonly mode: "owned" | "bare";
  readonly owned: boolean;
  readonly u8: Uint8Array;
  readonly view: DataView;
  readonly codeFrames: Uint8Array;
  readonly frameCount: number;

  /** EAX ECX EDX EBX ESP EBP ESI EDI. */
  readonly regs = new Int32Array(8);
  /** 16-bit views: regs16[i * 2] is the low word of regs[i]. */
  readonly regs16 = new Uint16Array(this.regs.buffer);
  /** Byte view: 8-bit register r (AL CL DL BL AH CH DH BH) is regs8[((r & 3) << 2) | (r >> 2)]. */
  readonly regs8 = new Uint8Array(this.regs.buffer);

  /** Address (offset in CS) of the next instruction to run; the faulting one after a fault. */
  eip = 0;
  /** Fetch pointer inside the running instruction. */
  ip = 0;
  /** ESP at the start of the running instruction, restored on a fault. */
  startEsp = 0;

  // Non-arithmetic flags, and arithmetic flags when ccOp is CC_EAGER.
  flags = FLAGS_FIXED;
  ccOp = CC_EAGER;
  ccA = 0;
  ccB = 0;
  ccR = 0;
  /** Sign bit of the operation size (0x80, 0x8000, 0x80000000|0). */
  ccSign = 0;
  /** 24, 16 or 0: shifting by it moves the operation's sign bit to bit 31. */
  ccShift = 0;
  ccCF = 0;
  ccOF = 0;
  ccAF = 0;

  readonly segSel = new Int32Array(6);
  readonly segBase = new Int32Array(6);
  readonly segLimit = new Int32Array(6);
  readonly segAttr = new Int32Array(6);
  readonly segOk = new Int32Array(6);
  csBase = 0;
  csLimit = 0;
  cpl = 0;
  code32 = true;
  stack32 = true;

  private cr0v = 0x11; // PE | ET: this CPU only models protected mode
  cr2 = 0;
  private cr3v = 0;
  private cr4v = 0;
  readonly dr = new Int32Array(8);

  gdtrBase = 0;
  gdtrLimit = 0;
  idtrBase = 0;
  idtrLimit = 0;
  readonly ldtr: SegmentCache = { selector: 0, base: 0, limit: 0, access: 0 };
  readonly tr: SegmentCache = { selector: 0, base: 0, limit: 0, access: 0 };

  // TLBs: physical page base per linear page or -1; supervisor/user x read/write.
  private readonly tlbSR = new Int32Array(1 << 20).fill(-1);
  private readonly tlbSW = new Int32Array(1 << 20).fill(-1);
  private readonly tlbUR = new Int32Array(1 << 20).fill(-1);
  private readonly tlbUW = new Int32Array(1 << 20).fill(-1);
  /** Always empty: selected while alignment checking is on, so every access takes the slow path. */
  private readonly tlbNone = new Int32Array(1 << 20).fill(-1);
  tlbR = this.tlbSR;
  tlbW = this.tlbSW;
  /** CR0.AM, EFLAGS.AC and CPL 3 together: misaligned data accesses raise #AC(0). */
  alignCheck = false;
  private readonly tlbList = new Int32Array(TLB_LIST_MAX);
  private tlbCount = 0;
  /** Linear pages never cached in the TLB (they hold a watchpoint). */
  private readonly watchPages = new Uint8Array(1 << 20);

  // Instruction-fetch window: linear page start, how many bytes of it are fetchable, its machine base.
  fetchPage = 1;
  fetchValid = 0;
  fetchPhys = 0;

  /** Filled when run() returns EXCEPTION, or loadSegment/translate report a fault. */
  readonly exception: CpuException = { vector: 0, errorCode: -1, eip: 0, cr2: 0, software: false };
  /** Last raised fault (used while unwinding). */
  faultVector = 0;
  faultCode = -1;
  /** Page-fault error code computed by the last failed walk. */
  pfCode = 0;

  /** Instructions completed since creation. */
  // -0: a double from the start. The count passes V8's small-integer range (2^30) after about
  // 11 s of guest time under Xen, and a field changing representation then deoptimizes every
  // function that touches the CPU at once.
  instructionCount = -0;
  /** Bare mode: set by hlt, cleared by an interrupt delivery or the owner. */
  halted = false;
  /** Bare mode: a maskable interrupt vector waiting for IF=1, or -1. */
  pendingIrq = -1;

  stop = 0;
  left = 0;
  /** Budget of the running slice (for rdtsc). */
  sliceStart = 0;

  // Debug support.
  private readonly breakpoints: number[] = [];
  private readonly watches: { linear: number; len: number; kind: WatchKindCode }[] = [];
  /** Run exactly one instruction per run() call and return STEP. */
  singleStep = false;
  /** Ignore a breakpoint at eip for the first instruction of the next run() (to resume from it). */
  skipBreakpointOnce = false;
  watchHit: WatchHit | null = null;
  private pendingWatch: WatchHit | null = null;

  /** Port I/O hooks; default: reads float high, writes vanish. */
  ioRead: (port: number, size: 1 | 2 | 4) => number = (_p, size) => (size === 1 ? 0xff : size === 2 ? 0xffff : -1);
  ioWrite: (port: number, size: 1 | 2 | 4, value: number) => void = () => {};

  // x87 probe state.
  fpuCw = 0x37f;
  fpuSw = 0;
  fpuTag = 0xffff;

  /** Executions of a block start before it is compiled to JavaScript; -1 turns compiling off. */
  compileThreshold = 16;
  /**
   * The executions must fall within one window of this many instructions (counted as
   * instructionCount counts them: under Xen that is the TSC, so idle time counts too). Code that
   * runs now and then, such as an idle guest's 100 Hz timer handler, then stays interpreted: a
   * compiled block that runs rarely never gets optimized by V8 and costs more than the
   * interpreter, and compiling it keeps V8's compiler threads busy on an idle host.
   */
  compileWindow = 1 << 21;
  /** Per machine frame: block start offset -> execution count, compiled block, or null (not compilable). */
  private frameBlocks: (Map<number, number | BlockFn | null> | undefined)[];
  /** Set by mov ss / pop ss: the single-step trap waits one more instruction (SDM vol. 3 §6.8.3). */
  inhibitTrap = false;
  /** Set by sti (from IF=0), mov ss, pop ss: a pending interrupt waits one more instruction. */
  irqShadow = false;
  /** Internal: runSlow returns after one instruction (to step through an interrupt shadow). */
  private oneShot = false;
  /** Set when a write hits a frame holding compiled code, so a running block stops after the store. */
  smc = 0;
  /** Direct-mapped cache of compiled blocks by machine address (tag = address, -1 empty). */
  private readonly bcTag = new Int32Array(BLOCK_CACHE).fill(-1);
  private readonly bcFn: (BlockFn | null)[] = new Array<BlockFn | null>(BLOCK_CACHE).fill(null);

  // Decode state of the running instruction (execute.ts).
  opsize32 = true;
  adsize32 = true;
  segOvr = -1;
  rep = 0;
  eaSeg = 3;

  constructor(mem: MachineMemory, options: CpuOptions) {
    const mode: unknown = options?.mode;
    if (mode !== "owned" && mode !== "bare") {
      throw new TypeError(`Cannot create CPU: mode is ${JSON.stringify(mode)}, expected "owned" or "bare"`);
    }
    this.mem = mem;
    this.mode = options.mode;
    this.owned = options.mode === "owned";
    this.u8 = mem.u8;
    this.view = mem.view;
    this.codeFrames = mem.codeFrames;
    this.frameCount = mem.frameCount;
    this.frameBlocks = new Array(mem.frameCount).fill(undefined);
    mem.onCodeWrite((frame) => {
      this.frameBlocks[frame] = undefined;
      this.smc = 1;
      const tags = this.bcTag;
      for (let i = 0; i < BLOCK_CACHE; i++) {
        if ((tags[i] >>> 12) === frame) { tags[i] = -1; this.bcFn[i] = null; }
      }
    });
    // Flat 4 GiB segments at reset so a test can run code at once.
    for (let s = 0; s < 6; s++) {
      this.setSegmentCache(s as SRegIndex, 0, 0, -1, s === 1 ? 0xc09b : 0xc093);
    }
    if (this.owned) {
      this.setSegmentCache(1, 0x19, 0, -1, 0xc0bb);
      this.setSegmentCache(2, 0x21, 0, -1, 0xc0b3);
    }
  }

  // ---- control registers ------------------------------------------------------------------

  get cr0(): number { return this.cr0v; }
  set cr0(v: number) {
    this.cr0v = v | 0x10 | 1;
    this.flushTlb();
    this.selectTlb();
  }
  get cr3(): number { return this.cr3v; }
  set cr3(v: number) {
    this.cr3v = v | 0;
    this.flushTlb();
  }
  get cr4(): number { return this.cr4v; }
  set cr4(v: number) {
    this.cr4v = v | 0;
    this.flushTlb();
  }

  // ---- flags ------------------------------------------------------------------------------

  getCF(): number {
    switch (this.ccOp) {
      case CC_EAGER: return this.flags & CF;
      case CC_ADD: return (this.ccR >>> 0) < (this.ccA >>> 0) ? 1 : 0;
      case CC_ADC: return (this.ccCF !== 0 ? (this.ccR >>> 0) <= (this.ccA >>> 0) : (this.ccR >>> 0) < (this.ccA >>> 0)) ? 1 : 0;
      case CC_SUB: return (this.ccA >>> 0) < (this.ccB >>> 0) ? 1 : 0;
      case CC_SBB: return (this.ccCF !== 0 ? (this.ccA >>> 0) <= (this.ccB >>> 0) : (this.ccA >>> 0) < (this.ccB >>> 0)) ? 1 : 0;
      default: return this.ccCF;
    }
  }

  getZF(): boolean {
    return this.ccOp === CC_EAGER ? (this.flags & ZF) !== 0 : this.ccR === 0;
  }

  getSF(): boolean {
    return this.ccOp === CC_EAGER ? (this.flags & SF) !== 0 : (this.ccR & this.ccSign) !== 0;
  }

  getPF(): boolean {
    return this.ccOp === CC_EAGER ? (this.flags & PF) !== 0 : PARITY[this.ccR & 0xff] === 1;
  }

  getAF(): boolean {
    const op = this.ccOp;
    if (op === CC_EAGER) return (this.flags & AF) !== 0;
    if (op === CC_RES) return this.ccAF !== 0;
    return ((this.ccA ^ this.ccB ^ this.ccR) & 0x10) !== 0;
  }

  getOF(): boolean {
    const op = this.ccOp;
    switch (op) {
      case CC_EAGER: return (this.flags & OF) !== 0;
      case CC_ADD: case CC_ADC: case CC_INC:
        return ((this.ccA ^ this.ccR) & (this.ccB ^ this.ccR) & this.ccSign) !== 0;
      case CC_SUB: case CC_SBB: case CC_DEC:
        return ((this.ccA ^ this.ccB) & (this.ccA ^ this.ccR) & this.ccSign) !== 0;
      default: return this.ccOF !== 0;
    }
  }

  /** The six status flags as EFLAGS bits. */
  getArith(): number {
    if (this.ccOp === CC_EAGER) return this.flags & ARITH;
    return this.getCF() | (this.getPF() ? PF : 0) | (this.getAF() ? AF : 0) | (this.getZF() ? ZF : 0) |
      (this.getSF() ? SF : 0) | (this.getOF() ? OF : 0);
  }

  /** Turns lazy flags into eager ones in `flags` (before changing single status bits). */
  materialize(): void {
    if (this.ccOp !== CC_EAGER) {
      this.flags = (this.flags & ~ARITH) | this.getArith();
      this.ccOp = CC_EAGER;
    }
  }

  getEflags(): number {
    return ((this.flags & ~ARITH) | this.getArith() | FLAGS_FIXED) >>> 0;
  }

  /** Writes EFLAGS as the owner or debugger sees it (no privilege rules). */
  setEflags(v: number): void {
    const wasV86 = (this.flags & VM) !== 0;
    this.flags = (v & FLAGS_WRITABLE) | FLAGS_FIXED;
    this.ccOp = CC_EAGER;
    this.stop = this.stop || STOP_REEVAL;
    if (wasV86 !== ((v & VM) !== 0)) this.setCpl(this.v86 ? 3 : this.segSel[1] & 3);
    this.selectTlb();
  }

  /** EFLAGS.VM: virtual-8086 mode (SDM vol. 3 ch. 20). */
  get v86(): boolean {
    return (this.flags & VM) !== 0;
  }

  /**
   * Loads a segment register as virtual-8086 (and real) mode does: base = selector * 16,
   * limit 0xFFFF, a 16-bit read/write segment at DPL 3, no descriptor read.
   */
  setRealModeSegment(s: SRegIndex, selector: number): void {
    this.setSegmentCache(s, selector & 0xffff, (selector & 0xffff) << 4, 0xffff, V86_SEGMENT_ACCESS);
  }

  /** Internal: write flags under a mask of bits the instruction may change. */
  writeFlags(v: number, mask: number): void {
    this.materialize();
    this.flags = (this.flags & ~mask) | (v & mask) | FLAGS_FIXED;
    if ((mask & AC) !== 0) this.selectTlb();
    if ((v & TF) !== 0 || this.pendingIrq >= 0) this.stop = this.stop || STOP_REEVAL;
  }

  // ---- segments ---------------------------------------------------------------------------

  getSegment(s: SRegIndex): SegmentCache {
    return { selector: this.segSel[s], base: this.segBase[s] >>> 0, limit: this.segLimit[s] >>> 0, access: this.segAttr[s] };
  }

  /** Sets a segment register's selector and hidden cache without any check (owner, debugger). */
  setSegmentCache(s: SRegIndex, selector: number, base: number, limit: number, access: number): void {
    this.segSel[s] = selector & 0xffff;
    this.segBase[s] = base | 0;
    this.segLimit[s] = limit | 0;
    this.segAttr[s] = access & 0xf0ff;
    let ok = 0;
    if ((access & 0x80) !== 0 && (access & 0x10) !== 0) {
      if ((access & 0x8) === 0) {
        ok = SEG_R | ((access & 2) !== 0 ? SEG_W : 0) | ((access & 4) !== 0 ? SEG_EXPDOWN : 0);
      } else {
        ok = (access & 2) !== 0 ? SEG_R : 0;
      }
      if ((access & 0x4000) !== 0) ok |= SEG_BIG;
    }
    this.segOk[s] = ok;
    if (s === 1) {
      this.csBase = base | 0;
      this.csLimit = limit | 0;
      this.code32 = (access & 0x4000) !== 0;
      this.setCpl((this.flags & VM) !== 0 ? 3 : selector & 3);
      this.fetchValid = 0;
    } else if (s === 2) {
      this.stack32 = (access & 0x4000) !== 0;
    }
  }

  setCpl(cpl: number): void {
    this.cpl = cpl;
    this.selectTlb();
    this.fetchValid = 0;
  }

  /** Points tlbR/tlbW at the arrays for the current privilege (none while alignment checking). */
  private selectTlb(): void {
    this.alignCheck = this.cpl === 3 && (this.cr0v & CR0_AM) !== 0 && (this.flags & AC) !== 0;
    if (this.alignCheck) {
      this.tlbR = this.tlbNone;
      this.tlbW = this.tlbNone;
    } else if (this.cpl === 3) {
      this.tlbR = this.tlbUR;
      this.tlbW = this.tlbUW;
    } else {
      this.tlbR = this.tlbSR;
      this.tlbW = this.tlbSW;
    }
  }

  /**
   * Loads a data/stack segment register with the full protected-mode checks.
   * Returns false (cpu.exception filled, nothing changed) when the load would fault.
   */
  loadSegment(s: SRegIndex, selector: number): boolean {
    if (s === 1) throw new RangeError("Cannot load CS with loadSegment: use setSegmentCache or a far transfer");
    try {
      loadSegmentChecked(this, s, selector & 0xffff);
      return true;
    } catch (e) {
      if (e !== FAULT) throw e;
      this.fillException(this.faultVector, this.faultCode, this.eip, false);
      return false;
    }
  }

  // ---- faults -----------------------------------------------------------------------------

  /** Raises a fault from inside an instruction: unwinds to run(). */
  raise(vector: number, errorCode: number): never {
    this.faultVector = vector;
    this.faultCode = errorCode;
    throw FAULT;
  }

  private fillException(vector: number, errorCode: number, eip: number, software: boolean): void {
    const x = this.exception;
    x.vector = vector;
    x.errorCode = errorCode;
    x.eip = eip >>> 0;
    x.cr2 = this.cr2 >>> 0;
    x.software = software;
  }

  /** A software interrupt (int n, int3, into) after the instruction completed; eip = next. */
  softwareInterrupt(vector: number): void {
    if (this.owned) {
      this.fillException(vector, -1, this.ip, true);
      this.stop = StopReason.EXCEPTION + 1;
    } else {
      deliverInterrupt(this, vector, -1, true, this.ip);
      this.inhibitTrap = true; // no single-step trap after int n / int3 / into (SDM vol. 3 §17.3.1.4)
    }
  }

  // ---- paging -----------------------------------------------------------------------------

  flushTlb(): void {
    if (this.tlbCount >= TLB_LIST_MAX) {
      this.tlbSR.fill(-1);
      this.tlbSW.fill(-1);
      this.tlbUR.fill(-1);
      this.tlbUW.fill(-1);
    } else {
      for (let i = 0; i < this.tlbCount; i++) {
        const p = this.tlbList[i];
        this.tlbSR[p] = -1;
        this.tlbSW[p] = -1;
        this.tlbUR[p] = -1;
        this.tlbUW[p] = -1;
      }
    }
    this.tlbCount = 0;
    this.fetchValid = 0;
  }

  flushTlbPage(linear: number): void {
    const p = linear >>> 12;
    this.tlbSR[p] = -1;
    this.tlbSW[p] = -1;
    this.tlbUR[p] = -1;
    this.tlbUW[p] = -1;
    this.fetchValid = 0;
  }

  private readPhys32(pa: number): number {
    return pa >= 0 && pa + 4 <= this.mem.bytes ? this.view.getInt32(pa, true) : -1;
  }

  private setPhysBits(pa: number, old: number, bits: number): void {
    if ((old & bits) === bits || pa + 4 > this.mem.bytes) return;
    this.view.setInt32(pa, old | bits, true);
    if (this.codeFrames[pa >>> 12] !== 0) this.mem.noteWrite(pa, 4);
  }

  /**
   * Walks the page tables: the machine address of `la`, or -1 with pfCode set.
   * Sets accessed/dirty bits as hardware does when `setBits`.
   */
  walk(la: number, write: boolean, user: boolean, setBits: boolean): number {
    if ((this.cr0v & CR0_PG) === 0) return la >>> 0;
    const errBase = (write ? PF_W : 0) | (user ? PF_U : 0);
    const pdeAddr = ((this.cr3v & ~0xfff) >>> 0) + ((la >>> 22) << 2);
    const pde = this.readPhys32(pdeAddr);
    if ((pde & 1) === 0) { this.pfCode = errBase; return -1; }
    if ((pde & 0x80) !== 0 && (this.cr4v & CR4_PSE) !== 0) {
      if (!this.permitted(pde, pde, write, user)) { this.pfCode = errBase | PF_P; return -1; }
      if (setBits) this.setPhysBits(pdeAddr, pde, write ? 0x60 : 0x20);
      return (((pde & 0xffc00000) >>> 0) + (la & 0x3fffff));
    }
    const pteAddr = ((pde & ~0xfff) >>> 0) + (((la >>> 12) & 0x3ff) << 2);
    const pte = this.readPhys32(pteAddr);
    if ((pte & 1) === 0) { this.pfCode = errBase; return -1; }
    if (!this.permitted(pde, pte, write, user)) { this.pfCode = errBase | PF_P; return -1; }
    if (setBits) {
      this.setPhysBits(pdeAddr, pde, 0x20);
      this.setPhysBits(pteAddr, pte, write ? 0x60 : 0x20);
    }
    return ((pte & ~0xfff) >>> 0) + (la & 0xfff);
  }

  private permitted(pde: number, pte: number, write: boolean, user: boolean): boolean {
    if (user) {
      if ((pde & pte & 4) === 0) return false;
      return !write || (pde & pte & 2) !== 0;
    }
    return !write || (this.cr0v & CR0_WP) === 0 || (pde & pte & 2) !== 0;
  }

  /** Translates for the running instruction; raises #PF. Fills the TLB when it may. */
  xlate(la: number, write: boolean, user: boolean): number {
    const pa = this.walk(la, write, user, true);
    if (pa < 0) {
      this.cr2 = la | 0;
      this.raise(Vector.PF, this.pfCode);
    }
    const page = la >>> 12;
    if ((pa >>> 12) < this.frameCount && this.watchPages[page] === 0) {
      const base = (pa & ~0xfff) | 0;
      if (user) {
        if (write) this.tlbUW[page] = base; else this.tlbUR[page] = base;
      } else {
        if (write) this.tlbSW[page] = base; else this.tlbSR[page] = base;
      }
      if (this.tlbCount < TLB_LIST_MAX) this.tlbList[this.tlbCount++] = page;
      else this.tlbCount = TLB_LIST_MAX;
    }
    return pa;
  }

  /**
   * Debugger/owner translation linear -> machine address, with access checks and A/D bits.
   * Returns -1 when the access would fault (cpu.pfCode holds the #PF error code).
   */
  translate(linear: number, write: boolean, user = this.cpl === 3): number {
    return this.walk(linear | 0, write, user, true);
  }

  /** Reads linear memory without faulting the CPU (supervisor rights); null if unmapped. */
  readLinear(linear: number, len: number): Uint8Array | null {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const pa = this.walk((linear + i) | 0, false, false, false);
      if (pa < 0 || pa >= this.mem.bytes) return null;
      out[i] = this.u8[pa];
    }
    return out;
  }

  /** Writes linear memory without faulting the CPU (supervisor, ignoring WP); false if unmapped. */
  writeLinear(linear: number, data: Uint8Array): boolean {
    const pas = new Array<number>(data.length);
    for (let i = 0; i < data.length; i++) {
      const pa = this.walk((linear + i) | 0, false, false, false);
      if (pa < 0 || pa >= this.mem.bytes) return false;
      pas[i] = pa;
    }
    for (let i = 0; i < data.length; i++) this.mem.write8(pas[i], data[i]);
    return true;
  }

  // ---- linear and segmented access for instructions -----------------------------------------

  private watchCheck(la: number, size: number, write: boolean): void {
    for (const w of this.watches) {
      if (w.kind === 0 && !write) continue;
      if (w.kind === 1 && write) continue;
      if (((la - w.linear) >>> 0) < w.len || ((w.linear - la) >>> 0) < size) {
        this.pendingWatch = { linear: la >>> 0, size, kind: w.kind };
        this.stop = this.stop || STOP_REEVAL;
      }
    }
  }

  private readSlow(la: number, size: number): number {
    if (this.alignCheck && (la & (size - 1)) !== 0) this.raise(Vector.AC, 0);
    const user = this.cpl === 3;
    const p0 = this.xlate(la, false, user);
    const last = (la + size - 1) | 0;
    const p1 = ((last ^ la) & ~0xfff) === 0 ? p0 + size - 1 : this.xlate(last & ~0xfff, false, user) + (last & 0xfff);
    if (this.watchPages[la >>> 12] !== 0 || this.watchPages[last >>> 12] !== 0) this.watchCheck(la, size, false);
    let v = 0;
    for (let i = 0; i < size; i++) {
      const pa = ((la + i) & ~0xfff) === (la & ~0xfff) ? p0 + i : p1 - (size - 1 - i);
      v |= (pa < this.mem.bytes ? this.u8[pa] : 0xff) << (i * 8);
    }
    return v;
  }

  private writeSlow(la: number, size: number, v: number): void {
    if (this.alignCheck && (la & (size - 1)) !== 0) this.raise(Vector.AC, 0);
    const user = this.cpl === 3;
    const p0 = this.xlate(la, true, user);
    const last = (la + size - 1) | 0;
    const p1 = ((last ^ la) & ~0xfff) === 0 ? p0 + size - 1 : this.xlate(last & ~0xfff, true, user) + (last & 0xfff);
    if (this.watchPages[la >>> 12] !== 0 || this.watchPages[last >>> 12] !== 0) this.watchCheck(la, size, true);
    for (let i = 0; i < size; i++) {
      const pa = ((la + i) & ~0xfff) === (la & ~0xfff) ? p0 + i : p1 - (size - 1 - i);
      if (pa < this.mem.bytes) {
        this.u8[pa] = v >>> (i * 8);
        if (this.codeFrames[pa >>> 12] !== 0) this.mem.noteWrite(pa, 1);
      }
    }
  }

  rdLin8(la: number): number {
    const e = this.tlbR[la >>> 12];
    if (e !== -1) return this.u8[e | (la & 0xfff)];
    return this.readSlow(la, 1);
  }

  rdLin16(la: number): number {
    const e = this.tlbR[la >>> 12];
    if (e !== -1 && (la & 0xfff) <= 0xffe) return this.view.getUint16(e | (la & 0xfff), true);
    return this.readSlow(la, 2);
  }

  rdLin32(la: number): number {
    const e = this.tlbR[la >>> 12];
    if (e !== -1 && (la & 0xfff) <= 0xffc) return this.view.getInt32(e | (la & 0xfff), true);
    return this.readSlow(la, 4);
  }

  wrLin8(la: number, v: number): void {
    const e = this.tlbW[la >>> 12];
    if (e !== -1) {
      const pa = e | (la & 0xfff);
      this.u8[pa] = v;
      if (this.codeFrames[e >>> 12] !== 0) this.mem.noteWrite(pa, 1);
      return;
    }
    this.writeSlow(la, 1, v);
  }

  wrLin16(la: number, v: number): void {
    const e = this.tlbW[la >>> 12];
    if (e !== -1 && (la & 0xfff) <= 0xffe) {
      const pa = e | (la & 0xfff);
      this.view.setUint16(pa, v, true);
      if (this.codeFrames[e >>> 12] !== 0) this.mem.noteWrite(pa, 2);
      return;
    }
    this.writeSlow(la, 2, v);
  }

  wrLin32(la: number, v: number): void {
    const e = this.tlbW[la >>> 12];
    if (e !== -1 && (la & 0xfff) <= 0xffc) {
      const pa = e | (la & 0xfff);
      this.view.setInt32(pa, v, true);
      if (this.codeFrames[e >>> 12] !== 0) this.mem.noteWrite(pa, 4);
      return;
    }
    this.writeSlow(la, 4, v);
  }

  /** Checks that a write of `size` bytes at `la` would not fault (for multi-part stores). */
  probeWrite(la: number, size: number): void {
    if (this.alignCheck && size <= 4 && (la & (size - 1)) !== 0) this.raise(Vector.AC, 0);
    const user = this.cpl === 3;
    if (this.tlbW[la >>> 12] === -1) this.xlate(la, true, user);
    const last = (la + size - 1) | 0;
    if (this.tlbW[last >>> 12] === -1) this.xlate(last & ~0xfff, true, user);
  }

  private segFault(s: number): never {
    return this.raise(s === 2 ? Vector.SS : Vector.GP, 0);
  }

  /** Segment-checked linear address for a read of `size` bytes at offset `off` in segment `s`. */
  linR(s: number, off: number, size: number): number {
    const ok = this.segOk[s];
    if ((ok & (SEG_R | SEG_EXPDOWN)) !== SEG_R) return this.linSlow(s, off, size, SEG_R);
    if ((off >>> 0) + (size - 1) > (this.segLimit[s] >>> 0)) this.segFault(s);
    return (this.segBase[s] + off) | 0;
  }

  linW(s: number, off: number, size: number): number {
    const ok = this.segOk[s];
    if ((ok & (SEG_W | SEG_EXPDOWN)) !== SEG_W) return this.linSlow(s, off, size, SEG_W);
    if ((off >>> 0) + (size - 1) > (this.segLimit[s] >>> 0)) this.segFault(s);
    return (this.segBase[s] + off) | 0;
  }

  private linSlow(s: number, off: number, size: number, need: number): number {
    const ok = this.segOk[s];
    if ((ok & need) === 0) this.segFault(s);
    // Expand-down: valid offsets are limit+1 .. 0xFFFF or 0xFFFFFFFF.
    const top = (ok & SEG_BIG) !== 0 ? 0xffffffff : 0xffff;
    const o = off >>> 0;
    if (o <= (this.segLimit[s] >>> 0) || o + size - 1 > top) this.segFault(s);
    return (this.segBase[s] + off) | 0;
  }

  rd8(s: number, off: number): number { return this.rdLin8(this.linR(s, off, 1)); }
  rd16(s: number, off: number): number { return this.rdLin16(this.linR(s, off, 2)); }
  rd32(s: number, off: number): number { return this.rdLin32(this.linR(s, off, 4)); }
  wr8(s: number, off: number, v: number): void { this.wrLin8(this.linW(s, off, 1), v); }
  wr16(s: number, off: number, v: number): void { this.wrLin16(this.linW(s, off, 2), v); }
  wr32(s: number, off: number, v: number): void { this.wrLin32(this.linW(s, off, 4), v); }

  /** Implicit supervisor read of a system structure (GDT, LDT, IDT, TSS) at a linear address. */
  rdSys32(la: number): number {
    const savedCpl = this.cpl;
    if (savedCpl === 3) this.setCpl(0);
    try {
      return this.rdLin32(la);
    } finally {
      if (savedCpl === 3) this.setCpl(3);
    }
  }

  rdSys16(la: number): number {
    const savedCpl = this.cpl;
    if (savedCpl === 3) this.setCpl(0);
    try {
      return this.rdLin16(la);
    } finally {
      if (savedCpl === 3) this.setCpl(3);
    }
  }

  wrSys32(la: number, v: number): void {
    const savedCpl = this.cpl;
    if (savedCpl === 3) this.setCpl(0);
    try {
      this.wrLin32(la, v);
    } finally {
      if (savedCpl === 3) this.setCpl(3);
    }
  }

  // Stack (SS, ESP or SP by SS.B).
  push32(v: number): void {
    if (this.stack32) {
      const sp = (this.regs[4] - 4) | 0;
      this.wr32(2, sp, v);
      this.regs[4] = sp;
    } else {
      const sp = (this.regs[4] - 4) & 0xffff;
      this.wr32(2, sp, v);
      this.regs16[8] = sp;
    }
  }

  push16(v: number): void {
    if (this.stack32) {
      const sp = (this.regs[4] - 2) | 0;
      this.wr16(2, sp, v);
      this.regs[4] = sp;
    } else {
      const sp = (this.regs[4] - 2) & 0xffff;
      this.wr16(2, sp, v);
      this.regs16[8] = sp;
    }
  }

  pop32(): number {
    if (this.stack32) {
      const v = this.rd32(2, this.regs[4]);
      this.regs[4] = (this.regs[4] + 4) | 0;
      return v;
    }
    const v = this.rd32(2, this.regs16[8]);
    this.regs16[8] = this.regs16[8] + 4;
    return v;
  }

  pop16(): number {
    if (this.stack32) {
      const v = this.rd16(2, this.regs[4]);
      this.regs[4] = (this.regs[4] + 2) | 0;
      return v;
    }
    const v = this.rd16(2, this.regs16[8]);
    this.regs16[8] = this.regs16[8] + 2;
    return v;
  }

  /** Current stack pointer as an offset in SS (ESP or SP). */
  sp(): number {
    return this.stack32 ? this.regs[4] : this.regs16[8];
  }

  // ---- instruction fetch -------------------------------------------------------------------

  fb(): number {
    const ip = this.ip;
    const off = (this.csBase + ip - this.fetchPage) | 0;
    if ((off >>> 0) < this.fetchValid) {
      this.ip = (ip + 1) | 0;
      return this.u8[this.fetchPhys + off];
    }
    return this.fetchSlow();
  }

  fw(): number {
    const ip = this.ip;
    const off = (this.csBase + ip - this.fetchPage) | 0;
    if ((off >>> 0) + 1 < this.fetchValid) {
      this.ip = (ip + 2) | 0;
      return this.view.getUint16(this.fetchPhys + off, true);
    }
    const lo = this.fetchSlow();
    return lo | (this.fb() << 8);
  }

  fd(): number {
    const ip = this.ip;
    const off = (this.csBase + ip - this.fetchPage) | 0;
    if ((off >>> 0) + 3 < this.fetchValid) {
      this.ip = (ip + 4) | 0;
      return this.view.getInt32(this.fetchPhys + off, true);
    }
    const b0 = this.fetchSlow();
    const b1 = this.fb();
    const b2 = this.fb();
    return b0 | (b1 << 8) | (b2 << 16) | (this.fb() << 24);
  }

  private fetchSlow(): number {
    const ip = this.ip;
    if ((ip >>> 0) > (this.csLimit >>> 0)) this.raise(Vector.GP, 0);
    if (((ip - this.eip) >>> 0) >= 15) this.raise(Vector.GP, 0);
    const la = (this.csBase + ip) | 0;
    const e = this.tlbR[la >>> 12];
    const pa = e !== -1 ? e | (la & 0xfff) : this.xlate(la, false, this.cpl === 3);
    const page = la & ~0xfff;
    if ((pa >>> 12) < this.frameCount) {
      // Window = rest of the page, cut at the CS limit.
      const pageStartOff = (ip - (la & 0xfff)) >>> 0;
      const lim = this.csLimit >>> 0;
      const valid = lim >= pageStartOff ? Math.min(4096, lim - pageStartOff + 1) : 0;
      this.fetchPage = page;
      this.fetchPhys = pa & ~0xfff;
      this.fetchValid = valid;
    }
    this.ip = (ip + 1) | 0;
    return pa < this.mem.bytes ? this.u8[pa] : 0xff;
  }

  // ---- debug ------------------------------------------------------------------------------

  addBreakpoint(linear: number): void {
    const a = linear >>> 0;
    if (!this.breakpoints.includes(a)) this.breakpoints.push(a);
  }

  removeBreakpoint(linear: number): boolean {
    const i = this.breakpoints.indexOf(linear >>> 0);
    if (i < 0) return false;
    this.breakpoints.splice(i, 1);
    return true;
  }

  addWatchpoint(linear: number, len: number, kind: WatchKindCode): void {
    if (len <= 0) throw new RangeError(`Cannot add watchpoint at 0x${(linear >>> 0).toString(16)}: length ${len}`);
    this.watches.push({ linear: linear >>> 0, len, kind });
    this.rebuildWatchPages();
  }

  removeWatchpoint(linear: number, len: number, kind: WatchKindCode): boolean {
    const i = this.watches.findIndex((w) => w.linear === linear >>> 0 && w.len === len && w.kind === kind);
    if (i < 0) return false;
    this.watches.splice(i, 1);
    this.rebuildWatchPages();
    return true;
  }

  private rebuildWatchPages(): void {
    this.watchPages.fill(0);
    for (const w of this.watches) {
      for (let p = w.linear >>> 12; p <= ((w.linear + w.len - 1) >>> 12) && p < (1 << 20); p++) this.watchPages[p] = 1;
    }
    this.flushTlb();
  }

  /** Asks run() to return STOP_REQUESTED after the current instruction. */
  requestStop(): void {
    this.stop = StopReason.STOP_REQUESTED + 1;
  }

  /** Bare mode: raise a maskable interrupt, delivered when IF=1 between instructions. */
  raiseIrq(vector: number): void {
    this.pendingIrq = vector & 0xff;
    this.stop = this.stop || STOP_REEVAL;
  }

  // ---- running ----------------------------------------------------------------------------

  /** Runs up to `budget` instructions; see StopReason for why it returns. */
  run(budget: number): StopReasonCode {
    if (!Number.isSafeInteger(budget) || budget < 0) {
      throw new RangeError(`Cannot run CPU: budget ${budget} is not a non-negative integer`);
    }
    this.left = budget;
    this.sliceStart = budget;
    this.ip = this.eip;
    const start = budget;
    this.watchHit = null;
    const tracing = traceLog.enabled;
    let reason: StopReasonCode = StopReason.BUDGET;
    for (;;) {
      this.oneShot = false;
      if (!this.owned && this.pendingIrq >= 0 && (this.flags & 0x200) !== 0 && this.irqShadow) {
        this.oneShot = true; // run the shadowed instruction first, then deliver
      } else if (!this.owned && this.pendingIrq >= 0 && (this.flags & 0x200) !== 0) {
        const v = this.pendingIrq;
        this.pendingIrq = -1;
        this.halted = false;
        if (!this.deliverSafely(v, -1, false, this.eip)) { reason = StopReason.SHUTDOWN; break; }
      }
      if (this.halted) { reason = StopReason.HALT; break; }
      this.stop = 0;
      const slow = tracing || this.singleStep || this.oneShot || this.breakpoints.length > 0 ||
        this.watches.length > 0 || (this.flags & TF) !== 0;
      this.irqShadow = false;
      let faulted = false;
      try {
        if (slow) this.runSlow(tracing); else this.runFast();
      } catch (e) {
        if (e !== FAULT) throw e;
        faulted = true;
      }
      if (faulted) {
        this.ip = this.eip;
        this.regs[4] = this.startEsp;
        this.left++;
        this.pendingWatch = null;
        if (this.owned) {
          this.fillException(this.faultVector, this.faultCode, this.eip, false);
          reason = StopReason.EXCEPTION;
          break;
        }
        if (!this.deliverSafely(this.faultVector, this.faultCode, false, this.eip, true)) { reason = StopReason.SHUTDOWN; break; }
        this.eip = this.ip;
        if (this.singleStep) { reason = StopReason.STEP; break; }
        continue;
      }
      this.eip = this.ip;
      const st = this.stop;
      if (st === StopReason.EXCEPTION + 1) { reason = StopReason.EXCEPTION; break; }
      if (st === StopReason.STOP_REQUESTED + 1) { reason = StopReason.STOP_REQUESTED; break; }
      if (st === StopReason.HALT + 1) {
        if (!this.owned && this.pendingIrq >= 0 && (this.flags & 0x200) !== 0) continue; // wakes the hlt
        reason = StopReason.HALT;
        break;
      }
      if (st >= 1 && st <= 8 && st !== STOP_REEVAL) { reason = (st - 1) as StopReasonCode; break; }
      if (this.left <= 0) { reason = StopReason.BUDGET; break; }
    }
    this.stop = 0;
    this.instructionCount += start - this.left;
    return reason;
  }

  /**
   * Delivers through the IDT in bare mode. A fault during delivery is itself delivered, or
   * becomes #DF per the contributory/page-fault table (SDM vol. 3 table 6-5); a fault while
   * delivering #DF is a shutdown.
   */
  private deliverSafely(vector: number, code: number, software: boolean, eip: number, fault = false): boolean {
    const esp = this.regs[4];
    for (let tries = 0; tries < 8; tries++) {
      try {
        deliverInterrupt(this, vector, code, software, eip, fault);
        return true;
      } catch (e) {
        if (e !== FAULT) throw e;
      }
      this.ip = this.eip = eip;
      this.regs[4] = esp;
      const second = this.faultVector;
      if (vector === Vector.DF) return false;
      const firstClass = software ? 0 : exceptionClass(vector);
      const secondClass = exceptionClass(second);
      log("fault %d while delivering vector %d", second, vector);
      if ((firstClass === 1 && secondClass === 1) || (firstClass === 2 && secondClass !== 0)) {
        vector = Vector.DF;
        code = 0;
      } else {
        vector = second;
        code = this.faultCode;
      }
      software = false;
      fault = true;
    }
    return false;
  }

  private runFast(): void {
    const compile = this.compileThreshold >= 0;
    while (this.left > 0 && this.stop === 0) {
      if (compile && this.code32) {
        const off = (this.csBase + this.ip - this.fetchPage) | 0;
        if ((off >>> 0) < this.fetchValid) {
          const pa = this.fetchPhys + off;
          const i = pa & (BLOCK_CACHE - 1);
          const b = this.bcTag[i] === pa ? this.bcFn[i] : this.blockAt(pa, off);
          if (b !== null && b.n <= this.left) {
            this.smc = 0;
            b(this, this.regs, HELPERS);
            continue;
          }
        }
      }
      this.left--;
      this.eip = this.ip;
      this.startEsp = this.regs[4];
      step(this);
    }
  }

  /** The compiled block starting at machine address pa, compiling it once it is hot. */
  private blockAt(pa: number, off: number): BlockFn | null {
    const frame = pa >>> 12;
    let map = this.frameBlocks[frame];
    if (map === undefined) {
      map = new Map();
      this.frameBlocks[frame] = map;
    }
    const key = pa & 0xfff;
    const v = map.get(key);
    if (typeof v === "function") {
      const i = pa & (BLOCK_CACHE - 1);
      this.bcTag[i] = pa;
      this.bcFn[i] = v;
      return v;
    }
    if (v === null) return null;
    // v packs the window the counting started in and the executions seen in it.
    const window = Math.floor((this.instructionCount + this.sliceStart - this.left) / this.compileWindow);
    const counted = v ?? 0;
    const seen = (Math.floor(counted / SEEN_LIMIT) === window ? counted % SEEN_LIMIT : 0) + 1;
    if (seen <= this.compileThreshold) {
      map.set(key, window * SEEN_LIMIT + Math.min(seen, SEEN_LIMIT - 1));
      return null;
    }
    const compiled = compileBlock(this.u8, pa, off, this.fetchValid - off);
    if (compiled === null) {
      map.set(key, null);
      return null;
    }
    this.codeFrames[frame] = 1;
    map.set(key, compiled.fn);
    const i = pa & (BLOCK_CACHE - 1);
    this.bcTag[i] = pa;
    this.bcFn[i] = compiled.fn;
    return compiled.fn;
  }

  /** Drops every compiled block (e.g. to compare interpreter and compiler). */
  flushCompiledCode(): void {
    this.frameBlocks.fill(undefined);
    this.codeFrames.fill(0);
    this.bcTag.fill(-1);
    this.bcFn.fill(null);
  }

  private runSlow(tracing: boolean): void {
    while (this.left > 0 && (this.stop === 0 || this.stop === STOP_REEVAL)) {
      this.stop = 0;
      this.eip = this.ip;
      if (this.breakpoints.length > 0) {
        const la = (this.csBase + this.ip) >>> 0;
        if (this.skipBreakpointOnce) this.skipBreakpointOnce = false;
        else if (this.breakpoints.includes(la)) { this.stop = StopReason.BREAKPOINT + 1; return; }
      }
      this.skipBreakpointOnce = false;
      if (tracing) traceLog("%s", traceInstruction(this));
      const tf = (this.flags & TF) !== 0;
      this.left--;
      this.startEsp = this.regs[4];
      this.inhibitTrap = false;
      step(this);
      this.eip = this.ip;
      if (this.pendingWatch !== null) {
        this.watchHit = this.pendingWatch;
        this.pendingWatch = null;
        if (this.stop === 0 || this.stop === STOP_REEVAL) this.stop = StopReason.WATCHPOINT + 1;
        return;
      }
      if (tf && !this.inhibitTrap && this.stop !== StopReason.EXCEPTION + 1) {
        // Single-step trap after the instruction (SDM vol. 3 §17.3.1.4).
        this.dr[6] |= 0x4000;
        if (this.owned) {
          this.fillException(Vector.DB, -1, this.ip, false);
          this.stop = StopReason.EXCEPTION + 1;
          return;
        }
        deliverInterrupt(this, Vector.DB, -1, false, this.ip);
      }
      if (this.singleStep) { if (this.stop === 0 || this.stop === STOP_REEVAL) this.stop = StopReason.STEP + 1; return; }
      if (this.oneShot) { this.oneShot = false; if (this.stop === 0) this.stop = STOP_REEVAL; return; }
      if (this.stop === STOP_REEVAL && (this.flags & TF) === 0 && !tracing) return;
    }
  }
}

export { STOP_REEVAL };
