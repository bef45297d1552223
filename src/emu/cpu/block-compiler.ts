// A basic-block compiler: turns a run of common 32-bit instructions starting at one machine
// address into a JavaScript function (new Function), so hot code skips decode and dispatch.
// Blocks never cross a 4 KiB frame, stop before any instruction the compiler does not know
// (the interpreter runs it), and end at every control transfer. The same lazy-flag fields and
// memory helpers as the interpreter are used, so a block is exactly a sequence of steps.
import type { Cpu } from "./cpu.js";
import { alu, alu32, cond, dec, imul, inc, shift } from "./alu.js";
import { CC_ADD, CC_DEC, CC_INC, CC_RES, CC_SUB } from "./flags.js";
import { Vector } from "./constants.js";

/** A compiled block: runs from c.ip, leaves c.ip at the next instruction, charges c.left. */
export type BlockFn = ((c: Cpu, r: Int32Array, h: Helpers) => void) & { n: number };

export interface Helpers {
  alu: typeof alu;
  alu32: typeof alu32;
  cond: typeof cond;
  inc: typeof inc;
  dec: typeof dec;
  shift: typeof shift;
  imul: typeof imul;
}

export const HELPERS: Helpers = { alu, alu32, cond, inc, dec, shift, imul };

/** Most instructions one block may hold (keeps functions small for the optimiser). */
const MAX_INSNS = 32;

const R8 = ["(r[0] & 0xff)", "(r[1] & 0xff)", "(r[2] & 0xff)", "(r[3] & 0xff)",
  "((r[0] >> 8) & 0xff)", "((r[1] >> 8) & 0xff)", "((r[2] >> 8) & 0xff)", "((r[3] >> 8) & 0xff)"];

function setR8(n: number, v: string): string {
  return n < 4
    ? `r[${n}] = (r[${n}] & -256) | ((${v}) & 0xff);`
    : `r[${n & 3}] = (r[${n & 3}] & -65281) | (((${v}) & 0xff) << 8);`;
}

/** What the last flag-setting instruction in the block was, for inlined conditions. */
const enum Known { NONE, SUB, LOGIC, INCDEC }

interface Decoded {
  len: number;
  code: string;
  /** ends the block (control transfer) */
  ends: boolean;
  /** continue compiling at this offset from the block start (a jmp/call followed into the same frame) */
  cont?: number;
}

class Emitter {
  private p: number;
  private readonly u8: Uint8Array;
  private known = Known.NONE;
  /** Return offsets of calls followed inside this block, innermost last. */
  readonly calls: number[] = [];
  constructor(u8: Uint8Array, readonly start: number, private readonly lo: number, private readonly limit: number) {
    this.u8 = u8;
    this.p = start;
  }
  /** Whether offset `rel` from the block start is inside the fetchable window of this frame. */
  inWindow(rel: number): boolean {
    const a = this.start + rel;
    return a >= this.lo && a < this.limit;
  }
  get pos(): number { return this.p; }
  set pos(v: number) { this.p = v; }
  avail(n: number): boolean { return this.p + n <= this.limit; }
  b(): number { return this.u8[this.p++]; }
  sb(): number { return (this.u8[this.p++] << 24) >> 24; }
  d(): number {
    const v = this.u8[this.p] | (this.u8[this.p + 1] << 8) | (this.u8[this.p + 2] << 16) | (this.u8[this.p + 3] << 24);
    this.p += 4;
    return v;
  }
  setKnown(k: Known): void { this.known = k; }
  getKnown(): Known { return this.known; }
}

/** Decodes a 32-bit ModRM memory operand into [expression, segment]; null when bytes run out. */
function memOperand(e: Emitter, m: number): [string, number] | null {
  const mod = m >> 6;
  const rm = m & 7;
  let expr: string;
  let seg = 3;
  if (rm === 4) {
    if (!e.avail(1)) return null;
    const sib = e.b();
    const base = sib & 7;
    const idx = (sib >> 3) & 7;
    const parts: string[] = [];
    if (base === 5 && mod === 0) {
      if (!e.avail(4)) return null;
      parts.push(String(e.d()));
    } else {
      parts.push(`r[${base}]`);
      if (base === 4 || base === 5) seg = 2;
    }
    if (idx !== 4) parts.push((sib >> 6) === 0 ? `r[${idx}]` : `(r[${idx}] << ${sib >> 6})`);
    expr = parts.join(" + ");
  } else if (rm === 5 && mod === 0) {
    if (!e.avail(4)) return null;
    expr = String(e.d());
  } else {
    expr = `r[${rm}]`;
    if (rm === 5) seg = 2;
  }
  if (mod === 1) {
    if (!e.avail(1)) return null;
    expr += ` + ${e.sb()}`;
  } else if (mod === 2) {
    if (!e.avail(4)) return null;
    expr += ` + ${e.d()}`;
  }
  return [`((${expr}) | 0)`, seg];
}

