// Random differential cases: short instruction sequences drawn from the form table (forms.ts)
// with random registers, flags, prefixes and memory operands that point into the scratch pages
// (or, on purpose, at unmapped and read-only pages). Every memory access and control transfer
// is checked against iced-x86's view of the decoded instruction, so a case can only touch the
// fixed layout (layout.ts) and behaves the same natively and emulated.
import iced from "iced-x86";
import { CODE_BASE, CODE_SIZE, DATA_BASE, DATA_SIZE, EFLAGS, RO_BASE, USER_CS, USER_DS } from "./layout.js";
import type { DiffCase } from "./case-format.js";
import { listForms, type Form } from "./forms.js";
import { Rng } from "./rng.js";
import { CaseBuilder, DIRTY, ECX, ESP, Reject, reject, randomFill, regValue, restore, snapshotOf, type MemAccess } from "./gen-case-builder.js";
import { encodeMemory, le16, le32, memOperandSize, pickJumpTarget, pickTarget, safeAccess } from "./gen-addressing.js";
import { decodeOne } from "./gen-decode.js";
import { imm16For, imm8For, prepareSemantics } from "./gen-semantics.js";
import { staticShape } from "./gen-shape.js";

const { Register, FlowControl, Code } = iced;

/**
 * Forms the host runs with UMIP on: they #GP and Linux emulates them with fixed values (LDTR 0,
 * TR 0x40, IDTR 0xffff0000/0, CR0 0x80050033, GDTR 0xfffe0000/0), which the emulator mirrors
 * except GDTR (it needs a real GDT). The kernel's emulation ignores segment rights, AC and page
 * protection details, so their cases keep memory operands writable, aligned and flat.
 */
const UMIP_EMULATED = new Set(["Sidt", "Sldt", "Str", "Smsw", "Sgdt"]);

/** Forms whose result is partly undefined: they end a sequence so nothing consumes it. */
const UNDEFINED_RESULT = new Set(["Bsf", "Bsr", "Bswap", "Shld", "Shrd", "Cpuid", "Rdtsc"]);

/** Non-lockable forms where a lock prefix is #UD on every x86 (checked on the host). */
const LOCK_MISUSE = new Set(["Mov", "Cmp", "Test", "Lea", "Push", "Pop", "Nop", "Imul", "Mul", "Shl", "Rol", "Movzx", "Bt", "Cmovne", "Setne", "Jmp"]);

/** Mnemonics that must be last: control transfers, frame builders, stack switches. */
const ENDS_SEQUENCE = new Set([
  "Jmp", "Call", "Ret", "Retf", "Iret", "Iretd", "Int", "Int1", "Int3", "Into", "Enter", "Leave", "Loop", "Loope",
  "Loopne", "Jcxz", "Jecxz", "Lss", "Popa", "Popad", "Bound", "Hlt",
  // sgdt cases run with the dummy GDTR Linux reports (limit 0): nothing after it may need the GDT.
  "Sgdt",
]);

export interface GenerateOptions {
  seed: number;
  count: number;
  /** Restrict primary forms to these iced Code names (debugging, probes). */
  only?: string[];
  /** Also build forms the native oracle cannot check (probes of the emulator only). */
  includeUntestable?: boolean;
}

export interface GeneratedCase extends DiffCase {
  /** iced Code values of the instructions in order (for coverage and reports). */
  codes: number[];
}

/** Forms iced-x86 cannot decode back from their own encoding with default options. */
const UNDECODABLE = new Set(["Ud0"]);

/** Forms the generator knows how to build cases for. */
export function generatableForms(): Form[] {
  return listForms().filter((f) => notGeneratedReason(f) === null);
}

/** Why a form is not generated, or null when it is. */
export function notGeneratedReason(f: Form): string | null {
  if (UNDECODABLE.has(f.name)) return "not generated: same bytes as Ud0_r32_rm32 (0F FF takes a ModRM except on AMD decoders)";
  return null;
}

/** A note for the coverage table on how a generated form is checked, or null. */
export function testNote(f: Form): string | null {
  if (UMIP_EMULATED.has(f.mnemonic)) {
    return "host UMIP: checked against Linux's emulation of it, whose LDTR/TR/IDTR/GDTR/CR0 values the emulator mirrors";
  }
  return null;
}

