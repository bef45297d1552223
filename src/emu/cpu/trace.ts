// One trace line per instruction for DEBUG=emu:trace: linear address, bytes, iced-x86
// disassembly and registers. Only the slow run loop calls it.
import { createRequire } from "node:module";
import type { Cpu } from "./cpu.js";

interface Iced {
  Decoder: new (bitness: number, data: Uint8Array, options: number) => {
    ip: bigint;
    decode(): { length: number; free(): void };
    free(): void;
  };
  Formatter: new (syntax: number) => { format(insn: unknown): string; free(): void };
  FormatterSyntax: { Gas: number };
  DecoderOptions: { None: number };
}

let iced: Iced | null | undefined;

function loadIced(): Iced | null {
  if (iced === undefined) {
    try {
      iced = createRequire(import.meta.url)("iced-x86") as Iced;
    } catch {
      iced = null;
    }
  }
  return iced;
}

const hex = (v: number, w = 8): string => (v >>> 0).toString(16).padStart(w, "0");

export function traceInstruction(c: Cpu): string {
  const la = (c.csBase + c.ip) | 0;
  const bytes = c.readLinear(la, 15) ?? new Uint8Array(0);
  let text = "?";
  let len = Math.min(bytes.length, 1);
  const lib = loadIced();
  if (lib !== null && bytes.length > 0) {
    const d = new lib.Decoder(c.code32 ? 32 : 16, bytes, lib.DecoderOptions.None);
    d.ip = BigInt(c.ip >>> 0);
    const insn = d.decode();
    const f = new lib.Formatter(lib.FormatterSyntax.Gas);
    text = f.format(insn);
    len = insn.length;
    insn.free();
    f.free();
    d.free();
  }
  const b = Array.from(bytes.subarray(0, len), (x) => x.toString(16).padStart(2, "0")).join("");
  const r = c.regs;
  return `${hex(c.segSel[1], 4)}:${hex(c.ip)} ${b.padEnd(16)} ${text.padEnd(32)} ` +
    `eax=${hex(r[0])} ecx=${hex(r[1])} edx=${hex(r[2])} ebx=${hex(r[3])} esp=${hex(r[4])} ebp=${hex(r[5])} ` +
    `esi=${hex(r[6])} edi=${hex(r[7])} fl=${hex(c.getEflags())}`;
}
