// Integer arithmetic with lazy flags (SDM vol. 2 instruction pages): the eight ALU
// operations, shifts and rotates, multiply and divide, BCD adjust, and condition codes.
// Operands arrive masked to their size: 8/16-bit values unsigned, 32-bit values as int32.
import type { Cpu } from "./cpu.js";
import {
  AF, CC_ADC, CC_ADD, CC_DEC, CC_INC, CC_RES, CC_SBB, CC_SUB, CF, OF, PF, SF, ZF,
} from "./flags.js";
import { PARITY } from "./lazy-flags.js";
import { Vector } from "./constants.js";

/** Indexed by operand size in bytes (1, 2, 4). */
export const MASK = [0, 0xff, 0xffff, 0, -1];
export const SIGN = [0, 0x80, 0x8000, 0, 0x80000000 | 0];
export const SHIFT = [0, 24, 16, 0, 0];
export const BITS = [0, 8, 16, 0, 32];

function setCc(c: Cpu, op: number, sz: number, a: number, b: number, r: number): void {
  c.ccOp = op;
  c.ccA = a;
  c.ccB = b;
  c.ccR = r;
  c.ccSign = SIGN[sz];
  c.ccShift = SHIFT[sz];
}

/** Result-based flags: ZF SF PF from r; CF OF AF given. */
export function setRes(c: Cpu, sz: number, r: number, cf: number, of: number, af: number): void {
  c.ccOp = CC_RES;
  c.ccR = r;
  c.ccSign = SIGN[sz];
  c.ccShift = SHIFT[sz];
  c.ccCF = cf;
  c.ccOF = of;
  c.ccAF = af;
}

/** ADD OR ADC SBB AND SUB XOR CMP (reg field order); returns the result (CMP: unused). */
export function alu(c: Cpu, op: number, sz: number, x: number, y: number): number {
  const m = MASK[sz];
  let r: number;
  switch (op) {
    case 0:
      r = (x + y) & m;
      setCc(c, CC_ADD, sz, x, y, r);
      return r;
    case 1:
      r = x | y;
      setRes(c, sz, r, 0, 0, 0);
      return r;
    case 2: {
      const cin = c.getCF();
      r = (x + y + cin) & m;
      setCc(c, CC_ADC, sz, x, y, r);
      c.ccCF = cin;
      return r;
    }
    case 3: {
      const cin = c.getCF();
      r = (x - y - cin) & m;
      setCc(c, CC_SBB, sz, x, y, r);
      c.ccCF = cin;
      return r;
    }
    case 4:
      r = x & y;
      setRes(c, sz, r, 0, 0, 0);
      return r;
    case 5:
    case 7:
      r = (x - y) & m;
      setCc(c, CC_SUB, sz, x, y, r);
      return r;
    default:
      r = x ^ y;
      setRes(c, sz, r, 0, 0, 0);
      return r;
  }
}

/** alu() specialised for 32-bit operands (the hot path). */
export function alu32(c: Cpu, op: number, x: number, y: number): number {
  let r: number;
  switch (op) {
    case 0:
      r = (x + y) | 0;
      c.ccOp = CC_ADD;
      break;
    case 5:
    case 7:
      r = (x - y) | 0;
      c.ccOp = CC_SUB;
      break;
    case 1:
    case 4:
    case 6:
      r = op === 1 ? x | y : op === 4 ? x & y : x ^ y;
      c.ccOp = CC_RES;
      c.ccCF = 0;
      c.ccOF = 0;
      c.ccAF = 0;
      c.ccR = r;
      c.ccSign = SIGN32;
      c.ccShift = 0;
      return r;
    default:
      return alu(c, op, 4, x, y);
  }
  c.ccA = x;
  c.ccB = y;
  c.ccR = r;
  c.ccSign = SIGN32;
  c.ccShift = 0;
  return r;
}

const SIGN32 = 0x80000000 | 0;

export function inc(c: Cpu, sz: number, x: number): number {
  const cf = c.getCF();
  const r = (x + 1) & MASK[sz];
  setCc(c, CC_INC, sz, x, 1, r);
  c.ccCF = cf;
  return r;
}

