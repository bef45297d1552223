// What the Intel and AMD manuals leave undefined, per executed instruction of a case: flags
// (iced-x86's per-form table, refined by the actual shift count, where the SDM defines OF for
// 1-bit shifts and nothing at all for count 0) and results (bsf/bsr destination on a zero
// source, 16-bit shld/shrd by more than 16, bswap of a 16-bit register, cpuid and rdtsc outputs).
import iced from "iced-x86";
import { CODE_BASE, EFLAGS } from "./layout.js";
import { icedFlagsToEflags, regIndexOf, regSizeOf } from "./iced-maps.js";

const { Decoder, Instruction, InstructionInfoFactory, OpAccess, OpKind, Register } = iced;
const infoFactory = new InstructionInfoFactory();
const WRITE_ACCESS = new Set([OpAccess.Write, OpAccess.ReadWrite, OpAccess.CondWrite, OpAccess.ReadCondWrite]);
const CL_REGS = new Set([Register.CL, Register.CX, Register.ECX]);

export interface DecodedStep {
  start: number;
  length: number;
  code: number;
  mnemonic: string;
  text: string;
  rflagsModified: number;
  rflagsUndefined: number;
  /** Shift/rotate count from an immediate or the implicit 1, or -1 when it comes from CL. */
  immCount: number;
  countFromCl: boolean;
  /** Operand width in bits of the first operand (for shifts and bit scans). */
  width: number;
  /** ModRM number of a register first operand, or -1. */
  destReg: number;
  destIsMem: boolean;
  /** The explicit memory operand's address parts (iced Registers), or null. */
  mem: { base: number; index: number; scale: number; disp: number; a16: boolean } | null;
  /** Whether the instruction may write CL (explicitly or implicitly, per iced-x86). */
  writesCl: boolean;
  /** A string instruction with a rep/repe/repne prefix. */
  repeated: boolean;
}

export interface Masks {
  /** EFLAGS bits whose final value is undefined. */
  flags: number;
  /** Per register (eax..edi): bits whose final value is undefined. */
  regs: Uint32Array;
  /** Memory bytes whose stored value is undefined. */
  memory: Set<number>;
}

const ARITH = EFLAGS.CF | EFLAGS.PF | EFLAGS.AF | EFLAGS.ZF | EFLAGS.SF | EFLAGS.OF;
const SHIFTS = new Set(["Shl", "Sal", "Shr", "Sar"]);
const ROTATES = new Set(["Rol", "Ror", "Rcl", "Rcr"]);

const formatter = new iced.Formatter(iced.FormatterSyntax.Intel);

/** Code of a step whose bytes run past the end of the code page. */
export const TRUNCATED_CODE = -1;
const TRUNCATED: DecodedStep = {
  start: 0,
  length: 0,
  code: TRUNCATED_CODE,
  mnemonic: "Truncated",
  text: "(cut by the page end)",
  rflagsModified: 0,
  rflagsUndefined: 0,
  immCount: -1,
  countFromCl: false,
  width: 0,
  destReg: -1,
  destIsMem: false,
  mem: null,
  writesCl: false,
  repeated: false,
};
const decodeCache = new Map<string, DecodedStep[]>();

