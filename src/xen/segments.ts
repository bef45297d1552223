// Xen's view of a guest's segment registers: reading a descriptor through the domain's GDT
// (per-domain area) or LDT, and the checks Xen's return path meets when it reloads the guest's
// data segments (a failure there is what enters the failsafe callback) and when it pushes a
// bounce frame through the guest's SS.
import { decodeDescriptor, type SegmentInfo } from "./descriptors.js";
import type { Domain } from "./domain.js";
import type { XenCore } from "./core.js";
import { guestVaToMa, type AddressSpace } from "./guest-memory.js";

/** The 8-byte descriptor a selector names, as [lo, hi], or null if outside the table. */
export function readDescriptor(x: XenCore, as: AddressSpace, d: Domain, sel: number): [number, number] | null {
  const index = sel >>> 3;
  const v = d.vcpu;
  let ma: number;
  if (sel & 4) {
    if (index >= v.ldtEntries) return null;
    const va = v.ldtBaseVa + index * 8;
    ma = guestVaToMa(as, va, false);
    if (ma < 0) return null;
  } else {
    if (index >= v.gdtEntries) return null;
    const frames = v.gdtFrames.length > 0 ? v.gdtFrames : [x.defaultGdtMfn];
    const frame = frames[index >>> 9];
    if (frame === undefined) return null;
    ma = frame * 4096 + (index & 511) * 8;
  }
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
  const s = segmentOf(x, as, d, sel);
  if (!s) return false;
  if (s.code && !s.rw) return false;
  const conforming = s.code && (readDescriptor(x, as, d, sel)![1] & (1 << 10)) !== 0;
  if (!conforming && s.dpl < Math.max(cpl, sel & 3)) return false;
  return true;
}

/** Linear address of SS:offset for a push, or -1 if the offset is outside the stack segment. */
export function stackLinear(x: XenCore, as: AddressSpace, d: Domain, ss: number, offset: number): number {
  const s = segmentOf(x, as, d, ss);
  if (!s || s.code || !s.rw) return -1;
  offset >>>= 0;
  if (s.expandDown) {
    if (offset <= s.limit) return -1;
  } else if (offset + 3 > s.limit) {
    return -1;
  }
  return (s.base + offset) >>> 0;
}
