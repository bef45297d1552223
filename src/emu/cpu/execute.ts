// The decoder/executor: one instruction per step() call, prefixes, ModRM/SIB, then a switch on
// the opcode byte (SDM vol. 2 appendix A one-byte map); two-byte opcodes are in execute-0f.ts.
// Faults are raised through c.raise(), which unwinds to Cpu.run.
import type { Cpu } from "./cpu.js";
import { MASK, alu32, aaa, aad, aam, alu, cond, daa, das, dec, divAcc, imul, inc, mulAcc, neg, setRes, shift } from "./alu.js";
import { AC, CF, DF, ID, IF, IOPL, IOPL_SHIFT, NT, OF, RF, TF, ZF, ARITH } from "./flags.js";
import { StopReason, Vector } from "./constants.js";
import { exec0F } from "./execute-0f.js";
import {
  enter, farCall, farJump, farReturn, ioPermitted, iret, loadFarPointer, loadSegmentChecked,
} from "./transfers.js";
import { stringOp } from "./strings.js";
import { x87 } from "./x87.js";

/** Byte offset of 8-bit register r in the register file. */
export const R8 = [0, 4, 8, 12, 1, 5, 9, 13];

/** Opcodes that accept a lock prefix (with a memory destination). */
const LOCKABLE = new Uint8Array(256);
for (const op of [0x00, 0x01, 0x08, 0x09, 0x10, 0x11, 0x18, 0x19, 0x20, 0x21, 0x28, 0x29, 0x30, 0x31,
  0x80, 0x81, 0x82, 0x83, 0x86, 0x87, 0xf6, 0xf7, 0xfe, 0xff]) LOCKABLE[op] = 1;

/** Decodes a ModRM memory operand (mod != 3): returns the offset, sets c.eaSeg. */
export function ea(c: Cpu, m: number): number {
  const mod = m >> 6;
  const rm = m & 7;
  const regs = c.regs;
  let seg = 3;
  let a: number;
  if (c.adsize32) {
    if (rm === 4) {
      const sib = c.fb();
      const base = sib & 7;
      const idx = (sib >> 3) & 7;
      if (base === 5 && mod === 0) {
        a = c.fd();
      } else {
        a = regs[base];
        if (base === 4 || base === 5) seg = 2;
      }
      if (idx !== 4) a = (a + (regs[idx] << (sib >> 6))) | 0;
    } else if (rm === 5 && mod === 0) {
      a = c.fd();
    } else {
      a = regs[rm];
      if (rm === 5) seg = 2;
    }
    if (mod === 1) a = (a + ((c.fb() << 24) >> 24)) | 0;
    else if (mod === 2) a = (a + c.fd()) | 0;
  } else {
    const r16 = c.regs16;
    switch (rm) {
      case 0: a = r16[6] + r16[12]; break;
      case 1: a = r16[6] + r16[14]; break;
      case 2: a = r16[10] + r16[12]; seg = 2; break;
      case 3: a = r16[10] + r16[14]; seg = 2; break;
      case 4: a = r16[12]; break;
      case 5: a = r16[14]; break;
      case 6:
        if (mod === 0) a = c.fw();
        else { a = r16[10]; seg = 2; }
        break;
      default: a = r16[6];
    }
    if (mod === 1) a += (c.fb() << 24) >> 24;
    else if (mod === 2) a += c.fw();
    a &= 0xffff;
  }
  c.eaSeg = c.segOvr >= 0 ? c.segOvr : seg;
  return a;
}

export function getReg(c: Cpu, r: number, sz: number): number {
  if (sz === 4) return c.regs[r];
  if (sz === 2) return c.regs16[r << 1];
  return c.regs8[R8[r]];
}

export function setReg(c: Cpu, r: number, sz: number, v: number): void {
  if (sz === 4) c.regs[r] = v;
  else if (sz === 2) c.regs16[r << 1] = v;
  else c.regs8[R8[r]] = v;
}

export function rdMem(c: Cpu, s: number, a: number, sz: number): number {
  if (sz === 4) return c.rd32(s, a);
  if (sz === 2) return c.rd16(s, a);
  return c.rd8(s, a);
}

export function wrMem(c: Cpu, s: number, a: number, sz: number, v: number): void {
  if (sz === 4) c.wr32(s, a, v);
  else if (sz === 2) c.wr16(s, a, v);
  else c.wr8(s, a, v);
}

/** Reads the r/m operand: register when m >= 0xc0, else memory at offset a. */
export function rdRM(c: Cpu, m: number, a: number, sz: number): number {
  return m >= 0xc0 ? getReg(c, m & 7, sz) : rdMem(c, c.eaSeg, a, sz);
}

export function wrRM(c: Cpu, m: number, a: number, sz: number, v: number): void {
  if (m >= 0xc0) setReg(c, m & 7, sz, v);
  else wrMem(c, c.eaSeg, a, sz, v);
}

export function fetchImm(c: Cpu, sz: number): number {
  return sz === 4 ? c.fd() : sz === 2 ? c.fw() : c.fb();
}

export function push(c: Cpu, sz: number, v: number): void {
  if (sz === 4) c.push32(v); else c.push16(v);
}

export function pop(c: Cpu, sz: number): number {
  return sz === 4 ? c.pop32() : c.pop16();
}

function jump(c: Cpu, target: number): void {
  const t = c.opsize32 ? target | 0 : target & 0xffff;
  if ((t >>> 0) > (c.csLimit >>> 0)) c.raise(Vector.GP, 0);
  c.ip = t;
}

function ud(c: Cpu): never {
  return c.raise(Vector.UD, -1);
}

/** PUSHF, POPF and INT n in virtual-8086 mode need IOPL 3, else #GP(0) (SDM vol. 3 §20.2.7). */
function v86Sensitive(c: Cpu): void {
  if (c.v86 && (c.flags & IOPL) !== IOPL) c.raise(Vector.GP, 0);
}

