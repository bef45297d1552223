// Random differential cases: short instruction sequences drawn from the form table (forms.ts)
// with random registers, flags, prefixes and memory operands that point into the scratch pages
// (or, on purpose, at unmapped and read-only pages). Every memory access and control transfer
// is checked against iced-x86's view of the decoded instruction, so a case can only touch the
// fixed layout (layout.ts) and behaves the same natively and emulated.
import iced from "iced-x86";
import { CODE_BASE, CODE_SIZE, DATA_BASE, DATA_SIZE, EFLAGS, RO_BASE, USER_CS, USER_DS } from "./layout.js";
import type { DiffCase, MemoryPatch } from "./case-format.js";
import { listForms, type Form } from "./forms.js";
import { Rng } from "./rng.js";
import { icedFlagsToEflags, regIndexOf, regSizeOf } from "./iced-maps.js";

const { Decoder, Instruction, InstructionInfoFactory, OpAccess, Register, FlowControl, Code } = iced;

const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
const FREE = 0, PINNED = 1, DIRTY = 2;

/** Selectors a case may load: Linux's flat user selectors with each RPL, null, and ones that fault. */
const GOOD_DATA_SELECTORS = [USER_DS, 0x28, 0x29, 0x2a, USER_CS, 0x20, 0x33];
const BAD_SELECTORS = [0, 1, 3, 0x08, 0x10, 0x18, 0x40, 0x48, 0x63, 0x6b, 0x04, 0x0c, 0x2f, 0x80, 0xfff8, 0x1234];

/** Forms the host cannot show user-mode behaviour for (Linux emulates them under UMIP). */
const UMIP_MNEMONICS = new Set(["Sgdt", "Sidt", "Sldt", "Str", "Smsw"]);

/** Forms whose result is partly undefined: they end a sequence so nothing consumes it. */
const UNDEFINED_RESULT = new Set(["Bsf", "Bsr", "Bswap", "Shld", "Shrd", "Cpuid", "Rdtsc"]);

/** Non-lockable forms where a lock prefix is #UD on every x86 (checked on the host). */
const LOCK_MISUSE = new Set(["Mov", "Cmp", "Test", "Lea", "Push", "Pop", "Nop", "Imul", "Mul", "Shl", "Rol", "Movzx", "Bt", "Cmovne", "Setne", "Jmp"]);

