// Two-byte opcodes (0F xx, SDM vol. 2 appendix A table A-3): system instructions, jcc rel32,
// setcc, cmovcc, bit tests and scans, shld/shrd, movzx/movsx, cmpxchg(8b), xadd, bswap,
// cpuid, rdtsc. Anything else raises #UD.
import type { Cpu } from "./cpu.js";
import { MASK, alu, cond, imul, shiftDouble } from "./alu.js";
import { CF, ZF } from "./flags.js";
import { CR0_PE, CR0_PG, CR0_TS, Vector } from "./constants.js";
import { ea, fetchImm, getReg, pop, push, rdMem, rdRM, setReg, wrMem, wrRM } from "./execute.js";
import { larLsl, lldt, loadFarPointer, loadSegmentChecked, ltr, verify } from "./transfers.js";

function ud(c: Cpu): never {
  return c.raise(Vector.UD, -1);
}

function needCpl0(c: Cpu): void {
  if (c.cpl !== 0) c.raise(Vector.GP, 0);
}

export function exec0F(c: Cpu): void {
  const op = c.fb();
  const osz = c.opsize32 ? 4 : 2;
  const regs = c.regs;
  switch (op) {
    case 0x00: { // group 6: none of it exists in virtual-8086 mode
      if (c.v86) ud(c);
      const m = c.fb();
      const sop = (m >> 3) & 7;
      const a = m < 0xc0 ? ea(c, m) : 0;
      switch (sop) {
        case 0: // sldt
        case 1: { // str
          const v = sop === 0 ? c.ldtr.selector : c.tr.selector;
          if (m >= 0xc0) setReg(c, m & 7, osz, v); else wrMem(c, c.eaSeg, a, 2, v);
          return;
        }
        case 2: needCpl0(c); lldt(c, rdRM(c, m, a, 2)); return;
        case 3: needCpl0(c); ltr(c, rdRM(c, m, a, 2)); return;
        case 4: verify(c, false, rdRM(c, m, a, 2)); return;
        case 5: verify(c, true, rdRM(c, m, a, 2)); return;
        default: ud(c);
      }
      return;
    }
    case 0x01: { // group 7
      const m = c.fb();
      const sop = (m >> 3) & 7;
      if (m >= 0xc0 && sop !== 4 && sop !== 6) ud(c);
      const a = m < 0xc0 ? ea(c, m) : 0;
      switch (sop) {
        case 0: case 1: { // sgdt / sidt
          const lim = sop === 0 ? c.gdtrLimit : c.idtrLimit;
          const base = sop === 0 ? c.gdtrBase : c.idtrBase;
          const s = c.eaSeg;
          const la = c.linW(s, a, 6);
          c.probeWrite(la, 6);
          c.wr16(s, a, lim);
          c.wr32(s, (a + 2) | 0, osz === 4 ? base : base & 0xffffff);
          return;
        }
        case 2: case 3: { // lgdt / lidt
          needCpl0(c);
          const lim = c.rd16(c.eaSeg, a);
          let base = c.rd32(c.eaSeg, (a + 2) | 0);
          if (osz === 2) base &= 0xffffff;
          if (sop === 2) { c.gdtrLimit = lim; c.gdtrBase = base >>> 0; } else { c.idtrLimit = lim; c.idtrBase = base >>> 0; }
          return;
        }
        case 4: // smsw
          if (m >= 0xc0) setReg(c, m & 7, osz, c.cr0);
          else wrMem(c, c.eaSeg, a, 2, c.cr0);
          return;
        case 6: { // lmsw: PE can be set, not cleared
          needCpl0(c);
          const v = rdRM(c, m, a, 2);
          const cr0 = c.cr0;
          c.cr0 = (cr0 & ~0xe) | (v & 0xe) | (cr0 & 1) | (v & 1);
          return;
        }
        case 7: // invlpg
          needCpl0(c);
          c.flushTlbPage((c.segBase[c.eaSeg] + a) | 0);
          return;
        default: ud(c);
      }
      return;
    }
    case 0x02: case 0x03: {
      if (c.v86) ud(c); // lar / lsl
      const m = c.fb();
      const a = m < 0xc0 ? ea(c, m) : 0;
      larLsl(c, op === 0x02, rdRM(c, m, a, 2), (m >> 3) & 7, osz);
      return;
    }
    case 0x06: needCpl0(c); c.cr0 = c.cr0 & ~CR0_TS; return;
    case 0x08: case 0x09: needCpl0(c); return; // invd / wbinvd: no caches modelled
    case 0x0b: ud(c); return;
    case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x1f: {
      // Hint NOPs (nopl/nopw and prefetch): decode the operand, do nothing.
      const m = c.fb();
      if (m < 0xc0) ea(c, m);
      return;
    }
    case 0x20: case 0x22: { // mov r32, crN / mov crN, r32
      const m = c.fb();
      const n = (m >> 3) & 7;
      const r = m & 7;
      if (n !== 0 && n !== 2 && n !== 3 && n !== 4) ud(c);
      needCpl0(c);
      if (op === 0x20) {
        regs[r] = n === 0 ? c.cr0 : n === 2 ? c.cr2 : n === 3 ? c.cr3 : c.cr4;
        return;
      }
      const v = regs[r];
      if (n === 0) {
        if ((v & CR0_PG) !== 0 && (v & CR0_PE) === 0) c.raise(Vector.GP, 0);
        c.cr0 = v;
      } else if (n === 2) c.cr2 = v;
      else if (n === 3) c.cr3 = v;
      else {
        if ((v & ~0x9f) !== 0) c.raise(Vector.GP, 0); // VME PVI TSD DE PSE PGE
        c.cr4 = v;
      }
      return;
    }
    case 0x21: case 0x23: { // mov r32, drN / mov drN, r32
      const m = c.fb();
      needCpl0(c);
      let n = (m >> 3) & 7;
      if (n === 4 || n === 5) n += 2;
      if (op === 0x21) regs[m & 7] = n === 6 ? c.dr[6] | 0xffff0ff0 : n === 7 ? c.dr[7] | 0x400 : c.dr[n];
      else c.dr[n] = regs[m & 7];
      return;
    }
    case 0x30: case 0x32: // wrmsr / rdmsr: no MSRs are modelled
      c.raise(Vector.GP, 0);
      return;
    case 0x31: { // rdtsc: the instruction count stands in for cycles
      if ((c.cr4 & 4) !== 0 && c.cpl !== 0) c.raise(Vector.GP, 0);
      const t = c.instructionCount + (c.sliceStart - c.left);
      regs[0] = t % 4294967296;
      regs[2] = Math.floor(t / 4294967296);
      return;
    }
    case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
    case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f: {
      const m = c.fb();
      const a = m < 0xc0 ? ea(c, m) : 0;
      const v = rdRM(c, m, a, osz); // the source is read (and may fault) whatever the condition
      if (cond(c, op & 15)) setReg(c, (m >> 3) & 7, osz, v);
      return;
    }
    case 0x80: case 0x81: case 0x82: case 0x83: case 0x84: case 0x85: case 0x86: case 0x87:
    case 0x88: case 0x89: case 0x8a: case 0x8b: case 0x8c: case 0x8d: case 0x8e: case 0x8f: {
      const d = osz === 4 ? c.fd() : (c.fw() << 16) >> 16;
      if (cond(c, op & 15)) {
        const t = osz === 4 ? (c.ip + d) | 0 : (c.ip + d) & 0xffff;
        if ((t >>> 0) > (c.csLimit >>> 0)) c.raise(Vector.GP, 0);
        c.ip = t;
      }
      return;
    }
    case 0x90: case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97:
    case 0x98: case 0x99: case 0x9a: case 0x9b: case 0x9c: case 0x9d: case 0x9e: case 0x9f: {
      const m = c.fb();
      const a = m < 0xc0 ? ea(c, m) : 0;
      wrRM(c, m, a, 1, cond(c, op & 15) ? 1 : 0);
      return;
    }
    case 0xa0: push(c, osz, c.segSel[4]); return;
    case 0xa8: push(c, osz, c.segSel[5]); return;
    case 0xa1: case 0xa9: {
      const v = osz === 4 ? c.rd32(2, c.sp()) : c.rd16(2, c.sp());
      loadSegmentChecked(c, op === 0xa1 ? 4 : 5, v & 0xffff);
      pop(c, osz);
      return;
    }
    case 0xa2: cpuid(c); return;
    case 0xa3: case 0xab: case 0xb3: case 0xbb: bitOp(c, op, osz, false); return;
    case 0xba: bitOp(c, op, osz, true); return;
    case 0xa4: case 0xa5: case 0xac: case 0xad: {
      const m = c.fb();
      const a = m < 0xc0 ? ea(c, m) : 0;
      const cnt = (op & 1) === 0 ? c.fb() : c.regs8[4];
      const src = getReg(c, (m >> 3) & 7, osz);
      if (m >= 0xc0) {
        setReg(c, m & 7, osz, shiftDouble(c, op < 0xac, osz, getReg(c, m & 7, osz), src, cnt));
        return;
      }
      const la = c.linW(c.eaSeg, a, osz);
      c.probeWrite(la, osz);
      const x = osz === 4 ? c.rdLin32(la) : c.rdLin16(la);
      const r = shiftDouble(c, op < 0xac, osz, x, src, cnt);
      if (osz === 4) c.wrLin32(la, r); else c.wrLin16(la, r);
      return;
    }
    case 0xaf: {
      const m = c.fb();
      const a = m < 0xc0 ? ea(c, m) : 0;
      const reg = (m >> 3) & 7;
      setReg(c, reg, osz, imul(c, osz, getReg(c, reg, osz), rdRM(c, m, a, osz)));
      return;
    }
    case 0xb0: case 0xb1: { // cmpxchg
      const sz = op === 0xb0 ? 1 : osz;
      const m = c.fb();
      const reg = (m >> 3) & 7;
      if (m >= 0xc0) {
        const x = getReg(c, m & 7, sz);
        alu(c, 7, sz, getReg(c, 0, sz), x);
        if (c.ccR === 0) setReg(c, m & 7, sz, getReg(c, reg, sz));
        else setReg(c, 0, sz, x);
        return;
      }
      const a = ea(c, m);
      const la = c.linW(c.eaSeg, a, sz);
      c.probeWrite(la, sz);
      const x = sz === 4 ? c.rdLin32(la) : sz === 2 ? c.rdLin16(la) : c.rdLin8(la);
      const acc = getReg(c, 0, sz);
      const w = acc === x ? getReg(c, reg, sz) : x; // the locked cycle always writes
      if (sz === 4) c.wrLin32(la, w); else if (sz === 2) c.wrLin16(la, w); else c.wrLin8(la, w);
      alu(c, 7, sz, acc, x);
      if (acc !== x) setReg(c, 0, sz, x);
      return;
    }
    case 0xb2: case 0xb4: case 0xb5: {
      const m = c.fb();
      if (m >= 0xc0) ud(c);
      loadFarPointer(c, op === 0xb2 ? 2 : op === 0xb4 ? 4 : 5, m, osz);
      return;
    }
    case 0xb6: case 0xb7: case 0xbe: case 0xbf: {
      const m = c.fb();
      const a = m < 0xc0 ? ea(c, m) : 0;
      const ssz = (op & 1) === 0 ? 1 : 2;
      let v = rdRM(c, m, a, ssz);
      if (op >= 0xbe) v = ssz === 1 ? (v << 24) >> 24 : (v << 16) >> 16;
      setReg(c, (m >> 3) & 7, osz, v & MASK[osz]);
      return;
    }
    case 0xbc: case 0xbd: { // bsf / bsr
      const m = c.fb();
      const a = m < 0xc0 ? ea(c, m) : 0;
      const v = rdRM(c, m, a, osz);
      c.materialize();
      if (v === 0) {
        c.flags |= ZF; // destination left unchanged, as current processors do
        return;
      }
      c.flags &= ~ZF;
      const idx = op === 0xbc ? 31 - Math.clz32(v & -v) : 31 - Math.clz32(v);
      setReg(c, (m >> 3) & 7, osz, idx);
      return;
    }
    case 0xc0: case 0xc1: { // xadd
      const sz = op === 0xc0 ? 1 : osz;
      const m = c.fb();
      const reg = (m >> 3) & 7;
      if (m >= 0xc0) {
        const x = getReg(c, m & 7, sz);
        const y = getReg(c, reg, sz);
        const r = alu(c, 0, sz, x, y);
        setReg(c, reg, sz, x);
        setReg(c, m & 7, sz, r);
        return;
      }
      const a = ea(c, m);
      const la = c.linW(c.eaSeg, a, sz);
      c.probeWrite(la, sz);
      const x = sz === 4 ? c.rdLin32(la) : sz === 2 ? c.rdLin16(la) : c.rdLin8(la);
      const r = alu(c, 0, sz, x, getReg(c, reg, sz));
      if (sz === 4) c.wrLin32(la, r); else if (sz === 2) c.wrLin16(la, r); else c.wrLin8(la, r);
      setReg(c, reg, sz, x);
      return;
    }
    case 0xc7: { // cmpxchg8b
      const m = c.fb();
      if (m >= 0xc0 || ((m >> 3) & 7) !== 1) ud(c);
      const a = ea(c, m);
      const la = c.linW(c.eaSeg, a, 8);
      if (c.alignCheck && (la & 7) !== 0) c.raise(Vector.AC, 0);
      c.probeWrite(la, 8);
      const lo = c.rdLin32(la);
      const hi = c.rdLin32((la + 4) | 0);
      c.materialize();
      if (lo === regs[0] && hi === regs[2]) {
        c.wrLin32(la, regs[3]);
        c.wrLin32((la + 4) | 0, regs[1]);
        c.flags |= ZF;
      } else {
        c.wrLin32(la, lo);
        c.wrLin32((la + 4) | 0, hi);
        regs[0] = lo;
        regs[2] = hi;
        c.flags &= ~ZF;
      }
      return;
    }
    case 0xc8: case 0xc9: case 0xca: case 0xcb: case 0xcc: case 0xcd: case 0xce: case 0xcf: {
      const r = op & 7;
      if (osz === 2) { c.regs16[r << 1] = 0; return; } // 16-bit bswap is undefined; real CPUs clear
      const v = regs[r];
      regs[r] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
      return;
    }
    // Undefined two-byte opcodes, listed so the switch stays dense (jump table).
    case 0x04: case 0x05: case 0x07: case 0x0a: case 0x0c: case 0x0d: case 0x0e: case 0x0f: case 0x10: case 0x11: case 0x12: case 0x13:
    case 0x14: case 0x15: case 0x16: case 0x17: case 0x24: case 0x25: case 0x26: case 0x27: case 0x28: case 0x29: case 0x2a: case 0x2b:
    case 0x2c: case 0x2d: case 0x2e: case 0x2f: case 0x33: case 0x34: case 0x35: case 0x36: case 0x37: case 0x38: case 0x39: case 0x3a:
    case 0x3b: case 0x3c: case 0x3d: case 0x3e: case 0x3f: case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56:
    case 0x57: case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f: case 0x60: case 0x61: case 0x62:
    case 0x63: case 0x64: case 0x65: case 0x66: case 0x67: case 0x68: case 0x69: case 0x6a: case 0x6b: case 0x6c: case 0x6d: case 0x6e:
    case 0x6f: case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77: case 0x78: case 0x79: case 0x7a:
    case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: case 0xa6: case 0xa7: case 0xaa: case 0xae: case 0xb8: case 0xb9: case 0xc2:
    case 0xc3: case 0xc4: case 0xc5: case 0xc6: case 0xd0: case 0xd1: case 0xd2: case 0xd3: case 0xd4: case 0xd5: case 0xd6: case 0xd7:
    case 0xd8: case 0xd9: case 0xda: case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf: case 0xe0: case 0xe1: case 0xe2: case 0xe3:
    case 0xe4: case 0xe5: case 0xe6: case 0xe7: case 0xe8: case 0xe9: case 0xea: case 0xeb: case 0xec: case 0xed: case 0xee: case 0xef:
    case 0xf0: case 0xf1: case 0xf2: case 0xf3: case 0xf4: case 0xf5: case 0xf6: case 0xf7: case 0xf8: case 0xf9: case 0xfa: case 0xfb:
    case 0xfc: case 0xfd: case 0xfe: case 0xff:
    default:
      ud(c);
  }
}