/** Executes one instruction at c.ip (== c.eip). */
export function step(c: Cpu): void {
  let op = c.fb();
  c.segOvr = -1;
  c.rep = 0;
  if (c.code32) {
    c.opsize32 = true;
    c.adsize32 = true;
    if (PREFIX[op] === 0) {
      hot32(c, op);
      return;
    }
  } else {
    c.opsize32 = false;
    c.adsize32 = false;
  }
  let lock = false;
  for (;;) {
    switch (op) {
      case 0x66: c.opsize32 = !c.code32; break;
      case 0x67: c.adsize32 = !c.code32; break;
      case 0x26: c.segOvr = 0; break;
      case 0x2e: c.segOvr = 1; break;
      case 0x36: c.segOvr = 2; break;
      case 0x3e: c.segOvr = 3; break;
      case 0x64: c.segOvr = 4; break;
      case 0x65: c.segOvr = 5; break;
      case 0xf0: lock = true; break;
      case 0xf2: case 0xf3: c.rep = op; break;
      default:
        if (lock) checkLock(c, op);
        if (((c.ip - c.eip) >>> 0) > 4) {
          // Many prefixes: make sure the whole instruction fits in 15 bytes (else #GP(0)).
          const save = c.ip;
          skipRest(c, op);
          if (((c.ip - c.eip) >>> 0) > 15) c.raise(Vector.GP, 0);
          c.ip = save;
        }
        execOne(c, op);
        return;
    }
    op = c.fb();
  }
}

const PREFIX = new Uint8Array(256);
for (const p of [0x66, 0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf0, 0xf2, 0xf3]) PREFIX[p] = 1;

/**
 * The most frequent 32-bit forms without prefixes, kept small so the engine can inline this
 * switch into the run loop; everything else goes to execOne.
 */
function hot32(c: Cpu, op: number): void {
  const regs = c.regs;
  switch (op) {
    case 0x89: {
      const m = c.fb();
      if (m >= 0xc0) regs[m & 7] = regs[(m >> 3) & 7];
      else { const a = ea(c, m); c.wr32(c.eaSeg, a, regs[(m >> 3) & 7]); }
      return;
    }
    case 0x8b: {
      const m = c.fb();
      if (m >= 0xc0) regs[(m >> 3) & 7] = regs[m & 7];
      else { const a = ea(c, m); regs[(m >> 3) & 7] = c.rd32(c.eaSeg, a); }
      return;
    }
    case 0x01: case 0x09: case 0x21: case 0x29: case 0x31: case 0x39:
    case 0x03: case 0x0b: case 0x23: case 0x2b: case 0x33: case 0x3b: case 0x85: {
      const m = c.fb();
      const reg = (m >> 3) & 7;
      const aop = op === 0x85 ? 4 : op >> 3;
      const store = op !== 0x85 && aop !== 7;
      if (m >= 0xc0) {
        const rm = m & 7;
        if ((op & 2) === 0) {
          const r = alu32(c, aop, regs[rm], regs[reg]);
          if (store) regs[rm] = r;
        } else {
          const r = alu32(c, aop, regs[reg], regs[rm]);
          if (store) regs[reg] = r;
        }
        return;
      }
      const a = ea(c, m);
      if ((op & 2) !== 0) {
        const r = alu32(c, aop, regs[reg], c.rd32(c.eaSeg, a));
        if (store) regs[reg] = r;
      } else if (!store) {
        alu32(c, aop, c.rd32(c.eaSeg, a), regs[reg]);
      } else {
        rmwAlu(c, aop, 4, a, regs[reg]);
      }
      return;
    }
    case 0x83: {
      const m = c.fb();
      const aop = (m >> 3) & 7;
      if (m >= 0xc0) {
        const imm = (c.fb() << 24) >> 24;
        const r = alu32(c, aop, regs[m & 7], imm);
        if (aop !== 7) regs[m & 7] = r;
        return;
      }
      const a = ea(c, m);
      const imm = (c.fb() << 24) >> 24;
      if (aop === 7) alu32(c, 7, c.rd32(c.eaSeg, a), imm);
      else rmwAlu(c, aop, 4, a, imm);
      return;
    }
    case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
      regs[op & 7] = inc(c, 4, regs[op & 7]);
      return;
    case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f:
      regs[op & 7] = dec(c, 4, regs[op & 7]);
      return;
    case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
      c.push32(regs[op & 7]);
      return;
    case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
      regs[op & 7] = c.pop32();
      return;
    case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
    case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: {
      const d = (c.fb() << 24) >> 24;
      if (cond(c, op & 15)) {
        const t = (c.ip + d) | 0;
        if ((t >>> 0) > (c.csLimit >>> 0)) c.raise(Vector.GP, 0);
        c.ip = t;
      }
      return;
    }
    case 0x8d: {
      const m = c.fb();
      if (m >= 0xc0) ud(c);
      regs[(m >> 3) & 7] = ea(c, m);
      return;
    }
    case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
      regs[op & 7] = c.fd();
      return;
    case 0xc3: {
      const t = c.pop32();
      if ((t >>> 0) > (c.csLimit >>> 0)) c.raise(Vector.GP, 0);
      c.ip = t;
      return;
    }
    case 0xe8: {
      const d = c.fd();
      const t = (c.ip + d) | 0;
      if ((t >>> 0) > (c.csLimit >>> 0)) c.raise(Vector.GP, 0);
      c.push32(c.ip);
      c.ip = t;
      return;
    }
    case 0xeb: {
      const d = (c.fb() << 24) >> 24;
      const t = (c.ip + d) | 0;
      if ((t >>> 0) > (c.csLimit >>> 0)) c.raise(Vector.GP, 0);
      c.ip = t;
      return;
    }
    case 0x90:
      return;
    // Every other opcode is listed so the switch stays dense (the engine then uses a jump table).
    case 0x00: case 0x02: case 0x04: case 0x05: case 0x06: case 0x07: case 0x08: case 0x0a: case 0x0c: case 0x0d: case 0x0e: case 0x0f:
    case 0x10: case 0x11: case 0x12: case 0x13: case 0x14: case 0x15: case 0x16: case 0x17: case 0x18: case 0x19: case 0x1a: case 0x1b:
    case 0x1c: case 0x1d: case 0x1e: case 0x1f: case 0x20: case 0x22: case 0x24: case 0x25: case 0x26: case 0x27: case 0x28: case 0x2a:
    case 0x2c: case 0x2d: case 0x2e: case 0x2f: case 0x30: case 0x32: case 0x34: case 0x35: case 0x36: case 0x37: case 0x38: case 0x3a:
    case 0x3c: case 0x3d: case 0x3e: case 0x3f: case 0x60: case 0x61: case 0x62: case 0x63: case 0x64: case 0x65: case 0x66: case 0x67:
    case 0x68: case 0x69: case 0x6a: case 0x6b: case 0x6c: case 0x6d: case 0x6e: case 0x6f: case 0x80: case 0x81: case 0x82: case 0x84:
    case 0x86: case 0x87: case 0x88: case 0x8a: case 0x8c: case 0x8e: case 0x8f: case 0x91: case 0x92: case 0x93: case 0x94: case 0x95:
    case 0x96: case 0x97: case 0x98: case 0x99: case 0x9a: case 0x9b: case 0x9c: case 0x9d: case 0x9e: case 0x9f: case 0xa0: case 0xa1:
    case 0xa2: case 0xa3: case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xa8: case 0xa9: case 0xaa: case 0xab: case 0xac: case 0xad:
    case 0xae: case 0xaf: case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7: case 0xc0: case 0xc1:
    case 0xc2: case 0xc4: case 0xc5: case 0xc6: case 0xc7: case 0xc8: case 0xc9: case 0xca: case 0xcb: case 0xcc: case 0xcd: case 0xce:
    case 0xcf: case 0xd0: case 0xd1: case 0xd2: case 0xd3: case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: case 0xd9: case 0xda:
    case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf: case 0xe0: case 0xe1: case 0xe2: case 0xe3: case 0xe4: case 0xe5: case 0xe6:
    case 0xe7: case 0xe9: case 0xea: case 0xec: case 0xed: case 0xee: case 0xef: case 0xf0: case 0xf1: case 0xf2: case 0xf3: case 0xf4:
    case 0xf5: case 0xf6: case 0xf7: case 0xf8: case 0xf9: case 0xfa: case 0xfb: case 0xfc: case 0xfd: case 0xfe: case 0xff:
    default:
      execOne(c, op);
  }
}