export function dec(c: Cpu, sz: number, x: number): number {
  const cf = c.getCF();
  const r = (x - 1) & MASK[sz];
  setCc(c, CC_DEC, sz, x, 1, r);
  c.ccCF = cf;
  return r;
}

export function neg(c: Cpu, sz: number, x: number): number {
  const r = (0 - x) & MASK[sz];
  setCc(c, CC_SUB, sz, 0, x, r);
  return r;
}

/** Condition code cc (0..15, Jcc order) holds. */
export function cond(c: Cpu, cc: number): boolean {
  let r: boolean;
  if (c.ccOp === CC_SUB) {
    const a = c.ccA;
    const b = c.ccB;
    switch (cc >> 1) {
      case 1: r = (a >>> 0) < (b >>> 0); break;
      case 2: r = a === b; break;
      case 3: r = (a >>> 0) <= (b >>> 0); break;
      case 6: r = (a << c.ccShift) < (b << c.ccShift); break;
      case 7: r = (a << c.ccShift) <= (b << c.ccShift); break;
      default: r = condGeneric(c, cc >> 1);
    }
  } else {
    r = condGeneric(c, cc >> 1);
  }
  return (cc & 1) !== 0 ? !r : r;
}

function condGeneric(c: Cpu, k: number): boolean {
  switch (k) {
    case 0: return c.getOF();
    case 1: return c.getCF() !== 0;
    case 2: return c.getZF();
    case 3: return c.getCF() !== 0 || c.getZF();
    case 4: return c.getSF();
    case 5: return c.getPF();
    case 6: return c.getSF() !== c.getOF();
    default: return c.getZF() || c.getSF() !== c.getOF();
  }
}

/** Sets CF and OF only, keeping the other status flags (rotates). */
function setCfOf(c: Cpu, cf: number, of: number): void {
  c.materialize();
  c.flags = (c.flags & ~(CF | OF)) | (cf & 1) | ((of & 1) << 11);
}

/** Group-2 shifts and rotates (reg field order); `cnt` is the raw count byte. */
export function shift(c: Cpu, op: number, sz: number, v: number, cnt: number): number {
  cnt &= 31;
  if (cnt === 0) return v;
  const bits = BITS[sz];
  const m = MASK[sz];
  switch (op) {
    case 0: { // ROL
      const n = cnt & (bits - 1);
      const r = n === 0 ? v : ((v << n) | (v >>> (bits - n))) & m;
      const cf = r & 1;
      setCfOf(c, cf, ((r >>> (bits - 1)) & 1) ^ cf);
      return r;
    }
    case 1: { // ROR
      const n = cnt & (bits - 1);
      const r = n === 0 ? v : ((v >>> n) | (v << (bits - n))) & m;
      const cf = (r >>> (bits - 1)) & 1;
      setCfOf(c, cf, cf ^ ((r >>> (bits - 2)) & 1));
      return r;
    }
    case 2: { // RCL
      const n = sz === 4 ? cnt : cnt % (bits + 1);
      if (n === 0) {
        // Nothing rotates; OF is undefined, AMD recomputes it from the unchanged value.
        setCfOf(c, c.getCF(), ((v >>> (bits - 1)) & 1) ^ c.getCF());
        return v;
      }
      const cin = c.getCF();
      let r: number;
      let cf: number;
      if (sz === 4) {
        r = (v << n) | (cin << (n - 1)) | (n > 1 ? v >>> (33 - n) : 0);
        cf = (v >>> (32 - n)) & 1;
      } else {
        const w = (cin << bits) | v;
        const full = ((w << n) | (w >>> (bits + 1 - n))) & ((1 << (bits + 1)) - 1);
        r = full & m;
        cf = (full >>> bits) & 1;
      }
      setCfOf(c, cf, ((r >>> (bits - 1)) & 1) ^ cf);
      return r & m;
    }
    case 3: { // RCR
      const n = sz === 4 ? cnt : cnt % (bits + 1);
      if (n === 0) {
        setCfOf(c, c.getCF(), ((v >>> (bits - 1)) ^ (v >>> (bits - 2))) & 1);
        return v;
      }
      const cin = c.getCF();
      let r: number;
      let cf: number;
      if (sz === 4) {
        r = (v >>> n) | (cin << (32 - n)) | (n > 1 ? v << (33 - n) : 0);
        cf = (v >>> (n - 1)) & 1;
      } else {
        const w = (cin << bits) | v;
        const full = ((w >>> n) | (w << (bits + 1 - n))) & ((1 << (bits + 1)) - 1);
        r = full & m;
        cf = (full >>> bits) & 1;
      }
      setCfOf(c, cf, ((r >>> (bits - 1)) ^ (r >>> (bits - 2))) & 1);
      return r & m;
    }
    case 4:
    case 6: { // SHL/SAL
      const r = (v << cnt) & m;
      const cf = ((v << (cnt - 1)) >>> (bits - 1)) & 1;
      setRes(c, sz, r, cf, ((r >>> (bits - 1)) & 1) ^ cf, 1);
      return r;
    }
    case 5: { // SHR
      const u = sz === 4 ? v >>> 0 : v;
      const r = (u >>> cnt) & m;
      // OF is defined for a count of 1 (the original sign); MSB^MSB-1 of the result equals it there
      // and matches AMD for larger counts.
      setRes(c, sz, r, (u >>> (cnt - 1)) & 1, ((r ^ (r << 1)) >>> (bits - 1)) & 1, 1);
      return r;
    }
    default: { // SAR
      const s = (v << (32 - bits)) >> (32 - bits);
      const r = (s >> cnt) & m;
      setRes(c, sz, r, (s >> (cnt - 1)) & 1, 0, 1);
      return r;
    }
  }
}

