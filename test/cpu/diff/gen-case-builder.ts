// The state of a differential case while it is generated: initial registers (free, pinned by a
// use that must keep its value, or dirtied by an earlier instruction), flags, selectors, code
// bytes and memory patches, with snapshots so a rejected instruction leaves no trace.
import { DATA_BASE, DATA_SIZE, EFLAGS, USER_CS, USER_DS } from "./layout.js";
import type { MemoryPatch } from "./case-format.js";
import { Rng } from "./rng.js";
import { regIndexOf, regSizeOf } from "./iced-maps.js";

export const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
export const FREE = 0, PINNED = 1, DIRTY = 2;

export class Reject extends Error {}
export const reject = new Reject("reject");

export interface MemAccess {
  addr: number;
  size: number;
  write: boolean;
}

/** Builds one case instruction by instruction. */
export class CaseBuilder {
  readonly regs = new Uint32Array(8);
  readonly state = new Int8Array(8);
  espNow: number;
  eflags: number;
  dfKnown = true;
  undefFlags = 0;
  sregs: [number, number, number, number];
  code: number[] = [];
  codes: number[] = [];
  codeOff: number;
  patches = new Map<number, number>();
  written: Array<[number, number]> = [];
  ended = false;
  /** An earlier step loaded a segment register (it may now be null). */
  segWritten = false;
  /** EFLAGS.AC may be set (initially or by an earlier popf/iret). */
  acPossible = false;
  /** An earlier popf/iret may have set EFLAGS.TF. */
  tfPossible = false;

  constructor(rng: Rng) {
    for (let i = 0; i < 8; i++) this.regs[i] = rng.value32();
    this.state.fill(FREE);
    this.espNow = rng.chance(0.8) ? rng.range(0x9100, 0x9f00) & ~3 : rng.range(0x9100, 0x9f00);
    this.regs[ESP] = this.espNow;
    this.state[ESP] = PINNED;
    const arith = EFLAGS.CF | EFLAGS.PF | EFLAGS.AF | EFLAGS.ZF | EFLAGS.SF | EFLAGS.OF | EFLAGS.DF;
    this.eflags = (rng.u32() & arith) | EFLAGS.IF | 2;
    if (rng.chance(0.1)) this.eflags |= EFLAGS.ID;
    // Alignment checking (i486): Linux runs user code with CR0.AM set, so AC=1 makes a
    // misaligned access #AC(0); the emulator runs with CR0.AM too.
    if (rng.chance(0.03)) this.eflags |= EFLAGS.AC;
    this.acPossible = (this.eflags & EFLAGS.AC) !== 0;
    const seg = (): number => (rng.chance(0.9) ? USER_DS : rng.pick([0x28, 0x29, USER_CS]));
    this.sregs = [seg(), seg(), rng.chance(0.6) ? 0 : USER_DS, rng.chance(0.6) ? 0 : USER_DS];
    this.codeOff = rng.chance(0.04) ? -1 : rng.range(0x80, 0xe00);
  }

  /** Current value of a register that has not been written, pinning it; throws when unknown. */
  known(r: number): number {
    if (this.state[r] === DIRTY) throw reject;
    if (r === ESP) return this.espNow;
    this.state[r] = PINNED;
    return this.regs[r];
  }

  /** Sets the initial value of a free register (or checks a pinned one). */
  assign(r: number, value: number, size = 32, high = false): void {
    if (r === ESP && size === 32) {
      if (this.espNow !== value >>> 0) throw reject;
      return;
    }
    const st = this.state[r];
    if (st === DIRTY) throw reject;
    const shift = high ? 8 : 0;
    const mask = size === 32 ? 0xffffffff : ((size === 16 ? 0xffff : 0xff) << shift) >>> 0;
    const want = (this.regs[r] & ~mask) | ((value << shift) & mask);
    if (st === PINNED && want >>> 0 !== this.regs[r]) throw reject;
    if (r === ESP) throw reject;
    this.regs[r] = want >>> 0;
    this.state[r] = PINNED;
  }

  /** Value of a register view (8/16/32 bits, AH..BH for high bytes). */
  view(r: number, size: number, high = false): number {
    const v = this.known(r);
    if (size === 32) return v;
    if (size === 16) return v & 0xffff;
    return (v >>> (high ? 8 : 0)) & 0xff;
  }

  isWritten(addr: number, size: number): boolean {
    for (const [a, n] of this.written) if (addr < a + n && a < addr + size) return true;
    return false;
  }

  /** Places bytes in the scratch data so an instruction reads them; throws when it cannot. */
  poke(addr: number, value: number, size: number): void {
    if (addr < DATA_BASE || addr + size > DATA_BASE + DATA_SIZE || this.isWritten(addr, size)) throw reject;
    for (let i = 0; i < size; i++) {
      const b = i < 4 ? (value >>> (8 * i)) & 0xff : 0;
      const old = this.patches.get(addr + i);
      if (old !== undefined && old !== b) throw reject;
      this.patches.set(addr + i, b);
    }
  }

  pokeBytes(addr: number, bytes: number[]): void {
    bytes.forEach((b, i) => this.poke(addr + i, b, 1));
  }

  patchList(): MemoryPatch[] {
    const addrs = [...this.patches.keys()].sort((a, b) => a - b);
    const out: MemoryPatch[] = [];
    let i = 0;
    while (i < addrs.length) {
      let j = i;
      while (j + 1 < addrs.length && addrs[j + 1] === addrs[j] + 1 && j + 1 - i < 255) j++;
      const bytes = new Uint8Array(j - i + 1);
      for (let k = i; k <= j; k++) bytes[k - i] = this.patches.get(addrs[k]) ?? 0;
      out.push({ addr: addrs[i], bytes });
      i = j + 1;
    }
    return out;
  }
}

export function regValue(b: CaseBuilder, reg: number): number {
  const idx = regIndexOf(reg);
  const size = regSizeOf(reg);
  if (idx < 0) throw reject;
  return b.view(idx, size);
}

export function randomFill(b: CaseBuilder, rng: Rng, a: MemAccess): void {
  for (let i = 0; i < Math.min(a.size, 16); i++) {
    const addr = a.addr + i;
    if (addr < DATA_BASE || addr >= DATA_BASE + DATA_SIZE || b.patches.has(addr)) continue;
    b.patches.set(addr, rng.u32() & 0xff);
  }
}

export interface Snapshot {
  regs: Uint32Array;
  state: Int8Array;
  espNow: number;
  dfKnown: boolean;
  undefFlags: number;
  codeLen: number;
  codesLen: number;
  patches: Map<number, number>;
  writtenLen: number;
}

export function snapshotOf(b: CaseBuilder): Snapshot {
  return {
    regs: b.regs.slice(),
    state: b.state.slice(),
    espNow: b.espNow,
    dfKnown: b.dfKnown,
    undefFlags: b.undefFlags,
    codeLen: b.code.length,
    codesLen: b.codes.length,
    patches: new Map(b.patches),
    writtenLen: b.written.length,
  };
}

export function restore(b: CaseBuilder, s: Snapshot): void {
  b.regs.set(s.regs);
  b.state.set(s.state);
  b.espNow = s.espNow;
  b.dfKnown = s.dfKnown;
  b.undefFlags = s.undefFlags;
  b.code.length = s.codeLen;
  b.codes.length = s.codesLen;
  b.patches = s.patches;
  b.written.length = s.writtenLen;
  b.ended = false;
}

