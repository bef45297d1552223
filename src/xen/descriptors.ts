// Xen 2.0's checks on guest-supplied selectors and segment descriptors (x86_32/mm.c
// check_descriptor, VALID_SEL/VALID_CODESEL): a guest descriptor may not have DPL 0, may not
// reach Xen's area at XEN_PAGE_OFFSET (limits are truncated when G=1, refused when G=0), and the
// only system descriptor allowed is a call gate into ring-1 code.
import { FIRST_RESERVED_GDT_ENTRY, FLAT_RING1_CS, XEN_PAGE_OFFSET } from "./abi.js";

/** A selector Xen accepts for guest data: RPL 1 and an LDT slot or a GDT slot below 256. */
export function isValidRing1Selector(sel: number): boolean {
  return ((sel >>> 3) < FIRST_RESERVED_GDT_ENTRY || (sel & 4) !== 0) && (sel & 3) === 1;
}

/** A selector Xen accepts as a handler/callback code segment. */
export function isValidRing1CodeSelector(sel: number): boolean {
  return sel === FLAT_RING1_CS || isValidRing1Selector(sel);
}

const SEG_P = 1 << 15;
const SEG_S = 1 << 12;
const SEG_G = 1 << 23;
/** Type bits of a code/data descriptor's high word: code (else data), conforming or expand-down, readable or writable. */
export const SEG_CODE = 1 << 11;
export const SEG_EC = 1 << 10;
export const SEG_RW = 1 << 9;
const TWO32 = 0x1_0000_0000;

/**
 * Checks one 8-byte descriptor given as two little-endian words. Returns the words to store
 * (the limit may be truncated to end at XEN_PAGE_OFFSET), or null if Xen refuses it.
 */
export function checkDescriptor(lo: number, hi: number): [number, number] | null {
  lo >>>= 0;
  hi >>>= 0;
  if ((hi & SEG_P) === 0) return [lo, hi];
  if ((hi & (3 << 13)) === 0) return null; // DPL 0
  if ((hi & SEG_S) === 0) {
    const type = (hi >>> 8) & 0xf;
    if (type !== 0xc) return null; // only 32-bit call gates
    if (!isValidRing1CodeSelector(lo >>> 16)) return null;
    if ((hi & 0xe0) !== 0) return null;
    return [lo, hi];
  }
  const base = ((hi & 0xff000000) | ((hi & 0xff) << 16) | (lo >>> 16)) >>> 0;
  if (base >= XEN_PAGE_OFFSET - 4096) return null;
  const granular = (hi & SEG_G) !== 0;
  const rawLimit = (hi & 0xf0000) | (lo & 0xffff);
  const limitBytes = (rawLimit + 1) * (granular ? 4096 : 1);
  let newLimitBytes: number;
  if ((hi & (SEG_CODE | SEG_EC)) === SEG_EC) {
    // Grows down: offsets above the limit are valid; the span is safe only if it wraps below base.
    const span = limitBytes % TWO32;
    if (span === 0 || base + span >= TWO32) return [lo, hi];
    newLimitBytes = TWO32 - (base & ~0xfff >>> 0);
  } else {
    if (base + limitBytes <= XEN_PAGE_OFFSET) return [lo, hi];
    newLimitBytes = XEN_PAGE_OFFSET - base;
  }
  if (!granular) return null;
  const raw = ((newLimitBytes / 4096) | 0) - 1;
  const nlo = ((lo & ~0xffff) | (raw & 0xffff)) >>> 0;
  const nhi = ((hi & ~0xf0000) | (raw & 0xf0000)) >>> 0;
  return [nlo, nhi];
}

/** Base, limit (in bytes, inclusive) and access bits of a code/data descriptor. */
export interface SegmentInfo {
  base: number;
  limit: number;
  dpl: number;
  present: boolean;
  code: boolean;
  /** Data: writable. Code: readable. */
  rw: boolean;
  system: boolean;
  expandDown: boolean;
}

/** A code/data descriptor's base (the fields of decodeDescriptor, without an object per call). */
export function descriptorBase(lo: number, hi: number): number {
  return ((hi & 0xff000000) | ((hi & 0xff) << 16) | (lo >>> 16)) >>> 0;
}

/** A code/data descriptor's limit in bytes, inclusive (granularity applied). */
export function descriptorLimit(lo: number, hi: number): number {
  const raw = (hi & 0xf0000) | (lo & 0xffff);
  return (hi & SEG_G) !== 0 ? ((raw * 4096 + 0xfff) >>> 0) : raw;
}

/** Whether a descriptor's high word is a present code or data (not system) segment. */
export function isPresentCodeOrData(hi: number): boolean {
  return (hi & SEG_P) !== 0 && (hi & SEG_S) !== 0;
}

export function decodeDescriptor(lo: number, hi: number): SegmentInfo {
  lo >>>= 0;
  hi >>>= 0;
  return {
    base: descriptorBase(lo, hi),
    limit: descriptorLimit(lo, hi),
    dpl: (hi >>> 13) & 3,
    present: (hi & SEG_P) !== 0,
    code: (hi & SEG_CODE) !== 0,
    rw: (hi & SEG_RW) !== 0,
    system: (hi & SEG_S) === 0,
    expandDown: (hi & (SEG_CODE | SEG_EC)) === SEG_EC,
  };
}
