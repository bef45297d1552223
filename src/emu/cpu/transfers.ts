// Protection machinery (SDM vol. 3 ch. 5-6): descriptor reads, segment-register loads with
// their checks, far jmp/call/ret through code segments and call gates, iret, IDT delivery
// with the TSS stack switch (bare mode), I/O permission, and lar/lsl/verr/verw/lldt/ltr.
// Virtual-8086 mode (SDM vol. 3 ch. 20): segment loads and far transfers use selector * 16,
// IRET from CPL 0 enters it, delivery from it goes to a ring-0 handler with the four data
// segments pushed and nulled. Hardware task switches (task gates, TSS jumps, iret with NT) are
// not modelled: #GP.
import type { Cpu } from "./cpu.js";
import { Vector } from "./constants.js";
import { AC, ARITH, FLAGS_WRITABLE, ID, IF, IOPL, IOPL_SHIFT, NT, RF, TF, VM, DF, OF, ZF } from "./flags.js";
import { ea, getReg, rdMem, setReg } from "./execute.js";

// The descriptor last read by readDescriptor.
let dLo = 0;
let dHi = 0;
let dAddr = 0;

function fail(c: Cpu, vector: number, code: number): never {
  return c.raise(vector, code & 0xffff);
}

/** Reads the descriptor for `sel` into dLo/dHi; false when the selector is outside its table. */
function fetchDescriptor(c: Cpu, sel: number): boolean {
  const idx = sel & 0xfff8;
  let base: number, limit: number;
  if ((sel & 4) !== 0) {
    if ((c.ldtr.selector & 0xfffc) === 0 || (c.ldtr.access & 0x80) === 0) return false;
    base = c.ldtr.base;
    limit = c.ldtr.limit;
  } else {
    base = c.gdtrBase;
    limit = c.gdtrLimit;
  }
  if (idx + 7 > (limit >>> 0)) return false;
  dAddr = (base + idx) | 0;
  dLo = c.rdSys32(dAddr);
  dHi = c.rdSys32((dAddr + 4) | 0);
  return true;
}

function readDescriptor(c: Cpu, sel: number, vector: number, ext = 0): void {
  if (!fetchDescriptor(c, sel)) fail(c, vector, (sel & 0xfffc) | ext);
}

const descBase = (): number => ((dLo >>> 16) | ((dHi & 0xff) << 16) | (dHi & 0xff000000)) | 0;
function descLimit(): number {
  const raw = (dLo & 0xffff) | (dHi & 0xf0000);
  return (dHi & 0x800000) !== 0 ? ((raw << 12) | 0xfff) : raw;
}
const descAttr = (): number => (dHi >>> 8) & 0xf0ff;
const descDpl = (): number => (dHi >>> 13) & 3;
const isPresent = (): boolean => (dHi & 0x8000) !== 0;
const isSegment = (): boolean => (dHi & 0x1000) !== 0;
const isCode = (): boolean => (dHi & 0x800) !== 0;
const isConforming = (): boolean => (dHi & 0x400) !== 0;
/** Readable for code, writable for data. */
const rwBit = (): boolean => (dHi & 0x200) !== 0;

function setAccessed(c: Cpu): void {
  if ((dHi & 0x100) === 0) {
    dHi |= 0x100;
    c.wrSys32((dAddr + 4) | 0, dHi);
  }
}

function loadCache(c: Cpu, s: number, sel: number): void {
  c.setSegmentCache(s as 0, sel, descBase(), descLimit(), descAttr());
}

