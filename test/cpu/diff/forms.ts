// The integer instruction forms under test, taken from iced-x86's opcode tables: every legacy
// form valid in 32-bit protected mode whose CPUID feature is 8086..486, CMOV, CX8, CPUID or
// TSC (the i386/i486 set plus what gcc -march=i686 emits). x87 and everything later is out.
import iced from "iced-x86";

const { Code, CodeExt, Instruction, CpuidFeature, EncodingKind, OpCodeOperandKind, OpCodeTableKind } = iced;

const FEATURES = new Set(["INTEL8086", "INTEL186", "INTEL286", "INTEL386", "INTEL486", "CMOV", "CX8", "CPUID", "TSC"]);

export interface Form {
  code: number;
  name: string;
  opCodeString: string;
  instructionString: string;
  /** Operand kinds as iced names them (OpCodeOperandKind), e.g. "r32_or_mem", "imm8". */
  ops: string[];
  /** Opcode bytes after prefixes, including 0F when the form lives in the two-byte table. */
  opcode: number[];
  /** ModRM reg field for /digit forms, else -1. */
  group: number;
  /** ModRM rm field fixed by the opcode (e.g. 0F 01 D0), else -1. */
  rmGroup: number;
  operandSize: number;
  addressSize: number;
  canLock: boolean;
  canRep: boolean;
  canRepne: boolean;
  isStack: boolean;
  privileged: boolean;
  mnemonic: string;
  features: string[];
}

let cache: Form[] | null = null;

export function listForms(): Form[] {
  if (cache) return cache;
  const forms: Form[] = [];
  for (const name of Object.keys(Code)) {
    if (!Number.isNaN(Number(name))) continue;
    const code = (Code as unknown as Record<string, number>)[name];
    const info = CodeExt.opCode(code);
    try {
      if (info.encoding !== EncodingKind.Legacy || !info.mode32 || !info.isInstruction) continue;
      // Forms only decoded under a non-default decoder option (e.g. old 0F FF ud0) are duplicates.
      if (info.decoderOption !== 0) continue;
      const ins = Instruction.create(code);
      const features = Array.from(ins.cpuidFeatures()).map((f) => CpuidFeature[f]);
      ins.free();
      if (!features.every((f) => FEATURES.has(f))) continue;
      const ops: string[] = [];
      for (let i = 0; i < info.opCount; i++) ops.push(OpCodeOperandKind[info.opKind(i)]);
      const opcode: number[] = [];
      if (info.table === OpCodeTableKind.T0F) opcode.push(0x0f);
      else if (info.table !== OpCodeTableKind.Normal) continue;
      if (info.opCodeLength === 2) opcode.push(info.opCode >> 8);
      opcode.push(info.opCode & 0xff);
      forms.push({
        code,
        name,
        opCodeString: info.opCodeString,
        instructionString: info.instructionString,
        ops,
        opcode,
        group: info.isGroup ? info.groupIndex : -1,
        rmGroup: info.isRmGroup ? info.rmGroupIndex : -1,
        operandSize: info.operandSize,
        addressSize: info.addressSize,
        canLock: info.canUseLockPrefix,
        canRep: info.canUseRepPrefix,
        canRepne: info.canUseRepnePrefix,
        isStack: info.isStackInstruction,
        privileged: info.isPrivileged,
        mnemonic: iced.Mnemonic[info.mnemonic],
        features,
      });
    } finally {
      info.free();
    }
  }
  forms.sort((a, b) => a.code - b.code);
  cache = forms;
  return forms;
}

export function formByCode(code: number): Form | undefined {
  return listForms().find((f) => f.code === code);
}