/** Lazy flags of a 32-bit arithmetic op `ccOp` (CC_ADD, CC_SUB, CC_INC, CC_DEC) on a, b giving res. */
const SET_ARITH = (ccOp: number, a: string, b: string, res: string): string =>
  `c.ccOp = ${ccOp}; c.ccA = ${a}; c.ccB = ${b}; c.ccR = ${res}; c.ccSign = -2147483648; c.ccShift = 0;`;
const SET_SUB = (a: string, b: string, res: string): string => SET_ARITH(CC_SUB, a, b, res);
const SET_ADD = (a: string, b: string, res: string): string => SET_ARITH(CC_ADD, a, b, res);
const SET_LOGIC = (res: string): string =>
  `c.ccOp = ${CC_RES}; c.ccR = ${res}; c.ccCF = 0; c.ccOF = 0; c.ccAF = 0; c.ccSign = -2147483648; c.ccShift = 0;`;

/** 32-bit ALU op (reg-field order) on JS expressions x, y; returns code leaving the result in `v`. */
function aluCode(e: Emitter, op: number, x: string, y: string): string {
  switch (op) {
    case 0:
      e.setKnown(Known.NONE);
      return `{ const x = ${x}, y = ${y}; v = (x + y) | 0; ${SET_ADD("x", "y", "v")} }`;
    case 5: case 7:
      e.setKnown(Known.SUB);
      return `{ const x = ${x}, y = ${y}; v = (x - y) | 0; ${SET_SUB("x", "y", "v")} }`;
    case 1: e.setKnown(Known.LOGIC); return `v = ${x} | ${y}; ${SET_LOGIC("v")}`;
    case 4: e.setKnown(Known.LOGIC); return `v = ${x} & ${y}; ${SET_LOGIC("v")}`;
    case 6: e.setKnown(Known.LOGIC); return `v = ${x} ^ ${y}; ${SET_LOGIC("v")}`;
    default:
      e.setKnown(Known.NONE);
      return `v = h.alu32(c, ${op}, ${x}, ${y});`;
  }
}

/** A condition as a JS boolean expression, inlined when the flag producer is known. */
function condCode(e: Emitter, cc: number): string {
  const k = e.getKnown();
  const neg = (cc & 1) !== 0;
  let s: string | null = null;
  if (k === Known.SUB) {
    switch (cc >> 1) {
      case 1: s = "(c.ccA >>> 0) < (c.ccB >>> 0)"; break;
      case 2: s = "c.ccR === 0"; break;
      case 3: s = "(c.ccA >>> 0) <= (c.ccB >>> 0)"; break;
      case 4: s = "c.ccR < 0"; break;
      case 6: s = "c.ccA < c.ccB"; break;
      case 7: s = "c.ccA <= c.ccB"; break;
    }
  } else if (k === Known.LOGIC) {
    switch (cc >> 1) {
      case 0: s = "false"; break;
      case 1: s = "false"; break;
      case 2: s = "c.ccR === 0"; break;
      case 3: s = "c.ccR === 0"; break;
      case 4: s = "c.ccR < 0"; break;
      case 6: s = "c.ccR < 0"; break;
      case 7: s = "c.ccR <= 0"; break;
    }
  } else if (k === Known.INCDEC) {
    switch (cc >> 1) {
      case 2: s = "c.ccR === 0"; break;
      case 4: s = "(c.ccR & c.ccSign) !== 0"; break;
    }
  }
  if (s === null) return `h.cond(c, ${cc})`;
  return neg ? `!(${s})` : `(${s})`;
}

/**
 * Decodes one instruction at e.pos into JS, or returns null if the compiler does not handle it
 * (the block then ends before it). `off` is the instruction's offset from the block start.
 */