/** MOV/POP/LxS into a data or stack segment register (SDM vol. 2 MOV, vol. 3 §5.10). */
export function loadSegmentChecked(c: Cpu, s: number, sel: number): void {
  if (c.v86) {
    c.setRealModeSegment(s as 0, sel);
    return;
  }
  const rpl = sel & 3;
  if (s === 2) {
    if ((sel & 0xfffc) === 0) fail(c, Vector.GP, 0);
    readDescriptor(c, sel, Vector.GP);
    if (rpl !== c.cpl || !isSegment() || isCode() || !rwBit() || descDpl() !== c.cpl) fail(c, Vector.GP, sel & 0xfffc);
    if (!isPresent()) fail(c, Vector.SS, sel & 0xfffc);
    setAccessed(c);
    loadCache(c, 2, sel);
    return;
  }
  if ((sel & 0xfffc) === 0) {
    c.setSegmentCache(s as 0, sel, 0, 0, 0);
    return;
  }
  readDescriptor(c, sel, Vector.GP);
  if (!isSegment() || (isCode() && !rwBit())) fail(c, Vector.GP, sel & 0xfffc);
  if (!isCode() || !isConforming()) {
    const dpl = descDpl();
    if (rpl > dpl || c.cpl > dpl) fail(c, Vector.GP, sel & 0xfffc);
  }
  if (!isPresent()) fail(c, Vector.NP, sel & 0xfffc);
  setAccessed(c);
  loadCache(c, s, sel);
}

/** Checks a code-segment descriptor (in dLo/dHi) as a far jmp/call target at the current CPL. */
function checkDirectCode(c: Cpu, sel: number): void {
  const dpl = descDpl();
  if (isConforming()) {
    if (dpl > c.cpl) fail(c, Vector.GP, sel & 0xfffc);
  } else if ((sel & 3) > c.cpl || dpl !== c.cpl) {
    fail(c, Vector.GP, sel & 0xfffc);
  }
  if (!isPresent()) fail(c, Vector.NP, sel & 0xfffc);
}

function enterCode(c: Cpu, sel: number, off: number, cpl: number): void {
  const lim = descLimit();
  if ((off >>> 0) > (lim >>> 0)) fail(c, Vector.GP, 0);
  setAccessed(c);
  c.setSegmentCache(1, (sel & 0xfffc) | cpl, descBase(), lim, descAttr());
  c.ip = off;
}

/** JMP/CALL/RETF far in virtual-8086 mode: CS = selector * 16, the offset within 0xFFFF. */
function enterV86Code(c: Cpu, sel: number, off: number): void {
  if ((off >>> 0) > 0xffff) fail(c, Vector.GP, 0);
  c.setRealModeSegment(1, sel);
  c.ip = off;
}

export function farJump(c: Cpu, sel: number, off: number, osz: number): void {
  if (osz === 2) off &= 0xffff;
  if (c.v86) {
    enterV86Code(c, sel, off);
    return;
  }
  if ((sel & 0xfffc) === 0) fail(c, Vector.GP, 0);
  readDescriptor(c, sel, Vector.GP);
  if (isSegment()) {
    if (!isCode()) fail(c, Vector.GP, sel & 0xfffc);
    checkDirectCode(c, sel);
    enterCode(c, sel, off, c.cpl);
    return;
  }
  const type = (dHi >>> 8) & 0xf;
  if (type !== 0xc && type !== 0x4) fail(c, Vector.GP, sel & 0xfffc); // task gates and TSS: not modelled
  const gdpl = descDpl();
  if (gdpl < c.cpl || gdpl < (sel & 3)) fail(c, Vector.GP, sel & 0xfffc);
  if (!isPresent()) fail(c, Vector.NP, sel & 0xfffc);
  const tsel = (dLo >>> 16) & 0xffff;
  const toff = type === 0xc ? (dLo & 0xffff) | (dHi & 0xffff0000) : dLo & 0xffff;
  if ((tsel & 0xfffc) === 0) fail(c, Vector.GP, 0);
  readDescriptor(c, tsel, Vector.GP);
  if (!isSegment() || !isCode()) fail(c, Vector.GP, tsel & 0xfffc);
  const dpl = descDpl();
  if (isConforming() ? dpl > c.cpl : dpl !== c.cpl) fail(c, Vector.GP, tsel & 0xfffc);
  if (!isPresent()) fail(c, Vector.NP, tsel & 0xfffc);
  enterCode(c, tsel, toff, c.cpl);
}