/** SHLD (left) / SHRD: shift dst, filling from src; cnt raw. */
export function shiftDouble(c: Cpu, left: boolean, sz: number, dst: number, src: number, cnt: number): number {
  cnt &= 31;
  if (cnt === 0) return dst;
  let r: number;
  let cf: number;
  if (sz === 4) {
    if (left) {
      r = (dst << cnt) | (src >>> (32 - cnt));
      cf = (dst >>> (32 - cnt)) & 1;
    } else {
      r = (dst >>> cnt) | (src << (32 - cnt));
      cf = (dst >>> (cnt - 1)) & 1;
    }
    r |= 0;
    // OF is defined for a count of 1 only; these formulas agree with it and with AMD beyond.
    const of = left ? ((r >>> 31) ^ cf) & 1 : ((r >>> 31) ^ (r >>> 30)) & 1;
    setRes(c, 4, r, cf, of, 1);
    return r;
  }
  // 16-bit: counts above 16 are undefined by Intel; this is what AMD processors do: shift the
  // 48-bit value dst:src:src (shld) or src:src:dst (shrd) and keep the 16-bit window.
  if (left) {
    const v = (((dst << 16) | src) >>> 0) * 65536 + src;
    r = Math.floor(v / 2 ** (32 - cnt)) % 65536;
    cf = Math.floor(v / 2 ** (48 - cnt)) % 2;
  } else {
    const v = src * 4294967296 + (((src << 16) | dst) >>> 0);
    r = Math.floor(v / 2 ** cnt) % 65536;
    cf = Math.floor(v / 2 ** (cnt - 1)) % 2;
  }
  const of = left ? ((r >>> 15) ^ cf) & 1 : ((r >>> 15) ^ (r >>> 14)) & 1;
  setRes(c, 2, r, cf, of, 1);
  return r;
}

let mulLo = 0;
let mulHi = 0;

/** Unsigned 32x32 -> 64 into mulLo/mulHi. */
function mulU32(a: number, b: number): void {
  a >>>= 0;
  b >>>= 0;
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  mulLo = ((mid << 16) | (ll & 0xffff)) | 0;
  mulHi = (hh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) | 0;
}