/** Which opcodes carry a ModRM byte (one-byte map, then the 0F map). */
const MODRM_1 = new Uint8Array(256);
const MODRM_0F = new Uint8Array(256);
for (const r of [[0x00, 0x03], [0x08, 0x0b], [0x10, 0x13], [0x18, 0x1b], [0x20, 0x23], [0x28, 0x2b], [0x30, 0x33],
  [0x38, 0x3b], [0x62, 0x63], [0x69, 0x69], [0x6b, 0x6b], [0x80, 0x8f], [0xc0, 0xc1], [0xc4, 0xc7], [0xd0, 0xd3],
  [0xd8, 0xdf], [0xf6, 0xf7], [0xfe, 0xff]]) MODRM_1.fill(1, r[0], r[1] + 1);
for (const r of [[0x00, 0x03], [0x18, 0x1f], [0x20, 0x23], [0x40, 0x4f], [0x90, 0x9f], [0xa3, 0xa5], [0xab, 0xad],
  [0xaf, 0xb7], [0xba, 0xc1], [0xc7, 0xc7]]) MODRM_0F.fill(1, r[0], r[1] + 1);

/** One-byte opcodes without ModRM that carry an 8-bit or operand-size immediate. */
const IMM8_1 = new Uint8Array(256);
const IMMZ_1 = new Uint8Array(256);
for (const op of [0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x6a, 0xa8, 0xcd, 0xd4, 0xd5, 0xeb]) IMM8_1[op] = 1;
IMM8_1.fill(1, 0x70, 0x80);
IMM8_1.fill(1, 0xb0, 0xb8);
IMM8_1.fill(1, 0xe0, 0xe8);
for (const op of [0x05, 0x0d, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x68, 0xa9, 0xe8, 0xe9]) IMMZ_1[op] = 1;
IMMZ_1.fill(1, 0xb8, 0xc0);

/** A lock prefix on anything but a lockable memory-destination form is #UD (after fetching the operand). */
function checkLock(c: Cpu, op: number): void {
  const save = c.ip;
  let ok: boolean;
  let m = 0xc0;
  let hasModrm: boolean;
  if (op === 0x0f) {
    const op2 = c.fb();
    hasModrm = MODRM_0F[op2] === 1;
    if (hasModrm) m = c.fb();
    const regField = (m >> 3) & 7;
    ok = m < 0xc0 && (op2 === 0xab || op2 === 0xb3 || op2 === 0xbb || op2 === 0xb0 || op2 === 0xb1 ||
      op2 === 0xc0 || op2 === 0xc1 || (op2 === 0xba && regField >= 5) || (op2 === 0xc7 && regField === 1));
  } else {
    hasModrm = MODRM_1[op] === 1;
    if (hasModrm) m = c.fb();
    const regField = (m >> 3) & 7;
    ok = LOCKABLE[op] === 1 && m < 0xc0 &&
      !((op >= 0x80 && op <= 0x83) && regField === 7) &&
      !((op === 0xf6 || op === 0xf7) && regField !== 2 && regField !== 3) &&
      !((op === 0xfe || op === 0xff) && regField > 1);
  }
  if (!ok) {
    // The whole instruction is fetched (and may #PF) before the #UD.
    c.ip = save;
    skipRest(c, op);
    ud(c);
  }
  c.ip = save;
}