/** Reads the ring-`dpl` stack pointer from the current 32-bit TSS. */
function tssStack(c: Cpu, dpl: number, ext: number): { ss: number; esp: number } {
  const is32 = (c.tr.access & 0x8) !== 0;
  const off = is32 ? 4 + dpl * 8 : 2 + dpl * 4;
  const need = is32 ? off + 5 : off + 3;
  if ((c.tr.selector & 0xfffc) === 0 || need > (c.tr.limit >>> 0)) fail(c, Vector.TS, (c.tr.selector & 0xfffc) | ext);
  const base = c.tr.base | 0;
  if (is32) return { esp: c.rdSys32((base + off) | 0), ss: c.rdSys16((base + off + 4) | 0) };
  return { esp: c.rdSys16((base + off) | 0), ss: c.rdSys16((base + off + 2) | 0) };
}

/** Validates a new inner stack selector for privilege level `dpl` (descriptor left in dLo/dHi). */
function checkInnerStack(c: Cpu, ss: number, dpl: number, ext: number): void {
  if ((ss & 0xfffc) === 0) fail(c, Vector.TS, ext);
  if (!fetchDescriptor(c, ss)) fail(c, Vector.TS, (ss & 0xfffc) | ext);
  if ((ss & 3) !== dpl || descDpl() !== dpl || !isSegment() || isCode() || !rwBit()) fail(c, Vector.TS, (ss & 0xfffc) | ext);
  if (!isPresent()) fail(c, Vector.SS, (ss & 0xfffc) | ext);
}

function pushSz(c: Cpu, gsz: number, v: number): void {
  if (gsz === 4) c.push32(v); else c.push16(v);
}

export function farCall(c: Cpu, sel: number, off: number, osz: number): void {
  if (osz === 2) off &= 0xffff;
  if (c.v86) {
    if ((off >>> 0) > 0xffff) fail(c, Vector.GP, 0);
    pushSz(c, osz, c.segSel[1]);
    pushSz(c, osz, c.ip);
    enterV86Code(c, sel, off);
    return;
  }
  if ((sel & 0xfffc) === 0) fail(c, Vector.GP, 0);
  readDescriptor(c, sel, Vector.GP);
  const retCs = c.segSel[1];
  const retIp = c.ip;
  if (isSegment()) {
    if (!isCode()) fail(c, Vector.GP, sel & 0xfffc);
    checkDirectCode(c, sel);
    const lo = dLo, hi = dHi, addr = dAddr;
    pushSz(c, osz, retCs);
    pushSz(c, osz, retIp);
    dLo = lo; dHi = hi; dAddr = addr;
    enterCode(c, sel, off, c.cpl);
    return;
  }
  const type = (dHi >>> 8) & 0xf;
  if (type !== 0xc && type !== 0x4) fail(c, Vector.GP, sel & 0xfffc);
  const gdpl = descDpl();
  if (gdpl < c.cpl || gdpl < (sel & 3)) fail(c, Vector.GP, sel & 0xfffc);
  if (!isPresent()) fail(c, Vector.NP, sel & 0xfffc);
  const gsz = type === 0xc ? 4 : 2;
  const params = dHi & 0x1f;
  const tsel = (dLo >>> 16) & 0xffff;
  const toff = gsz === 4 ? (dLo & 0xffff) | (dHi & 0xffff0000) : dLo & 0xffff;
  if ((tsel & 0xfffc) === 0) fail(c, Vector.GP, 0);
  readDescriptor(c, tsel, Vector.GP);
  if (!isSegment() || !isCode() || descDpl() > c.cpl) fail(c, Vector.GP, tsel & 0xfffc);
  if (!isPresent()) fail(c, Vector.NP, tsel & 0xfffc);
  const dpl = descDpl();
  const codeLo = dLo, codeHi = dHi, codeAddr = dAddr;
  if (!isConforming() && dpl < c.cpl) {
    const { ss, esp } = tssStack(c, dpl, 0);
    checkInnerStack(c, ss, dpl, 0);
    const oldSs = c.segSel[2];
    const oldEsp = c.regs[4];
    const oldStack32 = c.stack32;
    const oldSsBase = c.segBase[2];
    const copied: number[] = [];
    for (let i = 0; i < params; i++) {
      const o = oldStack32 ? (oldEsp + i * gsz) | 0 : (oldEsp + i * gsz) & 0xffff;
      copied.push(gsz === 4 ? c.rd32(2, o) : c.rd16(2, o));
    }
    void oldSsBase;
    setAccessed(c);
    loadCache(c, 2, ss);
    c.regs[4] = esp;
    c.setCpl(dpl);
    pushSz(c, gsz, oldSs);
    pushSz(c, gsz, oldEsp);
    for (let i = params - 1; i >= 0; i--) pushSz(c, gsz, copied[i]);
  }
  pushSz(c, gsz, retCs);
  pushSz(c, gsz, retIp);
  dLo = codeLo; dHi = codeHi; dAddr = codeAddr;
  enterCode(c, tsel, toff, isConforming() ? c.cpl : dpl);
}