/** MUL / IMUL one-operand forms: accumulator times src. */
export function mulAcc(c: Cpu, signed: boolean, sz: number, src: number): void {
  const r = c.regs;
  if (sz === 1) {
    const al = c.regs8[0];
    const p = signed ? ((al << 24) >> 24) * ((src << 24) >> 24) : al * src;
    c.regs16[0] = p;
    const ov = signed ? p !== ((p << 24) >> 24) : (p & 0xff00) !== 0;
    setRes(c, 1, p & 0xff, ov ? 1 : 0, ov ? 1 : 0, 0);
  } else if (sz === 2) {
    const ax = c.regs16[0];
    const p = signed ? ((ax << 16) >> 16) * ((src << 16) >> 16) : ax * src;
    c.regs16[0] = p;
    c.regs16[4] = p >> 16;
    const ov = signed ? p !== ((p << 16) >> 16) : (p >>> 16) !== 0;
    setRes(c, 2, p & 0xffff, ov ? 1 : 0, ov ? 1 : 0, 0);
  } else {
    const a = r[0];
    mulU32(a, src);
    if (signed) {
      if (a < 0) mulHi = (mulHi - src) | 0;
      if ((src | 0) < 0) mulHi = (mulHi - a) | 0;
    }
    r[0] = mulLo;
    r[2] = mulHi;
    const ov = signed ? mulHi !== (mulLo >> 31) : mulHi !== 0;
    setRes(c, 4, mulLo, ov ? 1 : 0, ov ? 1 : 0, 0);
  }
}

/** IMUL two/three-operand forms: returns the truncated product, flags set. */
export function imul(c: Cpu, sz: number, a: number, b: number): number {
  if (sz === 2) {
    const p = ((a << 16) >> 16) * ((b << 16) >> 16);
    const ov = p !== ((p << 16) >> 16) ? 1 : 0;
    setRes(c, 2, p & 0xffff, ov, ov, 0);
    return p & 0xffff;
  }
  const lo = Math.imul(a, b);
  // The double product is exact below 2^53 and otherwise far outside int32, so it differs
  // from the truncated product exactly when the signed result overflows.
  const ov = (a | 0) * (b | 0) !== lo ? 1 : 0;
  setRes(c, 4, lo, ov, ov, 0);
  return lo;
}

let divQ = 0;
let divR = 0;

/** Unsigned (hi:lo) / d with hi < d; sets divQ/divR. All values uint32 numbers. */
function divU64(hi: number, lo: number, d: number): void {
  if (hi === 0) {
    divQ = Math.floor(lo / d);
    divR = lo - divQ * d;
    return;
  }
  let t = hi * 65536 + (lo >>> 16);
  const q1 = Math.floor(t / d);
  let rem = t - q1 * d;
  t = rem * 65536 + (lo & 0xffff);
  const q0 = Math.floor(t / d);
  rem = t - q0 * d;
  divQ = q1 * 65536 + q0;
  divR = rem;
}

/** DIV / IDIV: accumulator (and high half) by src, #DE on zero or overflow. */
export function divAcc(c: Cpu, signed: boolean, sz: number, src: number): void {
  if ((src & MASK[sz]) === 0) c.raise(Vector.DE, -1);
  if (sz === 1) {
    const ax = c.regs16[0];
    let q: number, rem: number;
    if (signed) {
      const n = (ax << 16) >> 16, d = (src << 24) >> 24;
      q = Math.trunc(n / d);
      rem = n - q * d;
      if (q > 127 || q < -128) c.raise(Vector.DE, -1);
    } else {
      q = Math.floor(ax / src);
      rem = ax - q * src;
      if (q > 0xff) c.raise(Vector.DE, -1);
    }
    c.regs8[0] = q;
    c.regs8[1] = rem;
  } else if (sz === 2) {
    const n32 = (c.regs16[4] << 16) | c.regs16[0];
    let q: number, rem: number;
    if (signed) {
      const d = (src << 16) >> 16;
      q = Math.trunc(n32 / d);
      rem = n32 - q * d;
      if (q > 32767 || q < -32768) c.raise(Vector.DE, -1);
    } else {
      const n = n32 >>> 0;
      q = Math.floor(n / src);
      rem = n - q * src;
      if (q > 0xffff) c.raise(Vector.DE, -1);
    }
    c.regs16[0] = q;
    c.regs16[4] = rem;
  } else {
    let hi = c.regs[2], lo = c.regs[0];
    if (!signed) {
      const d = src >>> 0;
      if ((hi >>> 0) >= d) c.raise(Vector.DE, -1);
      divU64(hi >>> 0, lo >>> 0, d);
      c.regs[0] = divQ;
      c.regs[2] = divR;
      return;
    }
    const negN = hi < 0;
    if (negN) {
      lo = (~lo + 1) | 0;
      hi = (~hi + (lo === 0 ? 1 : 0)) | 0;
    }
    const negD = (src | 0) < 0;
    const d = negD ? (-(src | 0)) >>> 0 : src >>> 0;
    if ((hi >>> 0) >= d) c.raise(Vector.DE, -1);
    divU64(hi >>> 0, lo >>> 0, d);
    const negQ = negN !== negD;
    if (negQ ? divQ > 0x80000000 : divQ > 0x7fffffff) c.raise(Vector.DE, -1);
    c.regs[0] = negQ ? -divQ : divQ;
    c.regs[2] = negN ? -divR : divR;
  }
}