/** Fetches the rest of an instruction after its opcode byte (ModRM, SIB, displacement, immediates). */
function skipRest(c: Cpu, op: number): void {
  let op2 = -1;
  let hasModrm: boolean;
  if (op === 0x0f) {
    op2 = c.fb();
    hasModrm = MODRM_0F[op2] === 1;
  } else {
    hasModrm = MODRM_1[op] === 1;
  }
  let m = 0xc0;
  if (hasModrm) {
    m = c.fb();
    if (m < 0xc0) ea(c, m);
  }
  const regField = (m >> 3) & 7;
  const osz = c.opsize32 ? 4 : 2;
  if (op === 0x0f) {
    if (op2 === 0xa4 || op2 === 0xac || op2 === 0xba) c.fb();
    else if (op2 >= 0x80 && op2 <= 0x8f) fetchImm(c, osz);
  } else if (op === 0x80 || op === 0x82 || op === 0x83 || op === 0xc0 || op === 0xc1 || op === 0xc6 || op === 0x6b ||
    (op === 0xf6 && regField < 2) || IMM8_1[op] === 1) {
    c.fb();
  } else if (op === 0x81 || op === 0x69 || op === 0xc7 || (op === 0xf7 && regField < 2) || IMMZ_1[op] === 1) {
    fetchImm(c, osz);
  } else if (op === 0xc2 || op === 0xca) {
    c.fw();
  } else if (op === 0xc8) {
    c.fw();
    c.fb();
  } else if (op === 0x9a || op === 0xea) {
    fetchImm(c, osz);
    c.fw();
  } else if (op >= 0xa0 && op <= 0xa3) {
    fetchImm(c, c.adsize32 ? 4 : 2);
  }
}