/** After a return to an outer ring: data segments the new CPL may not use become null. */
function nullifySegments(c: Cpu): void {
  for (const s of [0, 3, 4, 5]) {
    const attr = c.segAttr[s];
    const dpl = (attr >> 5) & 3;
    const conformingCode = (attr & 0x1c) === 0x1c;
    if ((attr & 0x10) !== 0 && !conformingCode && dpl < c.cpl) c.setSegmentCache(s as 0, 0, 0, 0, 0);
  }
}

function checkReturnCode(c: Cpu, sel: number): void {
  if ((sel & 0xfffc) === 0) fail(c, Vector.GP, 0);
  readDescriptor(c, sel, Vector.GP);
  const rpl = sel & 3;
  if (rpl < c.cpl || !isSegment() || !isCode()) fail(c, Vector.GP, sel & 0xfffc);
  if (isConforming() ? descDpl() > rpl : descDpl() !== rpl) fail(c, Vector.GP, sel & 0xfffc);
  if (!isPresent()) fail(c, Vector.NP, sel & 0xfffc);
}

function stackRead(c: Cpu, osz: number, off: number): number {
  const o = c.stack32 ? (c.regs[4] + off) | 0 : (c.regs[4] + off) & 0xffff;
  return osz === 4 ? c.rd32(2, o) : c.rd16(2, o);
}

/** Loads SS:ESP for a return to outer ring `rpl`. */
function loadOuterStack(c: Cpu, ss: number, esp: number, rpl: number, notPresent: number = Vector.SS): void {
  if ((ss & 0xfffc) === 0) fail(c, Vector.GP, 0);
  readDescriptor(c, ss, Vector.GP);
  if ((ss & 3) !== rpl || !isSegment() || isCode() || !rwBit() || descDpl() !== rpl) fail(c, Vector.GP, ss & 0xfffc);
  if (!isPresent()) fail(c, notPresent, ss & 0xfffc);
  setAccessed(c);
  loadCache(c, 2, ss);
  if (c.stack32) c.regs[4] = esp; else c.regs16[8] = esp;
}

export function farReturn(c: Cpu, osz: number, n: number): void {
  const ip = stackRead(c, osz, 0);
  const sel = stackRead(c, osz, osz) & 0xffff;
  if (c.v86) {
    enterV86Code(c, sel, ip);
    addStack(c, 2 * osz + n);
    return;
  }
  checkReturnCode(c, sel);
  const rpl = sel & 3;
  if (rpl === c.cpl) {
    enterCode(c, sel, ip, rpl);
    addStack(c, 2 * osz + n);
    return;
  }
  const esp = stackRead(c, osz, 2 * osz + n);
  const ss = stackRead(c, osz, 3 * osz + n) & 0xffff;
  const codeLo = dLo, codeHi = dHi, codeAddr = dAddr;
  const lim = descLimit();
  if ((ip >>> 0) > (lim >>> 0)) fail(c, Vector.GP, 0);
  c.setCpl(rpl);
  try {
    loadOuterStack(c, ss, esp, rpl);
  } catch (e) {
    c.setCpl(c.segSel[1] & 3);
    throw e;
  }
  dLo = codeLo; dHi = codeHi; dAddr = codeAddr;
  enterCode(c, sel, ip, rpl);
  addStack(c, n);
  nullifySegments(c);
}

