// Runs differential cases on our CPU the way the native harness runs them on the host: owned
// mode at CPL 3, Linux's GDT (the selectors a case may load), paging on with the case layout
// identity-mapped (data and stack read/write, one read-only page, the code page), every other
// page absent, and each case stopping at its first exception or software interrupt.
import { MachineMemory } from "../../../src/emu/memory.js";
import { Cpu, SReg, StopReason, CR0_PE, CR0_MP, CR0_ET, CR0_NE, CR0_WP, CR0_AM, CR0_PG, type SRegIndex } from "../../../src/emu/cpu/index.js";
import type { DiffCase } from "./case-format.js";
import type { Outcome } from "./compare.js";
import { decodeSequence } from "./undefined-masks.js";
import { CODE_BASE, CODE_SIZE, DATA_BASE, DATA_SIZE, RO_BASE, RO_SIZE, USER_CS, USER_DS, patternBytes } from "./layout.js";

export type EmuEngine = "interp" | "compiled" | "default";

const MEM_SIZE = 0x20000;
const PD_ADDR = 0x10000;
const PT_ADDR = 0x11000;
const GDT_ADDR = 0x12000;
const PTE_P = 1, PTE_W = 2, PTE_U = 4;

/**
 * Linux x86-64's GDT as a 32-bit process sees it (checked natively with lar/lsl): kernel code
 * and data at 0x08-0x18 (DPL 0), user 32-bit code 0x23, user data 0x2b, user 64-bit code 0x33,
 * the TSS at 0x40, the per-CPU segment at 0x7b; the rest empty.
 */
const LINUX_GDT: Array<[number, number, number]> = [
  [1, 0x0000ffff, 0x00cf9b00],
  [2, 0x0000ffff, 0x00af9b00],
  [3, 0x0000ffff, 0x00cf9300],
  [4, 0x0000ffff, 0x00cffb00],
  [5, 0x0000ffff, 0x00cff300],
  [6, 0x0000ffff, 0x00affb00],
  [8, 0x00000067, 0x00008b00],
  [15, 0x00000000, 0x0040f500],
];
const GDT_LIMIT = 16 * 8 - 1;
/** The GDTR base Linux's UMIP emulation hands to CPL 3 (limit 0). */
const LINUX_UMIP_GDTR_BASE = 0xfffe0000;

/** Budget that no generated case needs: hitting it means the case loops. */
const BUDGET = 100_000;

export class EmuRunner {
  readonly mem = new MachineMemory(MEM_SIZE);
  readonly cpu: Cpu;
  private readonly pattern = patternBytes();
  private readonly code = new Uint8Array(CODE_SIZE).fill(0xcc);
  private readonly initial = new Uint8Array(DATA_SIZE);
  private readonly initial32 = new Int32Array(this.initial.buffer);
  private readonly pattern32 = new Int32Array(this.pattern.buffer);
  private readonly mem32 = new Int32Array(this.mem.buffer);

  /**
   * @param engine "interp": the interpreter only; "compiled": every block through the CPU's block
   *   compiler from its first execution; "default": the CPU's own hotness threshold, so blocks get
   *   compiled part-way through a run and invalidated as cases rewrite the code page.
   */
  constructor(engine: EmuEngine = "interp") {
    const v = this.mem.view;
    const map = (page: number, flags: number): void => v.setUint32(PT_ADDR + (page >>> 12) * 4, page | flags, true);
    v.setUint32(PD_ADDR, PT_ADDR | PTE_P | PTE_W | PTE_U, true);
    map(DATA_BASE, PTE_P | PTE_W | PTE_U);
    map(DATA_BASE + 0x1000, PTE_P | PTE_W | PTE_U);
    map(RO_BASE, PTE_P | PTE_U);
    map(CODE_BASE, PTE_P | PTE_W | PTE_U);
    // Descriptor tables are read through linear addresses: map the GDT, supervisor-only, as
    // Linux maps its own (outside anything a case can reach).
    map(GDT_ADDR, PTE_P | PTE_W);
    for (const [idx, lo, hi] of LINUX_GDT) {
      v.setUint32(GDT_ADDR + idx * 8, lo, true);
      v.setUint32(GDT_ADDR + idx * 8 + 4, hi, true);
    }
    this.mem.u8.set(this.pattern.subarray(DATA_SIZE), RO_BASE);
    this.cpu = new Cpu(this.mem, { mode: "owned" });
    const cpu = this.cpu;
    cpu.gdtrBase = GDT_ADDR;
    cpu.gdtrLimit = GDT_LIMIT;
    // What Linux's UMIP emulation reports to CPL 3 on the host (sidt, sldt, str; smsw gives CR0).
    cpu.idtrBase = 0xffff0000;
    cpu.idtrLimit = 0;
    cpu.tr.selector = 0x40;
    cpu.ldtr.selector = 0;
    cpu.cr3 = PD_ADDR;
    cpu.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
    if (engine !== "default") cpu.compileThreshold = engine === "compiled" ? 0 : -1;
  }

