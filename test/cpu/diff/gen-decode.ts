// iced-x86's view of one generated instruction: its Code, flags read/written/undefined, every
// memory access (explicit and implicit) with the registers it uses, registers written, stack
// pointer movement. The generator checks cases against it.
import iced from "iced-x86";
import { icedFlagsToEflags, regIndexOf } from "./iced-maps.js";

const { Decoder, Instruction, InstructionInfoFactory, OpAccess, Register } = iced;

const factory = new InstructionInfoFactory();
const SEGMENT_REGS = new Set([Register.ES, Register.SS, Register.DS, Register.FS, Register.GS]);
const scratchInstr = new Instruction();

export interface DecodedInfo {
  code: number;
  length: number;
  mnemonic: string;
  flow: number;
  rflagsRead: number;
  rflagsModified: number;
  rflagsUndefined: number;
  mem: Array<{ base: number; index: number; scale: number; disp: number; size: number; read: boolean; write: boolean; cond: boolean }>;
  writes: number[];
  writesSreg: boolean;
  stackInc: number;
  isString: boolean;
  repCount: boolean;
  /** The ModRM/moffs memory operand, if the instruction has one. */
  explicit: { base: number; index: number; scale: number; disp: number } | null;
}

export function decodeOne(bytes: number[]): DecodedInfo {
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
    let writesSreg = false;
    for (const r of info.usedRegisters()) {
      const acc = r.access;
      if (acc === OpAccess.Write || acc === OpAccess.ReadWrite || acc === OpAccess.CondWrite || acc === OpAccess.ReadCondWrite) {
        const idx = regIndexOf(r.register);
        if (idx >= 0) writes.push(idx);
        if (SEGMENT_REGS.has(r.register)) writesSreg = true;
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
      writesSreg,
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