function addStack(c: Cpu, n: number): void {
  if (c.stack32) c.regs[4] = (c.regs[4] + n) | 0;
  else c.regs16[8] = c.regs16[8] + n;
}

/** IRET inside virtual-8086 mode: only with IOPL 3, which it cannot change (nor VM). */
function iretInV86(c: Cpu, osz: number): void {
  if (((c.flags & IOPL) >> IOPL_SHIFT) !== 3) fail(c, Vector.GP, 0);
  const ip = stackRead(c, osz, 0);
  const sel = stackRead(c, osz, osz) & 0xffff;
  const fl = stackRead(c, osz, 2 * osz);
  const mask = osz === 4 ? FLAGS_WRITABLE & ~(IOPL | VM) : 0xffff & ~IOPL;
  enterV86Code(c, sel, ip);
  addStack(c, 3 * osz);
  c.writeFlags(fl, mask);
}

/**
 * IRET from CPL 0 to a frame with EFLAGS.VM set: EIP CS EFLAGS ESP SS ES DS FS GS are popped
 * (32 bits each), every segment is loaded as in real mode and CPL becomes 3 (SDM: IRET,
 * RETURN-TO-VIRTUAL-8086-MODE). The CS image is not checked.
 */
function iretToV86(c: Cpu, ip: number, sel: number, fl: number): void {
  const sels: number[] = [];
  for (let i = 3; i < 9; i++) sels.push(stackRead(c, 4, i * 4));
  const [esp, ss, es, ds, fs, gs] = sels;
  c.writeFlags(fl, FLAGS_WRITABLE);
  c.setRealModeSegment(1, sel);
  c.setRealModeSegment(2, ss);
  c.setRealModeSegment(0, es);
  c.setRealModeSegment(3, ds);
  c.setRealModeSegment(4, fs);
  c.setRealModeSegment(5, gs);
  c.regs[4] = esp;
  c.ip = ip & 0xffff;
}

export function iret(c: Cpu, osz: number): void {
  if (c.v86) {
    iretInV86(c, osz);
    return;
  }
  if ((c.flags & NT) !== 0) fail(c, Vector.TS, c.tr.selector & 0xfffc); // task return: not modelled
  const ip = stackRead(c, osz, 0);
  const sel = stackRead(c, osz, osz) & 0xffff;
  const fl = stackRead(c, osz, 2 * osz);
  if (osz === 4 && (fl & VM) !== 0 && c.cpl === 0) {
    iretToV86(c, ip, sel, fl);
    return;
  }
  checkReturnCode(c, sel);
  const rpl = sel & 3;
  const oldCpl = c.cpl;
  let mask = ARITH | TF | DF | NT | OF | RF;
  if (osz === 4) mask |= AC | ID;
  const iopl = (c.flags & IOPL) >> IOPL_SHIFT;
  if (oldCpl === 0) mask |= IOPL | IF;
  else if (oldCpl <= iopl) mask |= IF;
  if (osz === 2) mask &= 0xffff;
  if (rpl === oldCpl) {
    enterCode(c, sel, ip, rpl);
    addStack(c, 3 * osz);
    c.writeFlags(fl & ~VM, mask);
    return;
  }
  const esp = stackRead(c, osz, 3 * osz);
  const ss = stackRead(c, osz, 4 * osz) & 0xffff;
  const codeLo = dLo, codeHi = dHi, codeAddr = dAddr;
  if ((ip >>> 0) > (descLimit() >>> 0)) fail(c, Vector.GP, 0);
  c.setCpl(rpl);
  try {
    loadOuterStack(c, ss, esp, rpl, Vector.NP); // qemu and Bochs agree: #NP for iret
  } catch (e) {
    c.setCpl(c.segSel[1] & 3);
    throw e;
  }
  dLo = codeLo; dHi = codeHi; dAddr = codeAddr;
  enterCode(c, sel, ip, rpl);
  c.writeFlags(fl & ~VM, mask);
  nullifySegments(c);
}