function execOne(c: Cpu, op: number): void {
  const regs = c.regs;
  const osz = c.opsize32 ? 4 : 2;
  switch (op) {
    // ALU ops: 00-3D with the pattern Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev / AL,Ib / eAX,Iv.
    case 0x01: case 0x09: case 0x11: case 0x19: case 0x21: case 0x29: case 0x31: case 0x39:
    case 0x03: case 0x0b: case 0x13: case 0x1b: case 0x23: case 0x2b: case 0x33: case 0x3b:
      if (osz === 4) {
        const m = c.fb();
        const reg = (m >> 3) & 7;
        const aop = op >> 3;
        if (m >= 0xc0) {
          const rm = m & 7;
          if ((op & 2) === 0) {
            const r = alu32(c, aop, regs[rm], regs[reg]);
            if (aop !== 7) regs[rm] = r;
          } else {
            const r = alu32(c, aop, regs[reg], regs[rm]);
            if (aop !== 7) regs[reg] = r;
          }
          return;
        }
        const a = ea(c, m);
        if ((op & 2) !== 0) {
          const r = alu32(c, aop, regs[reg], c.rd32(c.eaSeg, a));
          if (aop !== 7) regs[reg] = r;
        } else if (aop === 7) {
          alu32(c, 7, c.rd32(c.eaSeg, a), regs[reg]);
        } else {
          rmwAlu(c, aop, 4, a, regs[reg]);
        }
        return;
      }
      aluForms(c, op, osz);
      return;
    case 0x00: case 0x02: case 0x04: case 0x05:
    case 0x08: case 0x0a: case 0x0c: case 0x0d:
    case 0x10: case 0x12: case 0x14: case 0x15:
    case 0x18: case 0x1a: case 0x1c: case 0x1d:
    case 0x20: case 0x22: case 0x24: case 0x25:
    case 0x28: case 0x2a: case 0x2c: case 0x2d:
    case 0x30: case 0x32: case 0x34: case 0x35:
    case 0x38: case 0x3a: case 0x3c: case 0x3d:
      aluForms(c, op, osz);
      return;
    case 0x06: push(c, osz, c.segSel[0]); return;
    case 0x0e: push(c, osz, c.segSel[1]); return;
    case 0x16: push(c, osz, c.segSel[2]); return;
    case 0x1e: push(c, osz, c.segSel[3]); return;
    case 0x07: case 0x17: case 0x1f: {
      const s = op >> 3;
      const v = osz === 4 ? c.rd32(2, c.sp()) : c.rd16(2, c.sp());
      loadSegmentChecked(c, s, v & 0xffff);
      addSp(c, osz);
      if (s === 2) c.inhibitTrap = c.irqShadow = true; // pop ss: no trap or interrupt until after the next instruction
      return;
    }
    case 0x0f: exec0F(c); return;
    case 0x27: daa(c); return;
    case 0x2f: das(c); return;
    case 0x37: aaa(c, false); return;
    case 0x3f: aaa(c, true); return;
    case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
      setReg(c, op & 7, osz, inc(c, osz, getReg(c, op & 7, osz)));
      return;
    case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f:
      setReg(c, op & 7, osz, dec(c, osz, getReg(c, op & 7, osz)));
      return;
    case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
      if (osz === 4) c.push32(regs[op & 7]); else c.push16(c.regs16[(op & 7) << 1]);
      return;
    case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f: {
      const v = pop(c, osz);
      setReg(c, op & 7, osz, v);
      return;
    }
    case 0x60: { // pusha
      const sp = c.sp();
      const n = osz * 8;
      c.probeWrite(c.linW(2, c.stack32 ? sp - n : (sp - n) & 0xffff, n), n);
      for (let r = 0; r < 8; r++) push(c, osz, r === 4 ? sp : getReg(c, r, osz));
      return;
    }
    case 0x61: { // popa
      for (let r = 7; r >= 0; r--) {
        const v = pop(c, osz);
        if (r !== 4) setReg(c, r, osz, v);
      }
      return;
    }
    case 0x62: { // bound
      const m = c.fb();
      if (m >= 0xc0) ud(c);
      const a = ea(c, m);
      const idx = getReg(c, (m >> 3) & 7, osz);
      if (osz === 4) {
        const lo = c.rd32(c.eaSeg, a), hi = c.rd32(c.eaSeg, (a + 4) | 0);
        if (idx < lo || idx > hi) c.raise(Vector.BR, -1);
      } else {
        const lo = (c.rd16(c.eaSeg, a) << 16) >> 16, hi = (c.rd16(c.eaSeg, (a + 2) & (c.adsize32 ? -1 : 0xffff)) << 16) >> 16;
        const i = (idx << 16) >> 16;
        if (i < lo || i > hi) c.raise(Vector.BR, -1);
      }
      return;
    }
    case 0x63: { // arpl Ew, Gw
      if (c.v86) ud(c);
      const m = c.fb();
      const a = m < 0xc0 ? ea(c, m) : 0;
      const dst = rdRM(c, m, a, 2);
      const src = c.regs16[((m >> 3) & 7) << 1];
      c.materialize();
      if ((dst & 3) < (src & 3)) {
        wrRM(c, m, a, 2, (dst & ~3) | (src & 3));
        c.flags |= ZF;
      } else {
        c.flags &= ~ZF;
      }
      return;
    }
    case 0x68: push(c, osz, fetchImm(c, osz)); return;
    case 0x6a: push(c, osz, (c.fb() << 24) >> 24); return;
    case 0x69: case 0x6b: {
      const m = c.fb();
      const a = m < 0xc0 ? ea(c, m) : 0;
      const imm = op === 0x69 ? fetchImm(c, osz) : (c.fb() << 24) >> 24;
      const x = rdRM(c, m, a, osz);
      setReg(c, (m >> 3) & 7, osz, imul(c, osz, x, imm & MASK[osz]));
      return;
    }
    case 0x6c: case 0x6d: case 0x6e: case 0x6f:
    case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xaa: case 0xab: case 0xac: case 0xad: case 0xae: case 0xaf:
      stringOp(c, op, (op & 1) === 0 ? 1 : osz);
      return;
    case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
    case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: {
      const d = (c.fb() << 24) >> 24;
      if (cond(c, op & 15)) jump(c, c.ip + d);
      return;
    }
    case 0x80: case 0x81: case 0x82: case 0x83: {
      const sz = op === 0x81 || op === 0x83 ? osz : 1;
      const m = c.fb();
      const aop = (m >> 3) & 7;
      if (m >= 0xc0) {
        const imm = op === 0x81 ? fetchImm(c, sz) : op === 0x83 ? (c.fb() << 24) >> 24 : c.fb();
        const r = alu(c, aop, sz, getReg(c, m & 7, sz), imm & MASK[sz]);
        if (aop !== 7) setReg(c, m & 7, sz, r);
        return;
      }
      const a = ea(c, m);
      const imm = (op === 0x81 ? fetchImm(c, sz) : op === 0x83 ? (c.fb() << 24) >> 24 : c.fb()) & MASK[sz];
      if (aop === 7) {
        alu(c, 7, sz, rdMem(c, c.eaSeg, a, sz), imm);
        return;
      }
      rmwAlu(c, aop, sz, a, imm);
      return;
    }
    case 0x84: case 0x85: {
      const sz = op === 0x84 ? 1 : osz;
      const m = c.fb();
      const a = m < 0xc0 ? ea(c, m) : 0;
      alu(c, 4, sz, rdRM(c, m, a, sz), getReg(c, (m >> 3) & 7, sz));
      return;
    }
    case 0x86: case 0x87: {
      const sz = op === 0x86 ? 1 : osz;
      const m = c.fb();
      const reg = (m >> 3) & 7;
      if (m >= 0xc0) {
        const t = getReg(c, m & 7, sz);
        setReg(c, m & 7, sz, getReg(c, reg, sz));
        setReg(c, reg, sz, t);
        return;
      }
      const a = ea(c, m);
      const la = c.linW(c.eaSeg, a, sz);
      c.probeWrite(la, sz);
      const t = sz === 4 ? c.rdLin32(la) : sz === 2 ? c.rdLin16(la) : c.rdLin8(la);
      const v = getReg(c, reg, sz);
      if (sz === 4) c.wrLin32(la, v); else if (sz === 2) c.wrLin16(la, v); else c.wrLin8(la, v);
      setReg(c, reg, sz, t);
      return;
    }
    case 0x88: case 0x89: {
      const sz = op === 0x88 ? 1 : osz;
      const m = c.fb();
      if (m >= 0xc0) { setReg(c, m & 7, sz, getReg(c, (m >> 3) & 7, sz)); return; }
      const a = ea(c, m);
      wrMem(c, c.eaSeg, a, sz, getReg(c, (m >> 3) & 7, sz));
      return;
    }
    case 0x8a: case 0x8b: {
      const sz = op === 0x8a ? 1 : osz;
      const m = c.fb();
      if (m >= 0xc0) { setReg(c, (m >> 3) & 7, sz, getReg(c, m & 7, sz)); return; }
      const a = ea(c, m);
      setReg(c, (m >> 3) & 7, sz, rdMem(c, c.eaSeg, a, sz));
      return;
    }
    case 0x8c: { // mov Ew, Sreg (register destination takes the operand size, upper bits zero)
      const m = c.fb();
      const s = (m >> 3) & 7;
      if (s > 5) ud(c);
      if (m >= 0xc0) setReg(c, m & 7, osz, c.segSel[s]);
      else { const a = ea(c, m); wrMem(c, c.eaSeg, a, 2, c.segSel[s]); }
      return;
    }
    case 0x8d: {
      const m = c.fb();
      if (m >= 0xc0) ud(c);
      const a = ea(c, m);
      setReg(c, (m >> 3) & 7, osz, osz === 2 ? a & 0xffff : a);
      return;
    }
    case 0x8e: {
      const m = c.fb();
      const s = (m >> 3) & 7;
      if (s === 1 || s > 5) ud(c);
      const a = m < 0xc0 ? ea(c, m) : 0;
      loadSegmentChecked(c, s, rdRM(c, m, a, 2));
      if (s === 2) c.inhibitTrap = c.irqShadow = true; // mov ss: no trap or interrupt until after the next instruction
      return;
    }
    case 0x8f: {
      const m = c.fb();
      if (((m >> 3) & 7) !== 0) ud(c);
      if (m >= 0xc0) { setReg(c, m & 7, osz, pop(c, osz)); return; }
      // All instruction bytes are fetched first; the address is then computed with ESP already
      // incremented (SDM: POP), so the operand is decoded twice.
      const at = c.ip;
      ea(c, m);
      const v = osz === 4 ? c.rd32(2, c.sp()) : c.rd16(2, c.sp());
      addSp(c, osz);
      const end = c.ip;
      c.ip = at;
      const a = ea(c, m);
      c.ip = end;
      wrMem(c, c.eaSeg, a, osz, v);
      return;
    }
    case 0x90:
      return;
    case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97: {
      const r = op & 7;
      const t = getReg(c, r, osz);
      setReg(c, r, osz, getReg(c, 0, osz));
      setReg(c, 0, osz, t);
      return;
    }
    case 0x98:
      if (osz === 4) regs[0] = (c.regs16[0] << 16) >> 16;
      else c.regs16[0] = (c.regs8[0] << 24) >> 24;
      return;
    case 0x99:
      if (osz === 4) regs[2] = regs[0] >> 31;
      else c.regs16[4] = (c.regs16[0] & 0x8000) !== 0 ? 0xffff : 0;
      return;
    case 0x9a: {
      const off = fetchImm(c, osz);
      const sel = c.fw();
      farCall(c, sel, off, osz);
      return;
    }
    case 0x9b: x87(c, 0x9b); return;
    case 0x9c: { // pushf
      v86Sensitive(c);
      const f = c.getEflags() & ~(RF | 0x20000);
      push(c, osz, f);
      return;
    }
    case 0x9d: { // popf
      v86Sensitive(c);
      const v = pop(c, osz);
      popFlags(c, v, osz);
      return;
    }
    case 0x9e: { // sahf
      c.materialize();
      c.flags = (c.flags & ~0xd5) | (c.regs8[1] & 0xd5);
      return;
    }
    case 0x9f: c.regs8[1] = c.getEflags() & 0xff; return;
    case 0xa0: case 0xa1: case 0xa2: case 0xa3: {
      const sz = (op & 1) === 0 ? 1 : osz;
      const a = c.adsize32 ? c.fd() : c.fw();
      const s = c.segOvr >= 0 ? c.segOvr : 3;
      if (op < 0xa2) setReg(c, 0, sz, rdMem(c, s, a, sz));
      else wrMem(c, s, a, sz, getReg(c, 0, sz));
      return;
    }
    case 0xa8: alu(c, 4, 1, c.regs8[0], c.fb()); return;
    case 0xa9: alu(c, 4, osz, getReg(c, 0, osz), fetchImm(c, osz) & MASK[osz]); return;
    case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7:
      c.regs8[R8[op & 7]] = c.fb();
      return;
    case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
      if (osz === 4) regs[op & 7] = c.fd(); else c.regs16[(op & 7) << 1] = c.fw();
      return;
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
      const sz = (op & 1) === 0 ? 1 : osz;
      const m = c.fb();
      const sop = (m >> 3) & 7;
      const a = m < 0xc0 ? ea(c, m) : 0;
      const cnt = op < 0xd0 ? c.fb() : op < 0xd2 ? 1 : c.regs8[4];
      if (m >= 0xc0) {
        setReg(c, m & 7, sz, shift(c, sop, sz, getReg(c, m & 7, sz), cnt));
        return;
      }
      const la = c.linW(c.eaSeg, a, sz);
      c.probeWrite(la, sz);
      const x = sz === 4 ? c.rdLin32(la) : sz === 2 ? c.rdLin16(la) : c.rdLin8(la);
      const r = shift(c, sop, sz, x, cnt);
      if (sz === 4) c.wrLin32(la, r); else if (sz === 2) c.wrLin16(la, r); else c.wrLin8(la, r);
      return;
    }
    case 0xc2: case 0xc3: { // near ret
      const n = op === 0xc2 ? c.fw() : 0;
      const t = pop(c, osz);
      if ((t >>> 0) > (c.csLimit >>> 0)) c.raise(Vector.GP, 0);
      if (n !== 0) addSpN(c, n);
      c.ip = t;
      return;
    }
    case 0xc4: case 0xc5: {
      const m = c.fb();
      if (m >= 0xc0) ud(c);
      loadFarPointer(c, op === 0xc4 ? 0 : 3, m, osz);
      return;
    }
    case 0xc6: case 0xc7: {
      const sz = op === 0xc6 ? 1 : osz;
      const m = c.fb();
      if (((m >> 3) & 7) !== 0) ud(c);
      if (m >= 0xc0) { setReg(c, m & 7, sz, fetchImm(c, sz)); return; }
      const a = ea(c, m);
      wrMem(c, c.eaSeg, a, sz, fetchImm(c, sz));
      return;
    }
    case 0xc8: {
      const size = c.fw();
      const level = c.fb();
      enter(c, osz, size, level);
      return;
    }
    case 0xc9: { // leave
      const bp = c.stack32 ? regs[5] : c.regs16[10];
      const v = osz === 4 ? c.rd32(2, bp) : c.rd16(2, bp);
      if (c.stack32) regs[4] = (bp + osz) | 0; else c.regs16[8] = bp + osz;
      setReg(c, 5, osz, v);
      return;
    }
    case 0xca: case 0xcb: {
      const n = op === 0xca ? c.fw() : 0;
      farReturn(c, osz, n);
      return;
    }
    case 0xcc: c.softwareInterrupt(Vector.BP); return;
    case 0xcd: {
      const v = c.fb();
      v86Sensitive(c);
      c.softwareInterrupt(v);
      return;
    }
    case 0xce:
      if (c.getOF()) c.softwareInterrupt(Vector.OF);
      return;
    case 0xcf: iret(c, osz); return; // IOPL-sensitive in V86 mode: checked in iret()
    case 0xd4: aam(c, c.fb()); return;
    case 0xd5: aad(c, c.fb()); return;
    case 0xd6: c.regs8[0] = c.getCF() !== 0 ? 0xff : 0; return; // SALC (undocumented, valid in 32-bit mode)
    case 0xd7: { // xlat
      const s = c.segOvr >= 0 ? c.segOvr : 3;
      const a = c.adsize32 ? (regs[3] + c.regs8[0]) | 0 : (c.regs16[6] + c.regs8[0]) & 0xffff;
      c.regs8[0] = c.rd8(s, a);
      return;
    }
    case 0xd8: case 0xd9: case 0xda: case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf:
      x87(c, op);
      return;
    case 0xe0: case 0xe1: case 0xe2: case 0xe3: {
      const d = (c.fb() << 24) >> 24;
      let count: number;
      if (op === 0xe3) {
        count = c.adsize32 ? regs[1] : c.regs16[2];
        if (count === 0) jump(c, c.ip + d);
        return;
      }
      if (c.adsize32) count = regs[1] = (regs[1] - 1) | 0;
      else count = c.regs16[2] = c.regs16[2] - 1;
      let take = count !== 0;
      if (op === 0xe0) take = take && !c.getZF();
      else if (op === 0xe1) take = take && c.getZF();
      if (take) jump(c, c.ip + d);
      return;
    }
    case 0xe4: case 0xe5: case 0xec: case 0xed: {
      const sz = (op & 1) === 0 ? 1 : osz;
      const port = op < 0xe8 ? c.fb() : c.regs16[4];
      ioPermitted(c, port, sz);
      setReg(c, 0, sz, c.ioRead(port, sz as 1 | 2 | 4) & MASK[sz]);
      return;
    }
    case 0xe6: case 0xe7: case 0xee: case 0xef: {
      const sz = (op & 1) === 0 ? 1 : osz;
      const port = op < 0xe8 ? c.fb() : c.regs16[4];
      ioPermitted(c, port, sz);
      c.ioWrite(port, sz as 1 | 2 | 4, getReg(c, 0, sz) & MASK[sz]);
      return;
    }
    case 0xe8: {
      const d = fetchImm(c, osz);
      const t = osz === 4 ? (c.ip + d) | 0 : (c.ip + d) & 0xffff;
      if ((t >>> 0) > (c.csLimit >>> 0)) c.raise(Vector.GP, 0);
      push(c, osz, c.ip);
      c.ip = t;
      return;
    }
    case 0xe9: {
      const d = fetchImm(c, osz);
      jump(c, c.ip + (osz === 2 ? (d << 16) >> 16 : d));
      return;
    }
    case 0xea: {
      const off = fetchImm(c, osz);
      const sel = c.fw();
      farJump(c, sel, off, osz);
      return;
    }
    case 0xeb: {
      const d = (c.fb() << 24) >> 24;
      jump(c, c.ip + d);
      return;
    }
    case 0xf1: // int1 / icebp: a #DB trap
      if (c.owned) {
        c.softwareInterrupt(Vector.DB);
        c.exception.software = false;
      } else {
        c.softwareInterrupt(Vector.DB);
      }
      return;
    case 0xf4:
      if (c.cpl !== 0) c.raise(Vector.GP, 0);
      c.halted = true;
      c.stop = StopReason.HALT + 1;
      return;
    case 0xf5: c.materialize(); c.flags ^= CF; return;
    case 0xf6: case 0xf7: {
      const sz = op === 0xf6 ? 1 : osz;
      const m = c.fb();
      const sop = (m >> 3) & 7;
      const a = m < 0xc0 ? ea(c, m) : 0;
      switch (sop) {
        case 0: case 1: {
          const imm = fetchImm(c, sz) & MASK[sz]; // the whole instruction is fetched before its operand is read
          alu(c, 4, sz, rdRM(c, m, a, sz), imm);
          return;
        }
        case 2: {
          if (m < 0xc0) c.probeWrite(c.linW(c.eaSeg, a, sz), sz);
          wrRM(c, m, a, sz, ~rdRM(c, m, a, sz) & MASK[sz]);
          return;
        }
        case 3: {
          if (m < 0xc0) c.probeWrite(c.linW(c.eaSeg, a, sz), sz);
          const r = neg(c, sz, rdRM(c, m, a, sz));
          wrRM(c, m, a, sz, r);
          return;
        }
        case 4: mulAcc(c, false, sz, rdRM(c, m, a, sz)); return;
        case 5: mulAcc(c, true, sz, rdRM(c, m, a, sz)); return;
        case 6: divAcc(c, false, sz, rdRM(c, m, a, sz)); return;
        default: divAcc(c, true, sz, rdRM(c, m, a, sz)); return;
      }
    }
    case 0xf8: c.materialize(); c.flags &= ~CF; return;
    case 0xf9: c.materialize(); c.flags |= CF; return;
    case 0xfa:
      if (c.cpl > ((c.flags & IOPL) >> IOPL_SHIFT)) c.raise(Vector.GP, 0);
      c.flags &= ~IF;
      return;
    case 0xfb:
      if (c.cpl > ((c.flags & IOPL) >> IOPL_SHIFT)) c.raise(Vector.GP, 0);
      // Interrupts stay blocked for one more instruction after sti enables them (sti; hlt idiom).
      if ((c.flags & IF) === 0) c.irqShadow = true;
      c.flags |= IF;
      if (c.pendingIrq >= 0) c.writeFlags(c.flags, 0);
      return;
    case 0xfc: c.flags &= ~DF; return;
    case 0xfd: c.flags |= DF; return;
    case 0xfe: case 0xff: {
      const sz = op === 0xfe ? 1 : osz;
      const m = c.fb();
      const sop = (m >> 3) & 7;
      if (op === 0xfe && sop > 1) ud(c);
      if (sop <= 1) {
        if (m >= 0xc0) {
          const r = m & 7;
          setReg(c, r, sz, sop === 0 ? inc(c, sz, getReg(c, r, sz)) : dec(c, sz, getReg(c, r, sz)));
          return;
        }
        const a = ea(c, m);
        const la = c.linW(c.eaSeg, a, sz);
        c.probeWrite(la, sz);
        const x = sz === 4 ? c.rdLin32(la) : sz === 2 ? c.rdLin16(la) : c.rdLin8(la);
        const r = sop === 0 ? inc(c, sz, x) : dec(c, sz, x);
        if (sz === 4) c.wrLin32(la, r); else if (sz === 2) c.wrLin16(la, r); else c.wrLin8(la, r);
        return;
      }
      if (sop === 7) ud(c);
      if ((sop === 3 || sop === 5) && m >= 0xc0) ud(c);
      const a = m < 0xc0 ? ea(c, m) : 0;
      switch (sop) {
        case 2: { // call near indirect
          const t = osz === 4 ? rdRM(c, m, a, 4) : rdRM(c, m, a, 2);
          if ((t >>> 0) > (c.csLimit >>> 0)) c.raise(Vector.GP, 0);
          push(c, osz, c.ip);
          c.ip = t;
          return;
        }
        case 3: case 5: {
          const off = rdMem(c, c.eaSeg, a, osz);
          const sel = c.rd16(c.eaSeg, (a + osz) & (c.adsize32 ? -1 : 0xffff));
          if (sop === 3) farCall(c, sel, off, osz); else farJump(c, sel, off, osz);
          return;
        }
        case 4: {
          const t = rdRM(c, m, a, osz);
          if ((t >>> 0) > (c.csLimit >>> 0)) c.raise(Vector.GP, 0);
          c.ip = t;
          return;
        }
        default: {
          const v = rdRM(c, m, a, osz);
          push(c, osz, v);
          return;
        }
      }
    }
    // Listed so the switch stays dense (jump table); prefixes never reach here.
    case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65: case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
    default:
      // 0x26 0x2e 0x36 0x3e 0x64-0x67 0xf0 0xf2 0xf3 are prefixes; 0xd6 handled; nothing else left.
      ud(c);
  }
}