function setEagerByte(c: Cpu, al: number, cf: number, af: number, of: number): void {
  c.materialize();
  c.flags = (c.flags & ~(CF | PF | AF | ZF | SF | OF)) | cf | (af ? AF : 0) | (of ? OF : 0) |
    (PARITY[al & 0xff] ? PF : 0) | ((al & 0xff) === 0 ? ZF : 0) | (al & 0x80 ? SF : 0);
}

export function daa(c: Cpu): void {
  const old = c.regs8[0];
  const oldCf = c.getCF();
  let al = old, cf = 0, af = 0;
  if ((al & 0xf) > 9 || c.getAF()) {
    al = (al + 6) & 0xff;
    cf = oldCf | (old + 6 > 0xff ? 1 : 0);
    af = 1;
  }
  if (old > 0x99 || oldCf) {
    al = (al + 0x60) & 0xff;
    cf = 1;
  }
  c.regs8[0] = al;
  // OF is undefined; real CPUs report the signed overflow of the adjustment.
  setEagerByte(c, al, cf, af, (~old & al & 0x80) !== 0 ? 1 : 0);
}

export function das(c: Cpu): void {
  const old = c.regs8[0];
  const oldCf = c.getCF();
  let al = old, cf = 0, af = 0;
  if ((al & 0xf) > 9 || c.getAF()) {
    al = (al - 6) & 0xff;
    cf = oldCf | (old < 6 ? 1 : 0);
    af = 1;
  }
  if (old > 0x99 || oldCf) {
    al = (al - 0x60) & 0xff;
    cf = 1;
  }
  c.regs8[0] = al;
  setEagerByte(c, al, cf, af, (old & ~al & 0x80) !== 0 ? 1 : 0);
}

export function aaa(c: Cpu, sub: boolean): void {
  const al = c.regs8[0];
  if ((al & 0xf) > 9 || c.getAF()) {
    if (sub) {
      c.regs16[0] = c.regs16[0] - 6;
      c.regs8[1] = c.regs8[1] - 1;
    } else {
      c.regs16[0] = c.regs16[0] + 0x106;
    }
    c.regs8[0] &= 0xf;
    setEagerByte(c, c.regs8[0], 1, 1, 0);
  } else {
    c.regs8[0] &= 0xf;
    setEagerByte(c, c.regs8[0], 0, 0, 0);
  }
}

export function aam(c: Cpu, imm: number): void {
  if (imm === 0) c.raise(Vector.DE, -1);
  const al = c.regs8[0];
  c.regs8[1] = Math.floor(al / imm);
  c.regs8[0] = al % imm;
  setRes(c, 1, c.regs8[0], 0, 0, 0);
}

export function aad(c: Cpu, imm: number): void {
  const al = c.regs8[0];
  const prod = (c.regs8[1] * imm) & 0xff;
  const r = (al + prod) & 0xff;
  c.regs16[0] = r;
  // Flags as an 8-bit add of AL and AH*imm (the defined ones are SF ZF PF).
  setCc(c, CC_ADD, 1, al, prod, r);
}