/**
 * The stack half of a delivery from virtual-8086 mode: switch to the TSS ring-0 stack, leave
 * V86 mode, push GS FS DS ES SS ESP and load null into the four data registers. On a fault the
 * V86 state is put back, so the fault is taken (or becomes #DF) from where the event arose.
 */
function enterRing0FromV86(c: Cpu, gsz: number, ext: number): void {
  const codeLo = dLo, codeHi = dHi, codeAddr = dAddr;
  const { ss, esp } = tssStack(c, 0, ext);
  checkInnerStack(c, ss, 0, ext);
  const saved = [0, 2, 3, 4, 5].map((s) => c.getSegment(s as 0));
  const oldEsp = c.regs[4];
  c.materialize();
  const oldFlags = c.flags;
  try {
    setAccessed(c);
    c.flags &= ~VM;
    loadCache(c, 2, ss);
    c.regs[4] = esp;
    c.setCpl(0);
    for (const s of [5, 4, 3, 0]) pushSz(c, gsz, c.segSel[s]);
    pushSz(c, gsz, saved[1].selector);
    pushSz(c, gsz, oldEsp);
  } catch (e) {
    c.flags = oldFlags;
    for (const [i, s] of [0, 2, 3, 4, 5].entries()) {
      const g = saved[i];
      c.setSegmentCache(s as 0, g.selector, g.base, g.limit, g.access);
    }
    c.regs[4] = oldEsp;
    c.setCpl(3);
    throw e;
  }
  for (const s of [0, 3, 4, 5]) c.setSegmentCache(s as 0, 0, 0, 0, 0);
  dLo = codeLo; dHi = codeHi; dAddr = codeAddr;
}

/** Bare mode: delivers vector through the IDT (SDM vol. 3 §6.12). `eip` is the return address. */
export function deliverInterrupt(c: Cpu, vector: number, code: number, software: boolean, eip: number, fault = false): void {
  const ext = software ? 0 : 1;
  const gateErr = vector * 8 + 2 + ext;
  if (vector * 8 + 7 > (c.idtrLimit >>> 0)) fail(c, Vector.GP, gateErr);
  const addr = (c.idtrBase + vector * 8) | 0;
  const lo = c.rdSys32(addr);
  const hi = c.rdSys32((addr + 4) | 0);
  const type = (hi >>> 8) & 0x1f;
  if (type !== 0x0e && type !== 0x0f && type !== 0x06 && type !== 0x07) fail(c, Vector.GP, gateErr);
  const gdpl = (hi >>> 13) & 3;
  if (software && gdpl < c.cpl) fail(c, Vector.GP, vector * 8 + 2);
  if ((hi & 0x8000) === 0) fail(c, Vector.NP, gateErr);
  const gsz = (type & 8) !== 0 ? 4 : 2;
  const tsel = (lo >>> 16) & 0xffff;
  const toff = gsz === 4 ? (lo & 0xffff) | (hi & 0xffff0000) : lo & 0xffff;
  if ((tsel & 0xfffc) === 0) fail(c, Vector.GP, ext);
  readDescriptor(c, tsel, Vector.GP, ext);
  if (!isSegment() || !isCode() || descDpl() > c.cpl) fail(c, Vector.GP, (tsel & 0xfffc) | ext);
  if (!isPresent()) fail(c, Vector.NP, (tsel & 0xfffc) | ext);
  const dpl = descDpl();
  const codeLo = dLo, codeHi = dHi, codeAddr = dAddr;
  // Faults push RF=1 so the handler's iret does not re-trigger an instruction breakpoint.
  const flags = fault ? c.getEflags() | RF : c.getEflags();
  const oldCs = c.segSel[1];
  if (c.v86) {
    // From virtual-8086 mode only a non-conforming DPL-0 handler will do (SDM: INT n,
    // INTERRUPT-FROM-VIRTUAL-8086-MODE).
    if (isConforming() || dpl !== 0) fail(c, Vector.GP, (tsel & 0xfffc) | ext);
    enterRing0FromV86(c, gsz, ext);
  } else if (!isConforming() && dpl < c.cpl) {
    const { ss, esp } = tssStack(c, dpl, ext);
    checkInnerStack(c, ss, dpl, ext);
    const oldSs = c.segSel[2];
    const oldEsp = c.regs[4];
    setAccessed(c);
    loadCache(c, 2, ss);
    c.regs[4] = esp;
    c.setCpl(dpl);
    pushSz(c, gsz, oldSs);
    pushSz(c, gsz, oldEsp);
  }
  pushSz(c, gsz, flags);
  pushSz(c, gsz, oldCs);
  pushSz(c, gsz, eip);
  if (code >= 0) pushSz(c, gsz, code);
  dLo = codeLo; dHi = codeHi; dAddr = codeAddr;
  enterCode(c, tsel, toff, isConforming() ? c.cpl : dpl);
  c.materialize();
  c.flags &= ~(TF | NT | RF | VM | ((type & 1) === 0 ? IF : 0));
  c.halted = false;
}