function compileOne(e: Emitter, off: number): Decoded | null {
  const start = e.pos;
  if (!e.avail(1)) return null;
  const op = e.b();
  const next = (extra: number): string => `((s + ${off + extra}) | 0)`;
  const jump = (target: string): string =>
    `{ const t = (${target}) | 0; if ((t >>> 0) > (c.csLimit >>> 0)) c.raise(${Vector.GP}, 0); c.ip = t; }`;
  const done = (code: string, ends = false): Decoded => ({ len: e.pos - start, code, ends });
  switch (op) {
    case 0x89: case 0x8b: {
      if (!e.avail(1)) return null;
      const m = e.b();
      const reg = (m >> 3) & 7;
      if (m >= 0xc0) return done(op === 0x89 ? `r[${m & 7}] = r[${reg}];` : `r[${reg}] = r[${m & 7}];`);
      const mo = memOperand(e, m);
      if (mo === null) return null;
      return done(op === 0x89 ? `@F c.wr32(${mo[1]}, ${mo[0]}, r[${reg}]);` : `@F r[${reg}] = c.rd32(${mo[1]}, ${mo[0]});`);
    }
    case 0x88: case 0x8a: {
      if (!e.avail(1)) return null;
      const m = e.b();
      const reg = (m >> 3) & 7;
      if (m >= 0xc0) return done(op === 0x88 ? setR8(m & 7, R8[reg]) : setR8(reg, R8[m & 7]));
      const mo = memOperand(e, m);
      if (mo === null) return null;
      return done(op === 0x88 ? `@F c.wr8(${mo[1]}, ${mo[0]}, ${R8[reg]});` : `@F { const t = c.rd8(${mo[1]}, ${mo[0]}); ${setR8(reg, "t")} }`);
    }
    case 0x01: case 0x09: case 0x21: case 0x29: case 0x31: case 0x39:
    case 0x03: case 0x0b: case 0x23: case 0x2b: case 0x33: case 0x3b: case 0x85: {
      if (!e.avail(1)) return null;
      const m = e.b();
      const reg = (m >> 3) & 7;
      const aop = op === 0x85 ? 4 : op >> 3;
      const store = op !== 0x85 && aop !== 7;
      if (m >= 0xc0) {
        const rm = m & 7;
        if ((op & 2) === 0) return done(`{ let v; ${aluCode(e, aop, `r[${rm}]`, `r[${reg}]`)} ${store ? `r[${rm}] = v;` : ""} }`);
        return done(`{ let v; ${aluCode(e, aop, `r[${reg}]`, `r[${rm}]`)} ${store ? `r[${reg}] = v;` : ""} }`);
      }
      const mo = memOperand(e, m);
      if (mo === null) return null;
      if ((op & 2) !== 0) return done(`@F { let v; const mv = c.rd32(${mo[1]}, ${mo[0]}); ${aluCode(e, aop, `r[${reg}]`, "mv")} ${store ? `r[${reg}] = v;` : ""} }`);
      if (!store) return done(`@F { let v; const mv = c.rd32(${mo[1]}, ${mo[0]}); ${aluCode(e, aop, "mv", `r[${reg}]`)} }`);
      return done(`@F @W { let v; const la = c.linW(${mo[1]}, ${mo[0]}, 4); c.probeWrite(la, 4); const mv = c.rdLin32(la); ${aluCode(e, aop, "mv", `r[${reg}]`)} c.wrLin32(la, v); }`);
    }
    case 0x05: case 0x0d: case 0x25: case 0x2d: case 0x35: case 0x3d: case 0xa9: {
      if (!e.avail(4)) return null;
      const imm = e.d();
      const aop = op === 0xa9 ? 4 : op >> 3;
      const store = op !== 0xa9 && aop !== 7;
      return done(`{ let v; ${aluCode(e, aop, "r[0]", String(imm))} ${store ? "r[0] = v;" : ""} }`);
    }
    case 0x81: case 0x83: {
      if (!e.avail(1)) return null;
      const m = e.b();
      const aop = (m >> 3) & 7;
      if (aop === 2 || aop === 3) return null;
      if (m >= 0xc0) {
        if (!e.avail(op === 0x81 ? 4 : 1)) return null;
        const imm = op === 0x81 ? e.d() : e.sb();
        return done(`{ let v; ${aluCode(e, aop, `r[${m & 7}]`, String(imm))} ${aop !== 7 ? `r[${m & 7}] = v;` : ""} }`);
      }
      const mo = memOperand(e, m);
      if (mo === null || !e.avail(op === 0x81 ? 4 : 1)) return null;
      const imm = op === 0x81 ? e.d() : e.sb();
      if (aop === 7) return done(`@F { let v; const mv = c.rd32(${mo[1]}, ${mo[0]}); ${aluCode(e, 7, "mv", String(imm))} }`);
      return done(`@F @W { let v; const la = c.linW(${mo[1]}, ${mo[0]}, 4); c.probeWrite(la, 4); const mv = c.rdLin32(la); ${aluCode(e, aop, "mv", String(imm))} c.wrLin32(la, v); }`);
    }
    case 0x38: case 0x3a: case 0x84: {
      // cmp/test on bytes, register forms only
      if (!e.avail(1)) return null;
      const m = e.b();
      if (m < 0xc0) return null;
      const reg = (m >> 3) & 7;
      const rm = m & 7;
      const [x, y] = op === 0x3a ? [R8[reg], R8[rm]] : [R8[rm], R8[reg]];
      e.setKnown(Known.NONE);
      return done(`h.alu(c, ${op === 0x84 ? 4 : 7}, 1, ${x}, ${y});`);
    }
    case 0x3c: case 0xa8: {
      if (!e.avail(1)) return null;
      const imm = e.b();
      e.setKnown(Known.NONE);
      return done(`h.alu(c, ${op === 0xa8 ? 4 : 7}, 1, r[0] & 0xff, ${imm});`);
    }
    case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
    case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f: {
      // inc/dec keep CF: take it from the statically known producer when there is one.
      const k = e.getKnown();
      const cf = k === Known.SUB ? "((c.ccA >>> 0) < (c.ccB >>> 0) ? 1 : 0)"
        : k === Known.LOGIC ? "0" : k === Known.INCDEC ? "c.ccCF" : "c.getCF()";
      const n = op & 7;
      const isInc = op < 0x48;
      e.setKnown(Known.INCDEC);
      return done(`{ const cf = ${cf}; const x = r[${n}]; const v = (x ${isInc ? "+" : "-"} 1) | 0; ` +
        `${SET_ARITH(isInc ? CC_INC : CC_DEC, "x", "1", "v")} c.ccCF = cf; r[${n}] = v; }`);
    }
    case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
      return done(`@F c.push32(r[${op & 7}]);`);
    case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
      return done(`@F { const t = c.pop32(); r[${op & 7}] = t; }`);
    case 0x68: {
      if (!e.avail(4)) return null;
      return done(`@F c.push32(${e.d()});`);
    }
    case 0x6a: {
      if (!e.avail(1)) return null;
      return done(`@F c.push32(${e.sb()});`);
    }
    case 0x8d: {
      if (!e.avail(1)) return null;
      const m = e.b();
      if (m >= 0xc0) return null;
      const mo = memOperand(e, m);
      if (mo === null) return null;
      return done(`r[${(m >> 3) & 7}] = ${mo[0]};`);
    }
    case 0x90:
      return done("");
    case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
      if (!e.avail(4)) return null;
      return done(`r[${op & 7}] = ${e.d()};`);
    case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7:
      if (!e.avail(1)) return null;
      return done(setR8(op & 7, String(e.b())));
    case 0xc7: {
      if (!e.avail(1)) return null;
      const m = e.b();
      if (((m >> 3) & 7) !== 0) return null;
      if (m >= 0xc0) {
        if (!e.avail(4)) return null;
        return done(`r[${m & 7}] = ${e.d()};`);
      }
      const mo = memOperand(e, m);
      if (mo === null || !e.avail(4)) return null;
      return done(`@F c.wr32(${mo[1]}, ${mo[0]}, ${e.d()});`);
    }
    case 0xc1: case 0xd1: {
      if (!e.avail(1)) return null;
      const m = e.b();
      const sop = (m >> 3) & 7;
      if (m < 0xc0 || sop < 4) return null;
      if (op === 0xc1 && !e.avail(1)) return null;
      const cnt = op === 0xc1 ? e.b() : 1;
      e.setKnown(Known.NONE);
      return done(`r[${m & 7}] = h.shift(c, ${sop}, 4, r[${m & 7}], ${cnt});`);
    }
    case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
    case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: {
      if (!e.avail(1)) return null;
      const d = e.sb();
      const len = e.pos - start;
      // Taken: leave the block (or loop to its start); not taken: the block goes on.
      const taken = off + len + d === 0 ? "@SELF" : `{ ${jump(`${next(len)} + ${d}`)} return; }`;
      return done(`@F if (${condCode(e, op & 15)}) ${taken}`);
    }
    case 0xeb: case 0xe9: {
      if (!e.avail(op === 0xeb ? 1 : 4)) return null;
      const d = op === 0xeb ? e.sb() : e.d();
      const len = e.pos - start;
      const target = off + len + d;
      if (target === 0) return done("@F @SELF", true);
      // A target in the same frame and window is within the CS limit: just keep compiling there.
      if (e.inWindow(target)) return { len, code: "", ends: false, cont: target };
      return done(`@F ${jump(`${next(len)} + ${d}`)}`, true);
    }
    case 0xe8: {
      if (!e.avail(4)) return null;
      const d = e.d();
      const len = e.pos - start;
      const target = off + len + d;
      if (target !== 0 && e.inWindow(target)) {
        e.calls.push(off + len);
        return { len, code: `@F c.push32(${next(len)});`, ends: false, cont: target };
      }
      return done(`@F { const t = (${next(len)} + ${d}) | 0; if ((t >>> 0) > (c.csLimit >>> 0)) c.raise(${Vector.GP}, 0); c.push32(${next(len)}); c.ip = t; }`, true);
    }
    case 0xc3:
      if (e.calls.length > 0) {
        // Returning from a call this block followed: go on at the return site when the
        // popped address is the one pushed, else leave the block there.
        const back = e.calls.pop() as number;
        return {
          len: 1, ends: false, cont: back,
          code: `@F { const t = c.pop32(); if (t !== ${next(back - off)}) { if ((t >>> 0) > (c.csLimit >>> 0)) c.raise(${Vector.GP}, 0); c.ip = t; return; } }`,
        };
      }
      return done(`@F { const t = c.pop32(); if ((t >>> 0) > (c.csLimit >>> 0)) c.raise(${Vector.GP}, 0); c.ip = t; }`, true);
    case 0x69: case 0x6b: {
      if (!e.avail(1)) return null;
      const m = e.b();
      const reg = (m >> 3) & 7;
      let src: string;
      let fault = "";
      if (m >= 0xc0) src = `r[${m & 7}]`;
      else {
        const mo = memOperand(e, m);
        if (mo === null) return null;
        src = `c.rd32(${mo[1]}, ${mo[0]})`;
        fault = "@F ";
      }
      if (!e.avail(op === 0x69 ? 4 : 1)) return null;
      const imm = op === 0x69 ? e.d() : e.sb();
      e.setKnown(Known.NONE);
      return done(`${fault}r[${reg}] = h.imul(c, 4, ${src}, ${imm});`);
    }
    case 0xfe: {
      if (!e.avail(1)) return null;
      const m = e.b();
      const sop = (m >> 3) & 7;
      if (m < 0xc0 || sop > 1) return null;
      e.setKnown(Known.NONE);
      return done(setR8(m & 7, `h.${sop === 0 ? "inc" : "dec"}(c, 1, ${R8[m & 7]})`));
    }
    case 0x80: {
      if (!e.avail(1)) return null;
      const m = e.b();
      if (((m >> 3) & 7) !== 7) return null;
      let src: string;
      let fault = "";
      if (m >= 0xc0) src = R8[m & 7];
      else {
        const mo = memOperand(e, m);
        if (mo === null) return null;
        src = `c.rd8(${mo[1]}, ${mo[0]})`;
        fault = "@F ";
      }
      if (!e.avail(1)) return null;
      const imm = e.b();
      e.setKnown(Known.NONE);
      return done(`${fault}h.alu(c, 7, 1, ${src}, ${imm});`);
    }
    case 0x0f: {
      if (!e.avail(1)) return null;
      const op2 = e.b();
      if (op2 === 0xaf) {
        if (!e.avail(1)) return null;
        const m = e.b();
        const reg = (m >> 3) & 7;
        let src: string;
        let fault = "";
        if (m >= 0xc0) src = `r[${m & 7}]`;
        else {
          const mo = memOperand(e, m);
          if (mo === null) return null;
          src = `c.rd32(${mo[1]}, ${mo[0]})`;
          fault = "@F ";
        }
        e.setKnown(Known.NONE);
        return done(`${fault}r[${reg}] = h.imul(c, 4, r[${reg}], ${src});`);
      }
      if (op2 >= 0x90 && op2 <= 0x9f) {
        if (!e.avail(1)) return null;
        const m = e.b();
        if (m < 0xc0) return null;
        return done(setR8(m & 7, `(${condCode(e, op2 & 15)} ? 1 : 0)`));
      }
      if (op2 >= 0x40 && op2 <= 0x4f) {
        if (!e.avail(1)) return null;
        const m = e.b();
        if (m < 0xc0) return null;
        return done(`if (${condCode(e, op2 & 15)}) r[${(m >> 3) & 7}] = r[${m & 7}];`);
      }
      if (op2 >= 0x80 && op2 <= 0x8f) {
        if (!e.avail(4)) return null;
        const d = e.d();
        const len = e.pos - start;
        const taken = off + len + d === 0 ? "@SELF" : `{ ${jump(`${next(len)} + ${d}`)} return; }`;
        return done(`@F if (${condCode(e, op2 & 15)}) ${taken}`);
      }
      if (op2 === 0xb6 || op2 === 0xb7 || op2 === 0xbe || op2 === 0xbf) {
        if (!e.avail(1)) return null;
        const m = e.b();
        const reg = (m >> 3) & 7;
        const byte = (op2 & 1) === 0;
        const sx = op2 >= 0xbe;
        let src: string;
        let fault = "";
        if (m >= 0xc0) {
          src = byte ? R8[m & 7] : `(r[${m & 7}] & 0xffff)`;
        } else {
          const mo = memOperand(e, m);
          if (mo === null) return null;
          src = byte ? `c.rd8(${mo[1]}, ${mo[0]})` : `c.rd16(${mo[1]}, ${mo[0]})`;
          fault = "@F ";
        }
        const conv = sx ? (byte ? `((${src} << 24) >> 24)` : `((${src} << 16) >> 16)`) : src;
        return done(`${fault}r[${reg}] = ${conv};`);
      }
      return null;
    }
    default:
      return null;
  }
}