/** bt/bts/btr/btc, register (0F A3/AB/B3/BB) or immediate (0F BA /4-7) bit offset. */
function bitOp(c: Cpu, op: number, osz: number, immForm: boolean): void {
  const m = c.fb();
  const a = m < 0xc0 ? ea(c, m) : 0;
  let kind: number; // 0 bt, 1 bts, 2 btr, 3 btc
  let bit: number;
  if (immForm) {
    const sop = (m >> 3) & 7;
    if (sop < 4) ud(c);
    kind = sop - 4;
    bit = c.fb();
  } else {
    kind = op === 0xa3 ? 0 : op === 0xab ? 1 : op === 0xb3 ? 2 : 3;
    bit = getReg(c, (m >> 3) & 7, osz);
    if (osz === 2) bit = (bit << 16) >> 16;
  }
  const bits = osz * 8;
  let addr = a;
  if (m < 0xc0 && !immForm) {
    // The register offset is signed and may reach beyond the operand (SDM: BT).
    const word = bit >> (osz === 4 ? 5 : 4);
    addr = c.adsize32 ? (a + word * osz) | 0 : (a + word * osz) & 0xffff;
  }
  const mask = 1 << (bit & (bits - 1));
  let v: number;
  if (m >= 0xc0) v = getReg(c, m & 7, osz);
  else if (kind === 0) v = rdMem(c, c.eaSeg, addr, osz);
  else {
    const la = c.linW(c.eaSeg, addr, osz);
    c.probeWrite(la, osz);
    v = osz === 4 ? c.rdLin32(la) : c.rdLin16(la);
  }
  const cf = (v & mask) !== 0 ? 1 : 0;
  if (kind !== 0) {
    const r = (kind === 1 ? v | mask : kind === 2 ? v & ~mask : v ^ mask) & MASK[osz];
    if (m >= 0xc0) setReg(c, m & 7, osz, r);
    else wrMem(c, c.eaSeg, addr, osz, r);
  }
  c.materialize();
  c.flags = (c.flags & ~CF) | cf;
}

function cpuid(c: Cpu): void {
  const regs = c.regs;
  const leaf = regs[0];
  if (leaf === 0) {
    regs[0] = 1;
    regs[3] = 0x756e6547; // "Genu"
    regs[2] = 0x49656e69; // "ineI"
    regs[1] = 0x6c65746e; // "ntel"
  } else if (leaf === 1) {
    regs[0] = 0x0633; // family 6 model 3 stepping 3 (a Pentium II class i686)
    regs[3] = 0;
    regs[1] = 0;
    regs[2] = (1 << 0) | (1 << 3) | (1 << 4) | (1 << 8) | (1 << 15); // FPU PSE TSC CX8 CMOV
  } else {
    regs[0] = regs[1] = regs[2] = regs[3] = 0;
  }
}

export { fetchImm };