export function enter(c: Cpu, osz: number, size: number, level: number): void {
  level &= 31;
  const s32 = c.stack32;
  const regs = c.regs;
  let bp = s32 ? regs[5] : c.regs16[10];
  if (osz === 4) c.push32(regs[5]); else c.push16(c.regs16[10]);
  const frame = s32 ? regs[4] : c.regs16[8];
  if (level > 0) {
    for (let i = 1; i < level; i++) {
      bp = s32 ? (bp - osz) | 0 : (bp - osz) & 0xffff;
      const v = osz === 4 ? c.rd32(2, bp) : c.rd16(2, bp);
      if (osz === 4) c.push32(v); else c.push16(v);
    }
    if (osz === 4) c.push32(frame); else c.push16(frame);
  }
  const newSp = s32 ? (regs[4] - size) | 0 : (c.regs16[8] - size) & 0xffff;
  // The new stack top is checked (limit, paging, alignment) after the pushes, as AMD does.
  c.probeWrite(c.linW(2, newSp, osz), osz);
  if (osz === 4) regs[5] = frame; else c.regs16[10] = frame;
  if (s32) regs[4] = newSp; else c.regs16[8] = newSp;
}

/** LDS/LES/LSS/LFS/LGS: m is the ModRM byte (memory form). */
export function loadFarPointer(c: Cpu, s: number, m: number, osz: number): void {
  const a = ea(c, m);
  const off = rdMem(c, c.eaSeg, a, osz);
  const sel = c.rd16(c.eaSeg, (a + osz) & (c.adsize32 ? -1 : 0xffff));
  loadSegmentChecked(c, s, sel);
  setReg(c, (m >> 3) & 7, osz, off);
}

/** Raises #GP(0) unless CPL <= IOPL or the TSS I/O bitmap allows every byte port touched. */
export function ioPermitted(c: Cpu, port: number, size: number): void {
  // In virtual-8086 mode the bitmap is consulted whatever IOPL is (SDM vol. 3 §20.2.8.1).
  if (!c.v86 && c.cpl <= ((c.flags & IOPL) >> IOPL_SHIFT)) return;
  const tr = c.tr;
  if ((tr.selector & 0xfffc) === 0 || (tr.access & 0xf) !== 0xb && (tr.access & 0xf) !== 0x9 || (tr.limit >>> 0) < 0x67) fail(c, Vector.GP, 0);
  const mapBase = c.rdSys16((tr.base + 0x66) | 0);
  const byteOff = mapBase + (port >>> 3);
  if (byteOff + 1 > (tr.limit >>> 0)) fail(c, Vector.GP, 0);
  const bits = c.rdSys16((tr.base + byteOff) | 0);
  const need = ((1 << size) - 1) << (port & 7);
  if ((bits & need) !== 0) fail(c, Vector.GP, 0);
}

