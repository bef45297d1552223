// Just enough x87 for code that probes for an FPU (fninit, fnstsw, fnstcw, fldcw, fnclex,
// fwait). Every other x87 opcode raises #UD; CR0.EM/TS raise #NM first (SDM vol. 3 §2.5).
import type { Cpu } from "./cpu.js";
import { CR0_EM, CR0_MP, CR0_TS, Vector } from "./constants.js";
import { ea } from "./execute.js";

export function x87(c: Cpu, op: number): void {
  const cr0 = c.cr0;
  if (op === 0x9b) {
    if ((cr0 & CR0_TS) !== 0 && (cr0 & CR0_MP) !== 0) c.raise(Vector.NM, -1);
    return;
  }
  if ((cr0 & (CR0_EM | CR0_TS)) !== 0) c.raise(Vector.NM, -1);
  const m = c.fb();
  const reg = (m >> 3) & 7;
  if (m >= 0xc0) {
    if (op === 0xdb && m === 0xe3) { // fninit
      c.fpuCw = 0x37f;
      c.fpuSw = 0;
      c.fpuTag = 0xffff;
      return;
    }
    if (op === 0xdb && m === 0xe2) { c.fpuSw &= 0x7f00; return; } // fnclex
    if (op === 0xdf && m === 0xe0) { c.regs16[0] = c.fpuSw; return; } // fnstsw ax
    if (op === 0xd9 && m === 0xd0) return; // fnop
    c.raise(Vector.UD, -1);
  }
  const a = ea(c, m);
  if (op === 0xd9 && reg === 7) { c.wr16(c.eaSeg, a, c.fpuCw); return; } // fnstcw
  if (op === 0xd9 && reg === 5) { c.fpuCw = c.rd16(c.eaSeg, a) | 0x40; return; } // fldcw
  if (op === 0xdd && reg === 7) { c.wr16(c.eaSeg, a, c.fpuSw); return; } // fnstsw m16
  c.raise(Vector.UD, -1);
}