/** Mnemonics that must be last: control transfers, frame builders, stack switches. */
const ENDS_SEQUENCE = new Set([
  "Jmp", "Call", "Ret", "Retf", "Iret", "Iretd", "Int", "Int1", "Int3", "Into", "Enter", "Leave", "Loop", "Loope",
  "Loopne", "Jcxz", "Jecxz", "Lss", "Popa", "Popad", "Bound", "Hlt",
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
  if (UMIP_MNEMONICS.has(f.mnemonic)) return "not generated: the host has UMIP, Linux emulates it at CPL 3";
  if (UNDECODABLE.has(f.name)) return "not generated: same bytes as Ud0_r32_rm32 (0F FF takes a ModRM except on AMD decoders)";
  return null;
}

class Reject extends Error {}
const reject = new Reject("reject");

interface MemAccess {
  addr: number;
  size: number;
  write: boolean;
}

/** Builds one case instruction by instruction. */
class CaseBuilder {
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

/** Where a memory operand may point: mostly scratch data, sometimes pages that fault. */
function pickTarget(rng: Rng, size: number): number {
  const r = rng.below(100);
  if (r < 80) return rng.range(DATA_BASE + 0x40, DATA_BASE + 0xfc0 - size);
  if (r < 88) return rng.range(DATA_BASE + 0x1000, DATA_BASE + DATA_SIZE - size); // stack page
  if (r < 92) return rng.range(RO_BASE, RO_BASE + 0xff0); // read-only page
  if (r < 95) return rng.range(DATA_BASE + DATA_SIZE - size + 1, DATA_BASE + DATA_SIZE - 1); // crosses into RO
  if (r < 97) return rng.range(0x1000, 0x7ff0); // unmapped
  if (r < 99) return rng.range(DATA_BASE - size + 1, DATA_BASE - 1); // crosses from unmapped
  return rng.range(0xb000, 0xbff0); // unmapped guard
}

/** Encodes a ModRM memory operand addressing `target`, choosing registers and displacement. */
function encodeMemory(b: CaseBuilder, rng: Rng, reg: number, a16: boolean, target: number): number[] {
  if (a16) {
    // 16-bit forms: rm 0 bx+si, 1 bx+di, 2 bp+si, 3 bp+di, 4 si, 5 di, 6 bp (mod 0: disp16), 7 bx.
    const rm = rng.below(8);
    const mod = rng.below(3);
    const noBase = rm === 6 && mod === 0;
    const pairs: number[][] = [[EBX, ESI], [EBX, EDI], [EBP, ESI], [EBP, EDI], [ESI], [EDI], [EBP], [EBX]];
    const regsUsed = noBase ? [] : pairs[rm];
    let disp = mod === 1 ? (rng.u32() << 24) >> 24 : mod === 2 || noBase ? rng.u32() & 0xffff : 0;
    let sum = 0;
    let freeReg = -1;
    for (const r of regsUsed) {
      if (freeReg < 0 && b.state[r] === FREE) freeReg = r;
      else sum += b.view(r, 16);
    }
    if (freeReg >= 0) b.assign(freeReg, (target - sum - disp) & 0xffff, 16);
    else if (mod === 2 || noBase) disp = (target - sum) & 0xffff;
    const bytes = [(mod << 6) | ((reg & 7) << 3) | rm];
    if (mod === 1) bytes.push(disp & 0xff);
    else if (mod === 2 || noBase) bytes.push(disp & 0xff, (disp >>> 8) & 0xff);
    return bytes;
  }
  const useSib = rng.chance(0.4);
  const mod = rng.below(3);
  if (!useSib) {
    const rm = rng.pick([0, 1, 2, 3, 5, 6, 7]);
    if (mod === 0 && rm === 5) {
      return [(reg << 3) | 5, ...le32(target)];
    }
    let disp = mod === 1 ? (rng.u32() << 24) >> 24 : mod === 2 ? rng.u32() | 0 : 0;
    if (b.state[rm] === FREE) b.assign(rm, (target - disp) >>> 0);
    else if (mod === 2) disp = (target - b.known(rm)) | 0;
    const bytes = [(mod << 6) | ((reg & 7) << 3) | rm];
    if (mod === 1) bytes.push(disp & 0xff);
    if (mod === 2) bytes.push(...le32(disp));
    return bytes;
  }
  const scale = rng.below(4);
  const index = rng.below(8); // 4 = no index
  const base = rng.below(8); // 5 with mod 0 = disp32, no base
  const noBase = base === 5 && mod === 0;
  let disp = mod === 1 ? (rng.u32() << 24) >> 24 : mod === 2 || noBase ? rng.u32() | 0 : 0;
  const wide = mod === 2 || noBase;
  const idxFree = index !== 4 && b.state[index] === FREE && index !== ESP;
  const baseFree = !noBase && b.state[base] === FREE && base !== ESP && base !== index;
  let idxVal = index === 4 ? 0 : idxFree ? (baseFree || wide ? rng.value32() : 0) : b.known(index);
  if (idxFree && !baseFree && !wide) {
    // Solve base + index*scale + disp = target for the index.
    const rest = (target - disp - (noBase ? 0 : b.known(base))) | 0;
    if (rest % (1 << scale) !== 0) disp += rest % (1 << scale);
    idxVal = ((target - disp - (noBase ? 0 : b.known(base))) >> scale) >>> 0;
    if (mod === 1 && (disp < -128 || disp > 127)) throw reject;
  }
  if (idxFree) b.assign(index, idxVal);
  const scaled = Math.imul(idxVal, 1 << scale);
  if (baseFree) {
    b.assign(base, (target - disp - scaled) >>> 0);
  } else if (wide) {
    disp = (target - scaled - (noBase ? 0 : b.known(base))) | 0;
  } else if (!idxFree) {
    // Both fixed: the address is whatever they give; checked by the caller.
  }
  const bytes = [(mod << 6) | ((reg & 7) << 3) | 4, (scale << 6) | (index << 3) | base];
  if (mod === 1) bytes.push(disp & 0xff);
  if (wide) bytes.push(...le32(disp));
  return bytes;
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
function le16(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}

/** A jump target: int3 filler in the code page outside the sequence, or an unmapped page. */
function pickJumpTarget(rng: Rng, b: CaseBuilder, opsize16: boolean): number {
  if (rng.chance(0.05)) return rng.pick([0xd000, 0xd7f3, 0x1000, 0x7ffe, 0xb004]);
  for (let tries = 0; tries < 20; tries++) {
    const t = CODE_BASE + rng.range(0, CODE_SIZE - 1);
    const start = CODE_BASE + b.codeOff;
    if (t >= start - 2 && t < start + 64) continue;
    return opsize16 ? t & 0xffff : t;
  }
  throw reject;
}

const factory = new InstructionInfoFactory();
const scratchInstr = new Instruction();

interface DecodedInfo {
  code: number;
  length: number;
  mnemonic: string;
  flow: number;
  rflagsRead: number;
  rflagsModified: number;
  rflagsUndefined: number;
  mem: Array<{ base: number; index: number; scale: number; disp: number; size: number; read: boolean; write: boolean; cond: boolean }>;
  writes: number[];
  stackInc: number;
  isString: boolean;
  repCount: boolean;
  /** The ModRM/moffs memory operand, if the instruction has one. */
  explicit: { base: number; index: number; scale: number; disp: number } | null;
}

function decodeOne(bytes: number[]): DecodedInfo {
  const dec = new Decoder(32, new Uint8Array(bytes), 0);
  try {
    dec.decodeOut(scratchInstr);
    const ins = scratchInstr;
    const info = factory.info(ins);
    const mem: DecodedInfo["mem"] = [];
    for (const m of info.usedMemory()) {
      const acc = m.access;
      mem.push({
        base: m.base,
        index: m.index,
        scale: m.scale,
        disp: Number(BigInt.asUintN(32, m.displacement)),
        size: memSize(m.memorySize),
        read: acc === OpAccess.Read || acc === OpAccess.ReadWrite || acc === OpAccess.CondRead || acc === OpAccess.ReadCondWrite,
        write: acc === OpAccess.Write || acc === OpAccess.ReadWrite || acc === OpAccess.CondWrite || acc === OpAccess.ReadCondWrite,
        cond: acc === OpAccess.CondRead || acc === OpAccess.CondWrite,
      });
      m.free();
    }
    const writes: number[] = [];
    for (const r of info.usedRegisters()) {
      const acc = r.access;
      if (acc === OpAccess.Write || acc === OpAccess.ReadWrite || acc === OpAccess.CondWrite || acc === OpAccess.ReadCondWrite) {
        const idx = regIndexOf(r.register);
        if (idx >= 0) writes.push(idx);
      }
      r.free();
    }
    info.free();
    let explicit: DecodedInfo["explicit"] = null;
    for (let i = 0; i < ins.opCount; i++) {
      if (ins.opKind(i) === iced.OpKind.Memory) {
        explicit = {
          base: ins.memoryBase,
          index: ins.memoryIndex,
          scale: ins.memoryIndexScale,
          disp: Number(BigInt.asUintN(32, ins.memoryDisplacement)),
        };
      }
    }
    return {
      explicit,
      code: ins.code,
      length: ins.length,
      mnemonic: iced.Mnemonic[ins.mnemonic],
      flow: ins.flowControl,
      rflagsRead: icedFlagsToEflags(ins.rflagsRead),
      rflagsModified: icedFlagsToEflags(ins.rflagsModified),
      rflagsUndefined: icedFlagsToEflags(ins.rflagsUndefined),
      mem,
      writes,
      stackInc: ins.stackPointerIncrement,
      isString: ins.isStringInstruction,
      repCount: ins.hasRepPrefix || ins.hasRepePrefix || ins.hasRepnePrefix,
    };
  } finally {
    dec.free();
  }
}

/** Operand byte size of an iced MemorySize, enough for the integer forms. */
function memSize(ms: number): number {
  const name = iced.MemorySize[ms];
  const m = /(\d+)$/.exec(name ?? "");
  if (name === "SegPtr16") return 4;
  if (name === "SegPtr32") return 6;
  if (name === "Fword6") return 6;
  if (name === "Bound16_WordWord") return 4;
  if (name === "Bound32_DwordDword") return 8;
  if (name === "UInt64" || name === "Int64") return 8;
  if (name === "Fword10") return 10;
  if (m) return Math.max(1, Number(m[1]) >> 3);
  return 4;
}

/** Accesses outside [0, 0xE000) or data writes into the code page would escape the layout. */
function safeAccess(addr: number, size: number, write: boolean): boolean {
  if (addr + size > 0xe000 || addr < 0) return false;
  if (write && addr + size > CODE_BASE && addr < CODE_BASE + CODE_SIZE) return false;
  return true;
}

interface StaticShape {
  hasModrm: boolean;
  hasMem: boolean;
  implicitMem: boolean;
  isStringOp: boolean;
  rmKind: string | undefined;
  opcodeReg: boolean;
  regOperand: boolean;
  branch: string | undefined;
  /** bt/bts/btr/btc r/m, reg: the register is a signed bit offset that moves the address. */
  bitOffsetReg: boolean;
}

const shapes = new Map<number, StaticShape>();

/** What a form's operand kinds imply for encoding, computed once per form. */
function staticShape(form: Form): StaticShape {
  let sh = shapes.get(form.code);
  if (!sh) {
    const has = (re: RegExp): boolean => form.ops.some((o) => re.test(o));
    sh = {
      hasModrm: form.group >= 0 || has(/_or_mem$|^mem$|_reg$|^r32_rm$/),
      hasMem: has(/_or_mem$|^mem$|^mem_offs$/),
      implicitMem: has(/rDI|rSI|rBX/),
      isStringOp: has(/rDI|rSI/),
      rmKind: form.ops.find((o) => /_or_mem$|^mem$|^r32_rm$/.test(o)),
      opcodeReg: has(/_opcode$/),
      regOperand: has(/^r(8|16|32)_reg$/),
      branch: form.ops.find((o) => /^br(16|32)_[124]$/.test(o)),
      bitOffsetReg: /^(Bt|Bts|Btr|Btc)$/.test(form.mnemonic) && /^r(16|32)_reg$/.test(form.ops[1] ?? ""),
    };
    shapes.set(form.code, sh);
  }
  return sh;
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
  if ((hasMem || implicitMem) && rng.chance(0.15)) prefixes.push(rng.pick([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x3e, 0x26]));
  const repPrefix = isStringOp && (form.canRep || form.canRepne) && rng.chance(0.6);
  if (repPrefix) prefixes.push(form.canRepne ? rng.pick([0xf2, 0xf3]) : 0xf3);
  // Lock misuse (#UD) only where vendors agree: AMD, unlike Intel's rule, runs e.g. lock verw.
  // AMD also reads lock mov cr0 as mov cr8: no lock on control/debug register moves.
  let lock = LOCK_MISUSE.has(mn) && !form.ops.includes("cr_reg") && !form.ops.includes("dr_reg") && rng.chance(0.03);
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
  if (form.canLock && rng.chance(0.15)) lock = true; // with a register destination: #UD
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
  if (bytes.length > 15) throw reject;
  const start = CODE_BASE + b.codeOff + b.code.length;
  if (br !== undefined) {
    const target = pickJumpTarget(rng, b, br.startsWith("br16"));
    const next = start + bytes.length;
    let rel = target - next;
    if (brSize === 1) {
      if (rng.chance(0.7) || rel < -128 || rel > 127) rel = rng.range(-128, 127);
      const t = next + rel;
      const s0 = CODE_BASE + b.codeOff;
      if (t >= s0 && t < next + 1) rel = rng.range(1, 60); // never back into the sequence
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
  if (/^Cmps/.test(d.mnemonic) && accesses.length === 2 && !readable(accesses[0]) && !readable(accesses[1])) throw reject;
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
  b.undefFlags = (b.undefFlags & ~d.rflagsModified) | d.rflagsUndefined;
  if (ends) b.ended = true;
}

function regValue(b: CaseBuilder, reg: number): number {
  const idx = regIndexOf(reg);
  const size = regSizeOf(reg);
  if (idx < 0) throw reject;
  return b.view(idx, size);
}

function randomFill(b: CaseBuilder, rng: Rng, a: MemAccess): void {
  for (let i = 0; i < Math.min(a.size, 16); i++) {
    const addr = a.addr + i;
    if (addr < DATA_BASE || addr >= DATA_BASE + DATA_SIZE || b.patches.has(addr)) continue;
    b.patches.set(addr, rng.u32() & 0xff);
  }
}

function memOperandSize(form: Form, dflt: number): number {
  if (/m1632|m3232/.test(form.name)) return 8;
  if (/m1616/.test(form.name)) return 4;
  if (form.name.includes("m64")) return 8;
  return dflt;
}

function imm8For(form: Form, rng: Rng): number {
  const mn = form.mnemonic;
  if (mn === "Int") return rng.chance(0.3) ? rng.pick([3, 4, 1, 0, 0x82, 0x81, 0xff, 0x0d, 0x0e]) : rng.chance(0.5) ? rng.below(0x80) : rng.range(0x81, 0xff);
  if (mn === "Aam" || mn === "Aad") return rng.chance(0.5) ? 10 : rng.chance(0.1) ? 0 : rng.u32() & 0xff;
  if (/^(Rol|Ror|Rcl|Rcr|Shl|Sal|Shr|Sar|Shld|Shrd)$/.test(mn)) return rng.chance(0.8) ? rng.below(34) : rng.u32() & 0xff;
  if (mn === "Enter") return rng.chance(0.6) ? rng.below(3) : rng.below(8);
  return rng.u32() & 0xff;
}

function imm16For(form: Form, rng: Rng): number {
  if (form.mnemonic === "Enter") return rng.chance(0.8) ? rng.below(64) : rng.below(0x200);
  if (form.mnemonic === "Ret") return rng.chance(0.7) ? rng.below(32) : rng.u32() & 0xffff;
  // AMD reads the would-be outer SS:ESP above the immediate before it checks the new CS:
  // keep that read inside mapped pages so only the architectural check decides.
  if (form.mnemonic === "Retf") return rng.below(0x400);
  return rng.value32() & 0xffff;
}

interface Shape {
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
function prepareSemantics(b: CaseBuilder, rng: Rng, form: Form, d: DecodedInfo, s: Shape): void {
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

interface Snapshot {
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

function snapshotOf(b: CaseBuilder): Snapshot {
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

function restore(b: CaseBuilder, s: Snapshot): void {
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

export { Code };
