// The values that steer a generated instruction: string pointers and counts, divisors that
// mostly fit, shift counts, selectors from Linux's GDT, jump targets, return frames, popf images,
// bound pairs. Written into free registers or patched into scratch memory.
import { DATA_BASE, DATA_SIZE, EFLAGS, USER_CS, USER_DS } from "./layout.js";
import type { Form } from "./forms.js";
import { Rng } from "./rng.js";
import { CaseBuilder, EAX, EBP, EBX, ECX, EDI, EDX, ESI, FREE, reject } from "./gen-case-builder.js";
import { pickJumpTarget } from "./gen-addressing.js";
import type { DecodedInfo } from "./gen-decode.js";
import { staticShape } from "./gen-shape.js";

/** Selectors a case may load: Linux's flat user selectors with each RPL, null, and ones that fault. */
const GOOD_DATA_SELECTORS = [USER_DS, 0x28, 0x29, 0x2a, USER_CS, 0x20, 0x33];
const BAD_SELECTORS = [0, 1, 3, 0x08, 0x10, 0x18, 0x40, 0x48, 0x63, 0x6b, 0x04, 0x0c, 0x2f, 0x80, 0xfff8, 0x1234];

export function imm8For(form: Form, rng: Rng): number {
  const mn = form.mnemonic;
  if (mn === "Int") return rng.chance(0.3) ? rng.pick([3, 4, 1, 0, 0x82, 0x81, 0xff, 0x0d, 0x0e]) : rng.chance(0.5) ? rng.below(0x80) : rng.range(0x81, 0xff);
  if (mn === "Aam" || mn === "Aad") return rng.chance(0.5) ? 10 : rng.chance(0.1) ? 0 : rng.u32() & 0xff;
  if (/^(Rol|Ror|Rcl|Rcr|Shl|Sal|Shr|Sar|Shld|Shrd)$/.test(mn)) return rng.chance(0.8) ? rng.below(34) : rng.u32() & 0xff;
  if (mn === "Enter") return rng.chance(0.6) ? rng.below(3) : rng.below(8);
  return rng.u32() & 0xff;
}

export function imm16For(form: Form, rng: Rng): number {
  if (form.mnemonic === "Enter") return rng.chance(0.8) ? rng.below(64) : rng.below(0x200);
  if (form.mnemonic === "Ret") return rng.chance(0.7) ? rng.below(32) : rng.u32() & 0xffff;
  // AMD reads the would-be outer SS:ESP above the immediate before it checks the new CS:
  // keep that read inside mapped pages so only the architectural check decides.
  if (form.mnemonic === "Retf") return rng.below(0x400);
  return rng.value32() & 0xffff;
}

export interface Shape {
  a16: boolean;
  rmIsReg: boolean;
  rmReg: number;
  regField: number;
  opsize16: boolean;
  memTarget: number;
  start: number;
  length: number;
  opReg: number;
  /** The last imm8 operand, or -1. */
  imm8: number;
}

