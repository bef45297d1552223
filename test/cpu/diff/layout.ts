// The fixed low address space every differential CPU case runs in, native and emulated alike.
// Mirrors scripts/cpu-diff/case-layout.h (layout.test.ts checks the two agree): data and stack
// pages, a read-only page, a code page filled with int3, everything else unmapped.

export const DATA_BASE = 0x8000;
export const DATA_SIZE = 0x2000;
export const RO_BASE = 0xa000;
export const RO_SIZE = 0x1000;
export const CODE_BASE = 0xc000;
export const CODE_SIZE = 0x1000;
export const PATTERN_SEED = 0x2545f491;
export const USER_CS = 0x23;
export const USER_DS = 0x2b;
/** Bytes of the fixed part of an input record and of an output record. */
export const IN_FIXED = 52;
export const OUT_FIXED = 72;

/** The fill of the data and read-only pages (xorshift32 words from PATTERN_SEED). */
export function patternBytes(): Uint8Array {
  const out = new Uint8Array(DATA_SIZE + RO_SIZE);
  const view = new DataView(out.buffer);
  let x = PATTERN_SEED;
  for (let i = 0; i < out.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    view.setUint32(i, x >>> 0, true);
  }
  return out;
}

/** EFLAGS bits (SDM vol. 1 §3.4.3). */
export const EFLAGS = {
  CF: 1 << 0,
  PF: 1 << 2,
  AF: 1 << 4,
  ZF: 1 << 6,
  SF: 1 << 7,
  TF: 1 << 8,
  IF: 1 << 9,
  DF: 1 << 10,
  OF: 1 << 11,
  IOPL: 3 << 12,
  NT: 1 << 14,
  RF: 1 << 16,
  VM: 1 << 17,
  AC: 1 << 18,
  VIF: 1 << 19,
  VIP: 1 << 20,
  ID: 1 << 21,
} as const;