/** Builds one instruction of `form` onto the case. Throws `reject` when it cannot. */
function buildInstruction(b: CaseBuilder, rng: Rng, form: Form, last: boolean): void {
  const mn = form.mnemonic;
  const prefixes: number[] = [];
  const opsize16 = form.operandSize === 16;
  const fs = staticShape(form);
  const { hasModrm, hasMem, implicitMem, isStringOp } = fs;
  let a16 = form.addressSize === 16 || ((hasMem || implicitMem) && form.addressSize === 0 && rng.chance(0.2));
  if (form.addressSize === 32) a16 = false;
  if (opsize16) prefixes.push(0x66);
  if (a16) prefixes.push(0x67);
  const umip = UMIP_EMULATED.has(mn);
  if ((hasMem || implicitMem) && !umip && rng.chance(0.15)) prefixes.push(rng.pick([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x3e, 0x26]));
  const repPrefix = isStringOp && (form.canRep || form.canRepne) && rng.chance(0.6);
  if (repPrefix) prefixes.push(form.canRepne ? rng.pick([0xf2, 0xf3]) : 0xf3);
  // Lock misuse (#UD) only where vendors agree: AMD, unlike Intel's rule, runs e.g. lock verw.
  // AMD also reads lock mov cr0 as mov cr8: no lock on control/debug register moves.
  let lock = !umip && LOCK_MISUSE.has(mn) && !form.ops.includes("cr_reg") && !form.ops.includes("dr_reg") && rng.chance(0.03);
  const opcode = [...form.opcode];
  const tail: number[] = [];

  // Register operand choices (reg field and opcode-embedded register).
  let regField = form.group >= 0 ? form.group : rng.below(8);
  let rmIsReg = false;
  let rmReg = 0;
  let memTarget = -1;
  let memSizeBytes = form.operandSize === 16 ? 2 : 4;
  const rmKind = fs.rmKind;
  if (rmKind === "r8_or_mem") memSizeBytes = 1;
  if (rmKind === "r16_or_mem") memSizeBytes = 2;
  if (rmKind !== undefined && rmKind !== "mem" && (rmKind === "r32_rm" || rng.chance(0.5))) {
    rmIsReg = true;
    rmReg = rng.below(8);
  }
  if (hasMem && !rmIsReg && rmKind === undefined && !form.ops.includes("mem_offs")) rmIsReg = true;
  if (form.canLock && !umip && rng.chance(0.15)) lock = true; // with a register destination: #UD
  if (lock) prefixes.push(0xf0);
  if (form.ops.includes("seg_reg")) {
    regField = mn === "Mov" && form.ops[0] === "seg_reg" ? (rng.chance(0.95) ? rng.pick([0, 2, 3, 3, 4, 5]) : rng.pick([1, 6, 7])) : rng.chance(0.97) ? rng.below(6) : rng.pick([6, 7]);
  }
  const opReg = rng.below(8);
  if (fs.opcodeReg) opcode[opcode.length - 1] += opReg;

  // Memory operand bytes.
  let modrmBytes: number[] = [];
  if (hasModrm) {
    if (rmIsReg) {
      modrmBytes = [0xc0 | ((regField & 7) << 3) | rmReg];
    } else {
      const size = memOperandSize(form, memSizeBytes);
      memTarget = pickTarget(rng, size);
      if (rng.chance(0.1)) memTarget = rng.range(DATA_BASE + 0x1000, DATA_BASE + DATA_SIZE - 0x10); // near the stack
      modrmBytes = encodeMemory(b, rng, regField, a16, memTarget);
    }
  }

  // Immediates and branch operands, in operand order.
  let imm8 = -1;
  for (const k of form.ops) {
    switch (k) {
      case "imm8":
        imm8 = imm8For(form, rng);
        tail.push(imm8);
        break;
      case "imm8sex16":
      case "imm8sex32":
        tail.push(rng.u32() & 0xff);
        break;
      case "imm16":
        tail.push(...le16(imm16For(form, rng)));
        break;
      case "imm32":
        tail.push(...le32(rng.value32()));
        break;
      case "mem_offs": {
        const size = form.operandSize === 16 ? 2 : form.name.includes("8") ? 1 : 4;
        memTarget = pickTarget(rng, size);
        if (a16) memTarget &= 0xffff;
        tail.push(...(a16 ? le16(memTarget) : le32(memTarget)));
        break;
      }
      case "farbr2_2":
      case "farbr4_2": {
        const t = pickJumpTarget(rng, b, k === "farbr2_2");
        tail.push(...(k === "farbr2_2" ? le16(t) : le32(t)));
        tail.push(...le16(rng.chance(0.9) ? USER_CS : rng.pick([USER_DS, 0x20, 0, 0x10, 0x80])));
        break;
      }
      default:
        break;
    }
  }

  // Branches: displacement filled once the instruction's length is known.
  const br = fs.branch;
  let brSize = 0;
  if (br !== undefined) brSize = Number(br.slice(-1));
  const bytes = [...prefixes, ...opcode, ...modrmBytes, ...tail];
  const brAt = bytes.length;
  for (let i = 0; i < brSize; i++) bytes.push(0);
  // Redundant prefixes: a repeated 0x66/0x67/segment prefix, or a segment override on a form
  // that touches no memory (ignored; a hint on jcc). Different overrides together are left out:
  // the SDM calls more than one prefix per group unpredictable.
  const dupable = prefixes.filter((p) => p === 0x66 || p === 0x67 || [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65].includes(p));
  if (dupable.length > 0 && rng.chance(0.03)) bytes.unshift(rng.pick(dupable));
  else if (!hasMem && !implicitMem && !form.isStack && !prefixes.some((p) => p >= 0x26 && p <= 0x3e) && rng.chance(0.03)) {
    bytes.unshift(rng.pick([0x26, 0x2e, 0x36, 0x3e]));
  }
  const start = CODE_BASE + b.codeOff + b.code.length;
  // Now and then an instruction longer than 15 bytes (#GP(0)), padded with repeated ds: prefixes.
  // (Not with lock misuse: which of the two decode faults wins is the CPU's choice.)
  if (rng.chance(0.004) && !lock && !prefixes.some((p) => [0x26, 0x2e, 0x36, 0x64, 0x65].includes(p))) {
    while (bytes.length < 16) bytes.unshift(0x3e);
    // Wholly inside the code page: a fetch fault at the page end would compete with the #GP.
    if (start + bytes.length > CODE_BASE + CODE_SIZE) throw reject;
    b.code.push(...bytes);
    b.codes.push(Code.INVALID);
    b.ended = true;
    return;
  }
  if (bytes.length > 15) throw reject;
  if (br !== undefined) {
    const target = pickJumpTarget(rng, b, br.startsWith("br16"));
    const next = start + bytes.length;
    let rel = target - next;
    if (brSize === 1) {
      if (rng.chance(0.7) || rel < -128 || rel > 127) rel = rng.range(-128, 127);
      const t = next + rel;
      const s0 = CODE_BASE + b.codeOff;
      // Never back into the sequence, nor onto the int3 just before it: that trap's eip would
      // equal the first instruction's address and hide what ran.
      if (t >= s0 - 2 && t < next + 1) rel = rng.range(1, 60);
      bytes[brAt] = rel & 0xff;
    } else if (brSize === 2) {
      bytes[brAt] = rel & 0xff;
      bytes[brAt + 1] = (rel >>> 8) & 0xff;
    } else {
      const r = le32(rel);
      for (let i = 0; i < 4; i++) bytes[brAt + i] = r[i];
    }
  }

  const d = decodeOne(bytes);
  if (d.length !== bytes.length) throw reject;
  if (d.code !== form.code && !lock && !repPrefix) throw reject;

  // Flags: nothing may read a flag an earlier instruction left undefined.
  if (d.rflagsRead & b.undefFlags) throw reject;

  // The operand's real address: with registers already fixed, encodeMemory may not reach the target.
  if (d.explicit) {
    const e = d.explicit;
    let ea = e.disp;
    if (e.base !== Register.None) ea += regValue(b, e.base);
    if (e.index !== Register.None) ea += Math.imul(regValue(b, e.index), e.scale);
    memTarget = a16 ? ea & 0xffff : ea >>> 0;
  }
  // Earlier steps could change DS or AC; the kernel's emulation would not honour that.
  if (umip && b.code.length > 0) throw reject;
  if (umip && !rmIsReg) {
    // The kernel's emulation stores like a kernel: keep to plain writable, aligned, flat memory.
    const size = mn === "Sidt" || mn === "Sgdt" ? 6 : 2;
    if (memTarget < DATA_BASE || memTarget + size > DATA_BASE + DATA_SIZE || memTarget & 1) throw reject;
    if (b.eflags & EFLAGS.AC || b.sregs[0] === USER_CS) throw reject;
  }
  prepareSemantics(b, rng, form, d, { a16, rmIsReg, rmReg, regField, opsize16, memTarget, start, length: bytes.length, opReg, imm8 });

  // Every memory access must stay in the layout; string ops are expanded by their count.
  const accesses: MemAccess[] = [];
  for (const m of d.mem) {
    let addr = m.disp;
    if (m.base !== Register.None) addr += regValue(b, m.base);
    if (m.index !== Register.None) addr += Math.imul(regValue(b, m.index), m.scale);
    addr = a16 && m.base !== Register.ESP && m.base !== Register.SP ? addr & 0xffff : addr >>> 0;
    if (m.base === Register.ESP || m.base === Register.SP) addr >>>= 0;
    if (fs.bitOffsetReg && !rmIsReg) {
      // bt/bts/btr/btc with a register bit offset address memory beyond the operand (signed).
      const v = b.view(regField, opsize16 ? 16 : 32);
      const delta = opsize16 ? (((v << 16) >> 16) >> 4) * 2 : ((v | 0) >> 5) * 4;
      // Keep 16-bit addressing clear of any wrap question: the sum must stay below 64 KiB.
      if (a16 && (addr + delta < 0 || addr + delta > 0xffff)) throw reject;
      addr = (addr + delta) >>> 0;
    }
    let size = m.size;
    let lo = addr;
    if (d.isString) {
      let count = 1;
      if (d.repCount) count = a16 ? b.view(ECX, 16) : b.known(ECX);
      if (count > 64) throw reject;
      if (!b.dfKnown) throw reject;
      const span = Math.max(1, count) * m.size;
      size = span;
      if (b.eflags & EFLAGS.DF) lo = addr - span + m.size;
    }
    if (!safeAccess(lo, size, m.write)) throw reject;
    accesses.push({ addr: lo, size, write: m.write });
  }
  // cmps reads two operands; which one faults first when both would is the CPU's choice.
  const readable = (a: MemAccess): boolean =>
    (a.addr >= DATA_BASE && a.addr + a.size <= RO_BASE + 0x1000) || (a.addr >= CODE_BASE && a.addr + a.size <= CODE_BASE + CODE_SIZE);
  // (With AC possibly set, a misaligned operand faults too.)
  const clean = (a: MemAccess): boolean => readable(a) && !(b.acPossible && a.addr % Math.min(a.size, 4) !== 0);
  if (/^Cmps/.test(d.mnemonic) && accesses.length === 2 && !clean(accesses[0]) && !clean(accesses[1])) throw reject;
  // ...and a null source segment against a faulting destination is the same question.
  if (/^Cmps/.test(d.mnemonic) && (b.segWritten || prefixes.includes(0x64) || prefixes.includes(0x65))) throw reject;
  // AMD's enter also checks the alignment of the new frame; keep AC out of enter cases.
  if (mn === "Enter" && b.acPossible) throw reject;
  // This host reports int1 at the instruction (fixed up in compare.ts); after a popf/iret that
  // may set TF, a single-step trap can land on the same eip and the two would be confused.
  if (mn === "Int1" && b.tfPossible) throw reject;
  // AMD's retf imm16 reads an outer SS:ESP above the immediate before checking CS: with AC
  // that read's alignment decides between #AC and the architectural #GP.
  if (mn === "Retf" && b.acPossible) throw reject;
  if (d.mem.some((m) => m.read && m.write) || accesses.length > 0) {
    for (const a of accesses) if (!a.write && rng.chance(0.5) && !b.isWritten(a.addr, a.size)) randomFill(b, rng, a);
  }

  const ends = d.code === Code.INVALID || ENDS_SEQUENCE.has(mn) || UNDEFINED_RESULT.has(mn) || d.flow !== FlowControl.Next || last;
  // Commit.
  b.code.push(...bytes);
  b.codes.push(d.code);
  for (const a of accesses) if (a.write) b.written.push([a.addr, a.size]);
  const explicitEsp =
    (fs.opcodeReg && opReg === ESP) ||
    (fs.regOperand && regField === ESP) ||
    (rmIsReg && rmReg === ESP);
  for (const r of d.writes) {
    if (r === ESP && d.stackInc !== 0 && !explicitEsp) continue;
    b.state[r] = DIRTY;
  }
  if (d.writes.includes(ESP)) {
    if (b.state[ESP] === DIRTY) b.espNow = -1;
    else b.espNow = (b.espNow + d.stackInc) >>> 0;
  }
  if (d.rflagsModified & EFLAGS.DF) b.dfKnown = false;
  if (d.writesSreg) b.segWritten = true;
  if (/^(Popf|Popfd|Iret|Iretd)$/.test(mn)) b.tfPossible = true;
  if (d.rflagsModified & EFLAGS.AC) b.acPossible = true;
  // A shift by CL may shift by zero and leave all flags alone: it clears no undefinedness.
  const maybeNoFlags =
    (form.ops.includes("cl") && /^(Rol|Ror|Rcl|Rcr|Shl|Sal|Shr|Sar|Shld|Shrd)$/.test(mn)) || (d.isString && d.repCount);
  b.undefFlags = (maybeNoFlags ? b.undefFlags : b.undefFlags & ~d.rflagsModified) | d.rflagsUndefined;
  if (ends) b.ended = true;
}

