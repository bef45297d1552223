// String instructions (movs, cmps, stos, lods, scas, ins, outs) with rep/repe/repne.
// Each iteration commits its register updates, so a fault or a stop between iterations leaves
// eip on the instruction and the next run resumes where it stopped (SDM vol. 2 REP).
import type { Cpu } from "./cpu.js";
import { alu, MASK } from "./alu.js";
import { DF, TF } from "./flags.js";
import { getReg, rdMem, setReg, wrMem } from "./execute.js";
import { ioPermitted } from "./transfers.js";

/** Iterations per step before the instruction yields and restarts (keeps slices bounded). */
const CHUNK = 4096;

export function stringOp(c: Cpu, op: number, sz: number): void {
  const a32 = c.adsize32;
  const regs = c.regs;
  const r16 = c.regs16;
  const delta = (c.flags & DF) !== 0 ? -sz : sz;
  const srcSeg = c.segOvr >= 0 ? c.segOvr : 3;
  const kind = op & 0xfe;
  if (kind === 0x6c || kind === 0x6e) ioPermitted(c, r16[4], sz);
  const rep = c.rep;
  let n = 0;
  for (;;) {
    if (rep !== 0) {
      const count = a32 ? regs[1] : r16[2];
      if (count === 0) return;
    }
    const si = a32 ? regs[6] : r16[12];
    const di = a32 ? regs[7] : r16[14];
    let stopCmp = false;
    switch (kind) {
      case 0xa4: {
        const v = rdMem(c, srcSeg, si, sz);
        wrMem(c, 0, di, sz, v);
        advance(c, 6, delta);
        advance(c, 7, delta);
        break;
      }
      case 0xa6: {
        // ES:EDI is read first: the host faults on it before a bad source segment.
        const y = rdMem(c, 0, di, sz);
        const x = rdMem(c, srcSeg, si, sz);
        alu(c, 7, sz, x, y);
        advance(c, 6, delta);
        advance(c, 7, delta);
        stopCmp = true;
        break;
      }
      case 0xaa:
        wrMem(c, 0, di, sz, getReg(c, 0, sz));
        advance(c, 7, delta);
        break;
      case 0xac:
        setReg(c, 0, sz, rdMem(c, srcSeg, si, sz));
        advance(c, 6, delta);
        break;
      case 0xae: {
        const y = rdMem(c, 0, di, sz);
        alu(c, 7, sz, getReg(c, 0, sz), y);
        advance(c, 7, delta);
        stopCmp = true;
        break;
      }
      case 0x6c: {
        // The destination must be writable before the port is read (the read may have effects).
        c.probeWrite(c.linW(0, di, sz), sz);
        const v = c.ioRead(r16[4], sz as 1 | 2 | 4) & MASK[sz];
        wrMem(c, 0, di, sz, v);
        advance(c, 7, delta);
        break;
      }
      default: {
        const v = rdMem(c, srcSeg, si, sz);
        c.ioWrite(r16[4], sz as 1 | 2 | 4, v);
        advance(c, 6, delta);
        break;
      }
    }
    if (rep === 0) return;
    let count: number;
    if (a32) count = regs[1] = (regs[1] - 1) | 0;
    else count = r16[2] = r16[2] - 1;
    if (stopCmp) {
      const zf = c.getZF();
      if (rep === 0xf3 ? !zf : zf) return;
    }
    if (count === 0) return;
    // Single-stepping (EFLAGS.TF or the debugger) traps after every iteration.
    if (++n >= CHUNK || c.stop !== 0 || (c.flags & TF) !== 0 || c.singleStep) {
      c.ip = c.eip; // more to do: run this instruction again
      return;
    }
  }
}

function advance(c: Cpu, r: number, delta: number): void {
  if (c.adsize32) c.regs[r] = (c.regs[r] + delta) | 0;
  else c.regs16[r << 1] = c.regs16[r << 1] + delta;
}