/** Gives values that steer the instruction: pointers, counts, targets, selectors, frames. */
export function prepareSemantics(b: CaseBuilder, rng: Rng, form: Form, d: DecodedInfo, s: Shape): void {
  const mn = form.mnemonic;
  const w = s.opsize16 ? 2 : 4;
  // Pointers for string and stack-frame operands: mostly well inside the data pages, sometimes
  // at their edges so a repeated string operation runs into an absent or read-only page.
  const ptr = (): number =>
    rng.chance(0.9)
      ? rng.range(DATA_BASE + 0x100, DATA_BASE + DATA_SIZE - 0x100)
      : rng.chance(0.5)
        ? rng.range(DATA_BASE, DATA_BASE + 0x20)
        : rng.range(DATA_BASE + DATA_SIZE - 0x20, DATA_BASE + DATA_SIZE - 1);
  const pointerReg = (r: number): void => {
    if (b.state[r] === FREE) b.assign(r, s.a16 ? ptr() | (rng.u32() & 0xffff0000) : ptr());
  };
  // Implicit pointer registers.
  if (form.ops.some((o) => o === "es_rDI")) pointerReg(EDI);
  if (form.ops.some((o) => o === "seg_rSI")) pointerReg(ESI);
  if (form.ops.includes("seg_rBX_al")) {
    if (b.state[EBX] === FREE) {
      const al = b.view(EAX, 8);
      b.assign(EBX, (ptr() - (s.a16 ? 0 : al)) >>> 0);
    }
  }
  if (d.isString && d.repCount) {
    if (b.state[ECX] === FREE) b.assign(ECX, rng.chance(0.1) ? 0 : rng.range(1, 9) | (s.a16 ? rng.u32() & 0xffff0000 : 0));
  }
  if (mn === "Loop" || mn === "Loope" || mn === "Loopne" || mn === "Jcxz" || mn === "Jecxz") {
    if (b.state[ECX] === FREE && rng.chance(0.4)) b.assign(ECX, rng.pick([0, 1, 2, 0x10000, 0x10001]));
  }
  if (mn === "Leave" || (mn === "Enter" && b.state[EBP] === FREE)) {
    if (b.state[EBP] === FREE) b.assign(EBP, rng.range(0x9100, 0x9f00) & (rng.chance(0.8) ? ~3 : ~0));
  }
  // Divisions: mostly make the quotient fit so most cases do not fault.
  if ((mn === "Div" || mn === "Idiv") && rng.chance(0.7)) {
    const signed = mn === "Idiv";
    if (form.name.endsWith("rm8")) {
      if (b.state[EAX] === FREE) b.assign(EAX, signed ? rng.range(-128, 127) & 0xffff : rng.below(256), 16);
    } else {
      const eaxv = b.state[EAX] === FREE ? rng.value32() : b.known(EAX);
      if (b.state[EAX] === FREE) b.assign(EAX, eaxv);
      const neg = s.opsize16 ? (eaxv & 0x8000) !== 0 : (eaxv & 0x80000000) !== 0;
      const ext = signed && neg ? 0xffffffff : 0;
      if (b.state[EDX] === FREE) b.assign(EDX, s.opsize16 ? ext & 0xffff : ext, s.opsize16 ? 16 : 32);
    }
  }
  // Accumulator equal to the destination for half of cmpxchg cases.
  if (mn === "Cmpxchg" && rng.chance(0.5) && s.memTarget >= 0 && b.state[EAX] === FREE) {
    const size = form.name.includes("rm8") ? 1 : w;
    const v = rng.value32();
    b.assign(EAX, v, size * 8);
    b.poke(s.memTarget, v, size);
  }
  if (mn === "Cmpxchg8b" && s.memTarget >= 0 && rng.chance(0.5) && b.state[EAX] === FREE && b.state[EDX] === FREE) {
    b.poke(s.memTarget, b.known(EAX), 4);
    b.poke(s.memTarget + 4, b.known(EDX), 4);
  }
  // Register bit offsets of bt/bts/btr/btc on memory: keep the addressed word nearby (either sign).
  if (staticShape(form).bitOffsetReg && !s.rmIsReg && b.state[s.regField] === FREE) {
    b.assign(s.regField, rng.range(-0x2000, 0x2000) & (s.opsize16 ? 0xffff : 0xffffffff), s.opsize16 ? 16 : 32);
  }
  // Shift and double-shift counts through CL: mostly in range.
  if (form.ops.includes("cl") && b.state[ECX] === FREE) {
    b.assign(ECX, rng.chance(0.85) ? rng.below(40) : rng.u32() & 0xff, 8);
  }
  if ((mn === "Shld" || mn === "Shrd") && s.opsize16 && !s.rmIsReg) {
    // A 16-bit double shift by more than 16 leaves its memory result undefined: avoid it.
    const count = form.ops.includes("cl") ? b.view(ECX, 8) : s.imm8;
    if ((count & 31) > 16) throw reject;
  }
  // Segment loads: selectors from Linux's GDT, good ones mostly.
  const selector = (): number => (rng.chance(0.85) ? rng.pick(GOOD_DATA_SELECTORS) : rng.pick(BAD_SELECTORS));
  if (mn === "Mov" && form.ops[0] === "seg_reg") {
    const sel = s.regField === 2 ? (rng.chance(0.8) ? USER_DS : selector()) : selector();
    if (s.rmIsReg) b.assign(s.rmReg, sel, 16);
    else b.poke(s.memTarget, sel, 2);
  }
  if (mn === "Pop" && /_(ES|SS|DS|FS|GS)$/.test(form.name)) {
    const sel = form.name.endsWith("SS") ? (rng.chance(0.8) ? USER_DS : selector()) : selector();
    b.poke(b.espNow, sel, s.opsize16 ? 2 : 4);
  }
  if (/^(Lds|Les|Lfs|Lgs|Lss)$/.test(mn) && s.memTarget >= 0) {
    const sel = mn === "Lss" ? (rng.chance(0.8) ? USER_DS : selector()) : selector();
    b.poke(s.memTarget + w, sel, 2);
  }
  if (/^(Lar|Lsl|Verr|Verw|Arpl)$/.test(mn)) {
    let sel = rng.chance(0.7) ? rng.pick([...GOOD_DATA_SELECTORS, ...BAD_SELECTORS]) : rng.u32() & 0xffff;
    // 0x78-0x7f is Linux's per-CPU segment: its limit holds the CPU number, so it differs per run.
    if ((sel & 0xfff8) === 0x78) sel ^= 0x100;
    if (mn !== "Arpl") {
      if (s.rmIsReg) b.assign(s.rmReg, sel, 16);
      else b.poke(s.memTarget, sel, 2);
    }
  }
  // Control data: targets, far pointers, return frames.
  const target = (): number => pickJumpTarget(rng, b, s.opsize16);
  if ((mn === "Jmp" || mn === "Call") && form.ops[0] !== undefined && /_or_mem$/.test(form.ops[0])) {
    const t = target();
    if (s.rmIsReg) b.assign(s.rmReg, t, s.opsize16 ? 16 : 32);
    else b.poke(s.memTarget, t, w);
  }
  if ((mn === "Jmp" || mn === "Call") && form.ops[0] === "mem") {
    b.poke(s.memTarget, target(), w);
    b.poke(s.memTarget + w, rng.chance(0.9) ? USER_CS : rng.pick([USER_DS, 0x20, 0, 0x18]), 2);
  }
  if (mn === "Ret" || mn === "Retf" || mn === "Iret" || mn === "Iretd") {
    if (b.espNow < 0) throw reject;
    b.poke(b.espNow, target(), w);
    if (mn !== "Ret") b.poke(b.espNow + w, rng.chance(0.9) ? USER_CS : rng.pick([USER_DS, 0x20, 0, 0x18, 0x1b]), w === 2 ? 2 : 4);
    if (mn === "Iret" || mn === "Iretd") {
      const arith = EFLAGS.CF | EFLAGS.PF | EFLAGS.AF | EFLAGS.ZF | EFLAGS.SF | EFLAGS.OF | EFLAGS.DF;
      const fl = (rng.u32() & arith) | 2 | (rng.chance(0.3) ? EFLAGS.ID : 0) | (rng.chance(0.2) ? EFLAGS.IOPL | EFLAGS.IF : 0);
      b.poke(b.espNow + 2 * w, fl, w);
    }
  }
  if (mn === "Popf" || mn === "Popfd") {
    const arith = EFLAGS.CF | EFLAGS.PF | EFLAGS.AF | EFLAGS.ZF | EFLAGS.SF | EFLAGS.OF | EFLAGS.DF;
    const fl =
      (rng.u32() & arith) |
      2 |
      (rng.chance(0.3) ? EFLAGS.ID : 0) |
      (rng.chance(0.2) ? EFLAGS.IOPL | EFLAGS.IF | EFLAGS.RF | EFLAGS.VM : 0) |
      (rng.chance(0.08) ? EFLAGS.TF : 0) | // single-step: #DB after the next instruction
      (rng.chance(0.03) ? EFLAGS.AC : 0);
    b.poke(b.espNow, fl, w);
  }
  if (mn === "Bound" && s.memTarget >= 0) {
    const v = b.view(s.regField, s.opsize16 ? 16 : 32);
    const inside = rng.chance(0.6);
    const lo = inside ? v - rng.below(100) : v + 1 + rng.below(100);
    const hi = inside ? v + rng.below(100) : lo + rng.below(100);
    b.poke(s.memTarget, lo, w);
    b.poke(s.memTarget + w, hi, w);
  }
  if (mn === "Sahf" || mn === "Lahf") return;
}