/** The ALU opcodes 00-3D in their general (any size) form. */
function aluForms(c: Cpu, op: number, osz: number): void {
  const regs = c.regs;
  void regs;
      const aop = op >> 3;
      const form = op & 7;
      const sz = (form & 1) === 0 ? 1 : osz;
      if (form >= 4) {
        const imm = fetchImm(c, sz);
        const r = alu(c, aop, sz, getReg(c, 0, sz), imm & MASK[sz]);
        if (aop !== 7) setReg(c, 0, sz, r);
        return;
      }
      const m = c.fb();
      const reg = (m >> 3) & 7;
      if (m >= 0xc0) {
        const rm = m & 7;
        if (form < 2) {
          const r = alu(c, aop, sz, getReg(c, rm, sz), getReg(c, reg, sz));
          if (aop !== 7) setReg(c, rm, sz, r);
        } else {
          const r = alu(c, aop, sz, getReg(c, reg, sz), getReg(c, rm, sz));
          if (aop !== 7) setReg(c, reg, sz, r);
        }
        return;
      }
      const a = ea(c, m);
      if (form < 2) {
        if (aop === 7) {
          alu(c, 7, sz, rdMem(c, c.eaSeg, a, sz), getReg(c, reg, sz));
        } else {
          rmwAlu(c, aop, sz, a, getReg(c, reg, sz));
        }
      } else {
        const r = alu(c, aop, sz, getReg(c, reg, sz), rdMem(c, c.eaSeg, a, sz));
        if (aop !== 7) setReg(c, reg, sz, r);
      }
      return;
    }

