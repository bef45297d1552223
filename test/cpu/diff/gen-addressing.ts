// Where a generated case's operands point: memory targets inside (or deliberately just outside)
// the layout, ModRM/SIB encodings that reach them with the registers at hand, and jump targets
// on int3 filler or absent pages.
import { CODE_BASE, CODE_SIZE, DATA_BASE, DATA_SIZE, RO_BASE } from "./layout.js";
import type { Form } from "./forms.js";
import { Rng } from "./rng.js";
import { CaseBuilder, EBP, EBX, EDI, ESI, ESP, FREE, reject } from "./gen-case-builder.js";

/** Where a memory operand may point: mostly scratch data, sometimes pages that fault. */
export function pickTarget(rng: Rng, size: number): number {
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
export function encodeMemory(b: CaseBuilder, rng: Rng, reg: number, a16: boolean, target: number): number[] {
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

export function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
export function le16(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}

/** A jump target: int3 filler in the code page outside the sequence, or an unmapped page. */
export function pickJumpTarget(rng: Rng, b: CaseBuilder, opsize16: boolean): number {
  if (rng.chance(0.05)) return rng.pick([0xd000, 0xd7f3, 0x1000, 0x7ffe, 0xb004]);
  for (let tries = 0; tries < 20; tries++) {
    const t = CODE_BASE + rng.range(0, CODE_SIZE - 1);
    const start = CODE_BASE + b.codeOff;
    if (t >= start - 2 && t < start + 64) continue;
    return opsize16 ? t & 0xffff : t;
  }
  throw reject;
}

/** Accesses outside [0, 0xE000) or data writes into the code page would escape the layout. */
export function safeAccess(addr: number, size: number, write: boolean): boolean {
  if (addr + size > 0xe000 || addr < 0) return false;
  if (write && addr + size > CODE_BASE && addr < CODE_BASE + CODE_SIZE) return false;
  return true;
}

export function memOperandSize(form: Form, dflt: number): number {
  if (/m1632|m3232/.test(form.name)) return 8;
  if (/m1616/.test(form.name)) return 4;
  if (form.name.includes("m64")) return 8;
  return dflt;
}
