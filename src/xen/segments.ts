// Xen's view of a guest's segment registers: reading a descriptor through the domain's GDT
// (per-domain area) or LDT, and the checks Xen's return path meets when it reloads the guest's
// data segments (a failure there is what enters the failsafe callback) and when it pushes a
// bounce frame through the guest's SS.
import { decodeDescriptor, descriptorBase, descriptorLimit, isPresentCodeOrData, SEG_CODE, SEG_EC, SEG_RW, type SegmentInfo } from "./descriptors.js";
import type { Domain } from "./domain.js";
import type { XenCore } from "./core.js";
import { guestVaToMa, type AddressSpace } from "./guest-memory.js";

/** Machine address of the 8-byte descriptor a selector names, or -1 if outside the table. */
export function descriptorMa(x: XenCore, as: AddressSpace, d: Domain, sel: number): number {
  const index = sel >>> 3;
  const v = d.vcpu;
  if (sel & 4) {
    if (index >= v.ldtEntries) return -1;
    return guestVaToMa(as, v.ldtBaseVa + index * 8, false);
  }
  if (index >= v.gdtEntries) return -1;
  const frame = v.gdtFrames.length > 0 ? v.gdtFrames[index >>> 9] : index >>> 9 === 0 ? x.defaultGdtMfn : undefined;
  if (frame === undefined) return -1;
  return frame * 4096 + (index & 511) * 8;
}

/** The 8-byte descriptor a selector names, as [lo, hi], or null if outside the table. */
export function readDescriptor(x: XenCore, as: AddressSpace, d: Domain, sel: number): [number, number] | null {
  const ma = descriptorMa(x, as, d, sel);
  if (ma < 0) return null;
  return [x.mem.read32(ma), x.mem.read32(ma + 4)];
}

/** The segment a selector names, or null when it cannot be loaded into SS/CS/data registers. */
export function segmentOf(x: XenCore, as: AddressSpace, d: Domain, sel: number): SegmentInfo | null {
  if ((sel & ~3) === 0) return null;
  const raw = readDescriptor(x, as, d, sel);
  if (!raw) return null;
  const s = decodeDescriptor(raw[0], raw[1]);
  return s.present && !s.system ? s : null;
}

/**
 * Would loading `sel` into DS/ES/FS/GS at privilege `cpl` succeed? Null selectors load; others
 * need a present data or readable code segment with DPL >= max(CPL, RPL) (conforming code aside).
 */
export function canLoadDataSegment(x: XenCore, as: AddressSpace, d: Domain, sel: number, cpl: number): boolean {
  if ((sel & ~3) === 0) return true;
  // Read in place rather than through segmentOf: this runs for four selectors on every return.
  const ma = descriptorMa(x, as, d, sel);
  if (ma < 0) return false;
  const hi = x.mem.read32(ma + 4) >>> 0;
  if (!isPresentCodeOrData(hi)) return false;
  const code = (hi & SEG_CODE) !== 0;
  if (code && (hi & SEG_RW) === 0) return false;
  const conforming = code && (hi & SEG_EC) !== 0;
  const dpl = (hi >>> 13) & 3;
  return conforming || dpl >= Math.max(cpl, sel & 3);
}

/** Linear address of SS:offset for a push, or -1 if the offset is outside the stack segment. */
export function stackLinear(x: XenCore, as: AddressSpace, d: Domain, ss: number, offset: number): number {
  // Read in place rather than through segmentOf: every bounce frame and upcall comes here.
  if ((ss & ~3) === 0) return -1;
  const ma = descriptorMa(x, as, d, ss);
  if (ma < 0) return -1;
  const lo = x.mem.read32(ma) >>> 0;
  const hi = x.mem.read32(ma + 4) >>> 0;
  // A present, writable data segment (not code).
  if (!isPresentCodeOrData(hi) || (hi & SEG_CODE) !== 0 || (hi & SEG_RW) === 0) return -1;
  const limit = descriptorLimit(lo, hi);
  offset >>>= 0;
  if ((hi & SEG_EC) !== 0) {
    // Expand-down: valid offsets lie above the limit.
    if (offset <= limit) return -1;
  } else if (offset + 3 > limit) {
    return -1;
  }
  return (descriptorBase(lo, hi) + offset) >>> 0;
}