/** Decodes a case's code bytes as placed at CODE_BASE + codeOff. */
export function decodeSequence(code: Uint8Array, codeOff: number): DecodedStep[] {
  const key = `${codeOff}:${Buffer.from(code).toString("hex")}`;
  const hit = decodeCache.get(key);
  if (hit) return hit;
  const dec = new Decoder(32, code, 0);
  dec.ip = BigInt(CODE_BASE + codeOff);
  const ins = new Instruction();
  const out: DecodedStep[] = [];
  try {
    while (dec.canDecode) {
      const at = Number(dec.ip);
      dec.decodeOut(ins);
      if (dec.lastError === iced.DecoderError.NoMoreBytes) {
        // Cut by the end of the code page: fetching the rest faults, whatever the form was.
        out.push({ ...TRUNCATED, start: at, length: code.length - (at - CODE_BASE - codeOff) });
        break;
      }
      let immCount = -1;
      let countFromCl = false;
      if (ins.opCount >= 2) {
        const last = ins.opCount - 1;
        const k = ins.opKind(last);
        if (k === OpKind.Immediate8) immCount = Number(ins.immediate(last)) & 0xff;
        else if (k === OpKind.Register && ins.opRegister(last) === Register.CL) countFromCl = true;
      }
      const mnemonic = iced.Mnemonic[ins.mnemonic];
      if ((SHIFTS.has(mnemonic) || ROTATES.has(mnemonic)) && immCount < 0 && !countFromCl) immCount = 1;
      const op0 = ins.opCount > 0 ? ins.opKind(0) : -1;
      const destReg = op0 === OpKind.Register ? regIndexOf(ins.opRegister(0)) : -1;
      const width = op0 === OpKind.Register ? regSizeOf(ins.opRegister(0)) : memWidth(ins);
      let writesCl = false;
      const info = infoFactory.info(ins);
      for (const r of info.usedRegisters()) {
        if (CL_REGS.has(r.register) && WRITE_ACCESS.has(r.access)) writesCl = true;
        r.free();
      }
      info.free();
      out.push({
        writesCl,
        repeated: ins.isStringInstruction && (ins.hasRepPrefix || ins.hasRepePrefix || ins.hasRepnePrefix),
        start: at,
        length: ins.length,
        code: ins.code,
        mnemonic,
        text: formatter.format(ins),
        rflagsModified: icedFlagsToEflags(ins.rflagsModified),
        rflagsUndefined: icedFlagsToEflags(ins.rflagsUndefined),
        immCount,
        countFromCl,
        width,
        destReg,
        destIsMem: op0 === OpKind.Memory,
        mem: memOperandOf(ins),
      });
    }
  } finally {
    ins.free();
    dec.free();
  }
  if (decodeCache.size > 50_000) decodeCache.clear();
  decodeCache.set(key, out);
  return out;
}

function memOperandOf(ins: InstanceType<typeof Instruction>): DecodedStep["mem"] {
  for (let i = 0; i < ins.opCount; i++) {
    if (ins.opKind(i) !== OpKind.Memory) continue;
    const a16 = regSizeOf(ins.memoryBase) === 16 || regSizeOf(ins.memoryIndex) === 16 || ins.memoryDisplSize === 2;
    return {
      base: ins.memoryBase,
      index: ins.memoryIndex,
      scale: ins.memoryIndexScale,
      disp: Number(BigInt.asUintN(32, ins.memoryDisplacement)),
      a16,
    };
  }
  return null;
}

/** The operand address of a step that runs with the initial registers (the case's first). */
function addressOf(m: NonNullable<DecodedStep["mem"]>, regs: Uint32Array): number {
  const value = (r: number): number => {
    if (r === Register.None) return 0;
    const v = regs[regIndexOf(r)];
    return regSizeOf(r) === 16 ? v & 0xffff : v;
  };
  const ea = m.disp + value(m.base) + Math.imul(value(m.index), m.scale);
  return m.a16 ? ea & 0xffff : ea >>> 0;
}

function memWidth(ins: InstanceType<typeof Instruction>): number {
  const name = iced.MemorySize[ins.memorySize] ?? "";
  if (/8$/.test(name)) return 8;
  if (/16$/.test(name)) return 16;
  return 32;
}

