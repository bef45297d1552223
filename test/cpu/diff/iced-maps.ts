// Translations from iced-x86's enumerations to the encodings the CPU uses: register numbers
// in ModRM order with their widths, and iced's RflagsBits to EFLAGS bit positions.
import iced from "iced-x86";
import { EFLAGS } from "./layout.js";

const { Register, RflagsBits } = iced;

const REG_NAMES: Array<[string[], number]> = [
  [["AL", "CL", "DL", "BL"], 8],
  [["AH", "CH", "DH", "BH"], 8],
  [["AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI"], 16],
  [["EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"], 32],
];

const regIndex = new Map<number, number>();
const regSize = new Map<number, number>();
const regHigh = new Set<number>();
for (const [names, size] of REG_NAMES) {
  names.forEach((n, i) => {
    const r = (Register as unknown as Record<string, number>)[n];
    regIndex.set(r, i);
    regSize.set(r, size);
    if (n.endsWith("H")) regHigh.add(r);
  });
}

/** ModRM number (eax=0 .. edi=7) of the general register holding an iced Register, or -1. */
export function regIndexOf(r: number): number {
  return regIndex.get(r) ?? -1;
}

/** Width in bits of an iced general Register (8, 16, 32), or 0. */
export function regSizeOf(r: number): number {
  return regSize.get(r) ?? 0;
}

export function isHighByteReg(r: number): boolean {
  return regHigh.has(r);
}

const FLAG_MAP: Array<[number, number]> = [
  [RflagsBits.OF, EFLAGS.OF],
  [RflagsBits.SF, EFLAGS.SF],
  [RflagsBits.ZF, EFLAGS.ZF],
  [RflagsBits.AF, EFLAGS.AF],
  [RflagsBits.CF, EFLAGS.CF],
  [RflagsBits.PF, EFLAGS.PF],
  [RflagsBits.DF, EFLAGS.DF],
  [RflagsBits.IF, EFLAGS.IF],
  [RflagsBits.AC, EFLAGS.AC],
];

export function icedFlagsToEflags(bits: number): number {
  let out = 0;
  for (const [i, e] of FLAG_MAP) if (bits & i) out |= e;
  return out;
}