  /** Descriptor cache contents (base, limit, access) for a selector of LINUX_GDT, or null. */
  private cacheFor(sel: number): { base: number; limit: number; access: number } | null {
    if ((sel & 0xfffc) === 0) return null;
    const row = LINUX_GDT.find(([idx]) => idx === sel >>> 3);
    if (!row || sel & 4) throw new RangeError(`Cannot start case: selector 0x${sel.toString(16)} is not usable`);
    const hi = row[2];
    const limitRaw = (row[1] & 0xffff) | (hi & 0xf0000);
    const limit = hi & 0x800000 ? ((limitRaw << 12) | 0xfff) | 0 : limitRaw;
    return { base: 0, limit, access: (hi >>> 8) & 0xf0ff };
  }

  private setSeg(s: SRegIndex, sel: number): void {
    const c = this.cacheFor(sel);
    if (c) this.cpu.setSegmentCache(s, sel, c.base, c.limit, c.access);
    else this.cpu.setSegmentCache(s, sel, 0, 0, 0);
  }

  run(c: DiffCase): Outcome {
    const cpu = this.cpu;
    const u8 = this.mem.u8;
    // Memory: the fixed pattern, the case's patches, int3 everywhere in the code page but its bytes.
    this.initial.set(this.pattern.subarray(0, DATA_SIZE));
    for (const p of c.patches) this.initial.set(p.bytes, p.addr - DATA_BASE);
    u8.set(this.initial, DATA_BASE);
    u8.set(this.code, CODE_BASE);
    u8.set(c.code, CODE_BASE + c.codeOff);
    this.mem.noteWrite(DATA_BASE, CODE_BASE + CODE_SIZE - DATA_BASE);

    this.setSeg(SReg.CS, USER_CS);
    this.setSeg(SReg.SS, USER_DS);
    this.setSeg(SReg.DS, c.sregs[0]);
    this.setSeg(SReg.ES, c.sregs[1]);
    this.setSeg(SReg.FS, c.sregs[2]);
    this.setSeg(SReg.GS, c.sregs[3]);
    for (let i = 0; i < 8; i++) cpu.regs[i] = c.regs[i] | 0;
    cpu.setEflags(c.eflags);
    cpu.eip = CODE_BASE + c.codeOff;

    // Linux's UMIP emulation of sgdt reports a dummy GDTR; a case that reads it (sgdt is then its
    // only instruction) runs with that GDTR, which it cannot otherwise notice.
    const readsGdtr = decodeSequence(c.code, c.codeOff)[0]?.mnemonic === "Sgdt";
    if (readsGdtr) {
      cpu.gdtrBase = LINUX_UMIP_GDTR_BASE;
      cpu.gdtrLimit = 0;
    }
    const stop = cpu.run(BUDGET);
    if (readsGdtr) {
      cpu.gdtrBase = GDT_ADDR;
      cpu.gdtrLimit = GDT_LIMIT;
    }
    let vector = -2;
    let software = false;
    let errorCode = -1;
    let cr2 = 0;
    let eip = cpu.eip;
    if (stop === StopReason.EXCEPTION) {
      const x = cpu.exception;
      vector = x.vector;
      software = x.software;
      errorCode = x.errorCode;
      eip = x.eip;
      if (vector === 14 && !software) {
        cr2 = x.cr2;
        errorCode &= 7;
      }
    } else if (stop !== StopReason.BUDGET) {
      throw new Error(`Cannot run case on the emulator: run() stopped with reason ${stop}`);
    }
    const changes: Array<[number, number]> = [];
    const now32 = this.mem32;
    const was32 = this.initial32;
    for (let w = 0; w < DATA_SIZE >>> 2; w++) {
      if (now32[(DATA_BASE >>> 2) + w] === was32[w]) continue;
      for (let i = w << 2; i < (w << 2) + 4; i++) {
        const now = u8[DATA_BASE + i];
        if (now !== this.initial[i]) changes.push([DATA_BASE + i, now]);
      }
    }
    // A write to the read-only page would escape the layout: report it loudly, then repair it.
    const ro32 = this.pattern32;
    for (let w = 0; w < RO_SIZE >>> 2; w++) {
      if (now32[(RO_BASE >>> 2) + w] === ro32[(DATA_SIZE >>> 2) + w]) continue;
      for (let i = w << 2; i < (w << 2) + 4; i++) {
        if (u8[RO_BASE + i] !== this.pattern[DATA_SIZE + i]) {
          changes.push([RO_BASE + i, u8[RO_BASE + i]]);
          u8[RO_BASE + i] = this.pattern[DATA_SIZE + i];
        }
      }
    }
    const regs = new Uint32Array(8);
    for (let i = 0; i < 8; i++) regs[i] = cpu.regs[i] >>> 0;
    return {
      regs,
      eflags: cpu.getEflags() >>> 0,
      eip: eip >>> 0,
      sregs: [SReg.CS, SReg.SS, SReg.DS, SReg.ES, SReg.FS, SReg.GS].map((s) => cpu.getSegment(s as SRegIndex).selector),
      vector,
      software,
      errorCode,
      cr2: cr2 >>> 0,
      changes,
    };
  }
}