/** Flags an instruction modifies and leaves undefined, given its actual count. */
function flagEffect(s: DecodedStep, cl: number): { modified: number; undefined: number } {
  const count = s.countFromCl ? (cl < 0 ? -1 : cl) : s.immCount;
  if (SHIFTS.has(s.mnemonic) || ROTATES.has(s.mnemonic) || s.mnemonic === "Shld" || s.mnemonic === "Shrd") {
    // Unknown count: it may be zero, leaving every flag as it was, so nothing is cleared.
    if (count < 0) {
      // ...and it may exceed what the manuals define: a 16-bit double shift by more than 16,
      // an 8/16-bit shl/shr by the operand width or more (CF).
      let undef = s.rflagsUndefined;
      if ((s.mnemonic === "Shld" || s.mnemonic === "Shrd") && s.width === 16) undef |= ARITH;
      if ((s.mnemonic === "Shl" || s.mnemonic === "Sal" || s.mnemonic === "Shr") && s.width < 32) undef |= EFLAGS.CF;
      return { modified: 0, undefined: undef };
    }
    const c = count & 31;
    if (c === 0) return { modified: 0, undefined: 0 };
    if (ROTATES.has(s.mnemonic)) {
      return { modified: EFLAGS.CF | EFLAGS.OF, undefined: c === 1 ? 0 : EFLAGS.OF };
    }
    let undef = EFLAGS.AF | (c === 1 ? 0 : EFLAGS.OF);
    if (SHIFTS.has(s.mnemonic) && s.mnemonic !== "Sar" && c >= s.width) undef |= EFLAGS.CF;
    if ((s.mnemonic === "Shld" || s.mnemonic === "Shrd") && c > s.width) undef |= ARITH;
    return { modified: ARITH, undefined: undef };
  }
  return { modified: s.rflagsModified, undefined: s.rflagsUndefined };
}

/**
 * Masks for a case that executed `steps` (in order), ending in the given final state.
 */
export function masksFor(steps: readonly DecodedStep[], initialRegs: Uint32Array, finalRegs: Uint32Array, finalEflags: number): Masks {
  const regs = new Uint32Array(8);
  const memory = new Set<number>();
  let flags = 0;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    // CL as the step saw it: the initial value if nothing before wrote it, else the final one
    // if neither this step nor a later one wrote it, else unknown.
    let cl = -1;
    if (steps.slice(0, i).every((t) => !t.writesCl)) cl = initialRegs[1] & 0xff;
    else if (steps.slice(i).every((t) => !t.writesCl)) cl = finalRegs[1] & 0xff;
    const eff = flagEffect(s, cl);
    // A repeated string instruction may run zero times and then writes no flags at all.
    flags = s.repeated ? flags | eff.undefined : (flags & ~eff.modified) | eff.undefined;
    const fullMask = s.width === 32 ? 0xffffffff : s.width === 16 ? 0xffff : 0xff;
    // A later step may overwrite a masked register; keep masks conservative by never clearing.
    switch (s.mnemonic) {
      case "Bsf":
      case "Bsr":
        if (s.destReg >= 0 && finalEflags & EFLAGS.ZF) regs[s.destReg] |= fullMask;
        break;
      case "Shld":
      case "Shrd": {
        const c = s.countFromCl ? cl : s.immCount;
        if (s.width === 16 && (c < 0 || (c & 31) > 16) && s.destReg >= 0) regs[s.destReg] |= 0xffff;
        break;
      }
      case "Bswap":
        if (s.width === 16 && s.destReg >= 0) regs[s.destReg] |= 0xffff;
        break;
      case "Lar":
        // Bits 16-19 of the access rights (limit 19:16 of the descriptor) are undefined.
        // Masked whether or not it loaded: later steps may have changed ZF, so the final flags
        // cannot tell; an unchanged register loses only these four bits of checking.
        if (s.destReg >= 0 && s.width === 32) regs[s.destReg] |= 0x000f0000;
        break;
      case "Smsw":
        // smsw r32: only the low 16 bits are defined (SDM); the rest is implementation-specific.
        if (s.destReg >= 0 && s.width === 32) regs[s.destReg] |= 0xffff0000;
        break;
      case "Sgdt":
      case "Sidt":
        // With a 16-bit operand size the base's top byte differs by generation: the 386 stores 0,
        // the 286 0xff, current CPUs (and Linux's UMIP emulation) the full base.
        if (i === 0 && s.mem && (s.code === iced.Code.Sgdt_m1632_16 || s.code === iced.Code.Sidt_m1632_16)) {
          memory.add(addressOf(s.mem, initialRegs) + 5);
        }
        break;
      case "Cpuid":
        regs[0] = regs[1] = regs[2] = regs[3] = 0xffffffff;
        break;
      case "Rdtsc":
        regs[0] = regs[2] = 0xffffffff;
        break;
      default:
        break;
    }
  }
  return { flags, regs, memory };
}