/**
 * Compiles the block at machine address `phys` (code32, no prefixes handled), reading at most
 * `maxBytes` (the fetchable rest of the frame). Returns null when the first instruction is not
 * compilable.
 */
export function compileBlock(u8: Uint8Array, phys: number, before: number, maxBytes: number): { fn: BlockFn; count: number } | null {
  const e = new Emitter(u8, phys, phys - before, phys + maxBytes);
  const parts: string[] = [];
  let off = 0;
  let count = 0;
  let charged = 0;
  let ended = false;
  while (count < MAX_INSNS) {
    const at = e.pos;
    off = at - phys;
    const d = compileOne(e, off);
    if (d === null) { e.pos = at; break; }
    count++;
    let code = d.code;
    const faults = code.includes("@F");
    if (faults) {
      // Before an instruction that may fault: eip, the budget and ESP as the run loop expects.
      parts.push(`c.eip = (s + ${off}) | 0; c.left -= ${count - charged}; c.startEsp = r[4];`);
      charged = count;
    }
    code = code.replace(/@F /g, "");
    const writes = code.includes("@W") || /c\.wr(8|16|32)\(/.test(code);
    code = code.replace(/@W /g, "");
    off += d.len;
    if (d.cont !== undefined) e.pos = phys + d.cont;
    if (d.ends) {
      if (charged < count) parts.push(`c.left -= ${count - charged};`);
      charged = count;
      parts.push(code);
      ended = true;
      break;
    }
    parts.push(code);
    if (writes) {
      // A store into a frame holding compiled code ends the block (it may have rewritten itself).
      parts.push(`if (c.smc !== 0) { c.left -= ${count - charged}; c.ip = (s + ${off}) | 0; return; }`);
    }
  }
  if (count === 0) return null;
  if (!ended) {
    if (charged < count) parts.push(`c.left -= ${count - charged};`);
    // Where decoding stopped (after a followed jmp/call this is not the last instruction's end).
    parts.push(`c.ip = (s + ${e.pos - phys}) | 0;`);
  }
  // A block whose last jump returns to its own start loops inside the function while the
  // budget lasts and nothing asked to stop.
  const self = `{ if (c.left >= ${count} && c.stop === 0 && c.smc === 0) continue; c.ip = s; return; }`;
  const body = `"use strict";\nconst s = c.ip;\nfor (;;) {\n${parts.join("\n").replace(/@SELF/g, self)}\nreturn;\n}`;
  const fn = new Function("c", "r", "h", body) as BlockFn;
  fn.n = count;
  return { fn, count };
}