function rmwAlu(c: Cpu, aop: number, sz: number, a: number, y: number): void {
  const s = c.eaSeg;
  const la = c.linW(s, a, sz);
  c.probeWrite(la, sz);
  const x = sz === 4 ? c.rdLin32(la) : sz === 2 ? c.rdLin16(la) : c.rdLin8(la);
  const r = alu(c, aop, sz, x, y);
  if (sz === 4) c.wrLin32(la, r); else if (sz === 2) c.wrLin16(la, r); else c.wrLin8(la, r);
}

export function addSp(c: Cpu, n: number): void {
  if (c.stack32) c.regs[4] = (c.regs[4] + n) | 0;
  else c.regs16[8] = c.regs16[8] + n;
}

function addSpN(c: Cpu, n: number): void {
  addSp(c, n);
}

/** POPF/IRET flag rules at the current CPL and IOPL (SDM: POPF). */
export function popFlags(c: Cpu, v: number, osz: number): void {
  let mask = ARITH | TF | DF | NT | OF;
  if (osz === 4) mask |= AC | ID;
  const iopl = (c.flags & IOPL) >> IOPL_SHIFT;
  if (c.cpl === 0) mask |= IOPL | IF;
  else if (c.cpl <= iopl) mask |= IF;
  if (osz === 2) mask &= 0xffff;
  c.writeFlags(v, mask);
}

export { setRes };