/** Generates `count` cases from `seed`; primary forms cycle through the table in a shuffled order. */
export function generateCases(opts: GenerateOptions): GeneratedCase[] {
  const rng = new Rng(opts.seed);
  let forms = opts.includeUntestable ? listForms().filter((f) => !UNDECODABLE.has(f.name)) : generatableForms();
  if (opts.only) forms = forms.filter((f) => opts.only?.includes(f.name));
  if (forms.length === 0) throw new RangeError("Cannot generate cases: no forms selected");
  const order = forms.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const all = generatableForms();
  const out: GeneratedCase[] = [];
  let attempts = 0;
  while (out.length < opts.count) {
    if (++attempts > opts.count * 50 + 1000) throw new Error(`Cannot generate cases: too many rejections (${out.length} made)`);
    const primary = forms[order[out.length % order.length]];
    const c = generateOne(rng, primary, all);
    if (c) out.push(c);
  }
  return out;
}

function generateOne(rng: Rng, primary: Form, all: Form[]): GeneratedCase | null {
  const b = new CaseBuilder(rng);
  const n = rng.chance(0.5) ? 1 : rng.range(2, 4);
  const pos = rng.below(n); // where the primary form sits
  let placedPrimary = false;
  let codeOff = b.codeOff;
  if (codeOff < 0) {
    // Near the end of the code page: fetches run into the unmapped page after it.
    codeOff = CODE_SIZE - rng.range(1, 12);
    b.codeOff = codeOff;
  }
  for (let i = 0; i < n && !b.ended; i++) {
    const isPrimary = i === pos;
    let ok = false;
    for (let tries = 0; tries < (isPrimary ? 30 : 5) && !ok; tries++) {
      const form = isPrimary ? primary : rng.pick(all);
      const snapshot = snapshotOf(b);
      try {
        buildInstruction(b, rng, form, i === n - 1);
        ok = true;
        if (isPrimary) placedPrimary = true;
      } catch (e) {
        if (!(e instanceof Reject)) throw e;
        restore(b, snapshot);
      }
    }
    if (isPrimary && !ok) return null;
  }
  if (!placedPrimary) return null;
  if (codeOff + b.code.length > CODE_SIZE) {
    // Cut at the page end: the tail of the sequence lies in the unmapped page.
    const keep = CODE_SIZE - codeOff;
    b.code.length = keep;
  }
  return {
    regs: b.regs,
    eflags: b.eflags,
    sregs: b.sregs,
    codeOff,
    code: Uint8Array.from(b.code),
    patches: b.patchList(),
    codes: b.codes,
  };
}

export { Code };