function setZF(c: Cpu, on: boolean): void {
  c.materialize();
  if (on) c.flags |= ZF; else c.flags &= ~ZF;
}

/** LAR (lar=true) / LSL: loads access rights or limit if visible at CPL/RPL. */
export function larLsl(c: Cpu, lar: boolean, sel: number, dst: number, osz: number): void {
  if ((sel & 0xfffc) === 0 || !fetchDescriptor(c, sel)) { setZF(c, false); return; }
  if (!isSegment()) {
    const t = (dHi >>> 8) & 0xf;
    const ok = lar ? [1, 2, 3, 4, 5, 9, 0xb, 0xc].includes(t) : [1, 2, 3, 9, 0xb].includes(t);
    if (!ok) { setZF(c, false); return; }
  }
  if (!(isSegment() && isCode() && isConforming())) {
    const dpl = descDpl();
    if (dpl < c.cpl || dpl < (sel & 3)) { setZF(c, false); return; }
  }
  const v = lar ? (osz === 4 ? dHi & 0x00ffff00 : dHi & 0xff00) : descLimit();
  setReg(c, dst, osz, osz === 4 ? v : v & 0xffff);
  setZF(c, true);
}

export function verify(c: Cpu, write: boolean, sel: number): void {
  if ((sel & 0xfffc) === 0 || !fetchDescriptor(c, sel) || !isSegment()) { setZF(c, false); return; }
  if (write) {
    if (isCode() || !rwBit()) { setZF(c, false); return; }
  } else if (isCode() && !rwBit()) {
    setZF(c, false);
    return;
  }
  if (!(isCode() && isConforming())) {
    const dpl = descDpl();
    if (dpl < c.cpl || dpl < (sel & 3)) { setZF(c, false); return; }
  }
  setZF(c, true);
}

export function lldt(c: Cpu, sel: number): void {
  if ((sel & 0xfffc) === 0) {
    c.ldtr.selector = sel; c.ldtr.base = 0; c.ldtr.limit = 0; c.ldtr.access = 0;
    return;
  }
  if ((sel & 4) !== 0) fail(c, Vector.GP, sel & 0xfffc);
  readDescriptor(c, sel, Vector.GP);
  if (isSegment() || ((dHi >>> 8) & 0xf) !== 2) fail(c, Vector.GP, sel & 0xfffc);
  if (!isPresent()) fail(c, Vector.NP, sel & 0xfffc);
  c.ldtr.selector = sel; c.ldtr.base = descBase() >>> 0; c.ldtr.limit = descLimit() >>> 0; c.ldtr.access = descAttr();
}

export function ltr(c: Cpu, sel: number): void {
  if ((sel & 0xfffc) === 0) fail(c, Vector.GP, 0);
  if ((sel & 4) !== 0) fail(c, Vector.GP, sel & 0xfffc);
  readDescriptor(c, sel, Vector.GP);
  const t = (dHi >>> 8) & 0xf;
  if (isSegment() || (t !== 1 && t !== 9)) fail(c, Vector.GP, sel & 0xfffc);
  if (!isPresent()) fail(c, Vector.NP, sel & 0xfffc);
  dHi |= 0x200; // busy
  c.wrSys32((dAddr + 4) | 0, dHi);
  c.tr.selector = sel; c.tr.base = descBase() >>> 0; c.tr.limit = descLimit() >>> 0; c.tr.access = descAttr();
}

export { getReg };
