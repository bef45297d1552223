// Descriptor tables of a domain (Xen 2.0 x86_32/mm.c): set_gdt gives GDT frames (MFNs) that
// take the "GDT page" type and receive Xen's reserved entries 256..295; update_descriptor writes
// one checked descriptor by machine address; MMUEXT_SET_LDT names a guest LDT by VA, whose pages
// Xen maps lazily into the shadow-LDT area on the first fault there. Both tables are mapped in
// the domain's per-domain L1, which every validated L2 carries in slot PERDOMAIN_L2_SLOT.
import createDebug from "debug";
import {
  DEFAULT_GDT_ENTRIES, EFAULT, EINVAL, FIRST_RESERVED_GDT_ENTRY, GDT_ENTRIES_PER_FRAME,
  LAST_RESERVED_GDT_ENTRY, MAX_GDT_ENTRIES, PGT_gdt_page, PGT_ldt_page, PGT_writable_page,
  _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_RW,
} from "./abi.js";
import type { XenCore } from "./core.js";
import { checkDescriptor } from "./descriptors.js";
import type { Domain } from "./domain.js";
import { copyFromGuest, guestVaToMa, type AddressSpace } from "./guest-memory.js";
import { LDT_PTE_INDEX, LDT_VIRT_START } from "./layout.js";
import { getPageType, putPageType } from "./page-types.js";

const log = createDebug("xen:gdt");

const XEN_PTE = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY;

/** Writes the per-domain L1 entries for the GDT (default or the guest's frames). */
export function mapGdt(x: XenCore, d: Domain): void {
  const l1 = d.perdomainL1Mfn * 4096;
  const frames = d.vcpu.gdtFrames.length > 0 ? d.vcpu.gdtFrames : [x.defaultGdtMfn];
  for (let i = 0; i < 16; i++) x.mem.write32(l1 + i * 4, i < frames.length ? (frames[i] * 4096) | XEN_PTE : 0);
  x.flushTlb();
}

/**
 * set_gdt(frame_list, entries): EBX = VA of a u32 MFN list, ECX = entry count (296..8192).
 * Each frame becomes a GDT page (all 512 descriptors checked); frame 0 gets Xen's entries.
 */
export function doSetGdt(x: XenCore, as: AddressSpace, d: Domain, listVa: number, entries: number): number {
  entries >>>= 0;
  if (entries <= LAST_RESERVED_GDT_ENTRY || entries > MAX_GDT_ENTRIES) return -EINVAL;
  const nr = Math.ceil(entries / GDT_ENTRIES_PER_FRAME);
  const raw = copyFromGuest(as, listVa, nr * 4);
  if (!raw) return -EFAULT;
  const dv = new DataView(raw.buffer);
  const frames: number[] = [];
  for (let i = 0; i < nr; i++) frames.push(dv.getUint32(i * 4, true));
  const rc = installGdt(x, d, frames, entries);
  return rc;
}

/** The checked part of set_gdt, also used by builders: returns 0 or -EINVAL. */
export function installGdt(x: XenCore, d: Domain, frames: number[], entries: number): number {
  const taken: number[] = [];
  const undo = (): number => {
    for (const m of taken) putPageType(x, m);
    return -EINVAL;
  };
  for (let i = 0; i < frames.length; i++) {
    const mfn = frames[i];
    if (!x.frames.isValidMfn(mfn) || x.frames.owner[mfn] !== d.id) return undo();
    let ok = getPageType(x, d, mfn, PGT_gdt_page);
    if (!ok && i === 0 && x.frames.typeCount[mfn] === 0) {
      // Stale copies of Xen's ring-0 entries fail the check: clear the reserved slots and retry.
      x.mem.fill(mfn * 4096 + FIRST_RESERVED_GDT_ENTRY * 8, 40 * 8, 0);
      ok = getPageType(x, d, mfn, PGT_gdt_page);
    }
    if (!ok) return undo();
    taken.push(mfn);
  }
  x.writeReservedGdtEntries(frames[0]);
  const v = d.vcpu;
  for (const old of v.gdtFrames) putPageType(x, old);
  v.gdtFrames = frames;
  v.gdtEntries = entries;
  mapGdt(x, d);
  log("d%d set_gdt %d entries in %d frames", d.id, entries, frames.length);
  return 0;
}

/** Drops the domain's GDT, going back to Xen's default table. */
export function dropGdt(x: XenCore, d: Domain): void {
  for (const old of d.vcpu.gdtFrames) putPageType(x, old);
  d.vcpu.gdtFrames = [];
  d.vcpu.gdtEntries = DEFAULT_GDT_ENTRIES;
}

/**
 * update_descriptor(ma, word_lo, word_hi): one 8-byte descriptor at machine address EBX in a
 * frame the caller owns; Xen's slots of the current GDT are refused. 0 or -EINVAL.
 */
export function doUpdateDescriptor(x: XenCore, d: Domain, ma: number, lo: number, hi: number): number {
  ma >>>= 0;
  if ((ma & 7) !== 0) return -EINVAL;
  const mfn = ma >>> 12;
  if (!x.frames.isValidMfn(mfn) || x.frames.owner[mfn] !== d.id || mfn === d.sharedInfoMfn) return -EINVAL;
  const gdtIndex = d.vcpu.gdtFrames.indexOf(mfn);
  if (gdtIndex >= 0) {
    const entry = gdtIndex * GDT_ENTRIES_PER_FRAME + ((ma & 0xfff) >>> 3);
    if (entry >= FIRST_RESERVED_GDT_ENTRY && entry <= LAST_RESERVED_GDT_ENTRY) return -EINVAL;
  }
  const checked = checkDescriptor(lo, hi);
  if (!checked) return -EINVAL;
  const f = x.frames;
  const typed = f.typeCount[mfn] > 0 && (f.type[mfn] === PGT_gdt_page || f.type[mfn] === PGT_ldt_page);
  if (!typed && !getPageType(x, d, mfn, PGT_writable_page)) return -EINVAL;
  x.mem.write32(ma, checked[0]);
  x.mem.write32(ma + 4, checked[1]);
  if (!typed) putPageType(x, mfn);
  return 0;
}

/** Sets the LDT (linear base, entries) and throws away the shadow mapping of the old one. */
export function setLdt(x: XenCore, d: Domain, baseVa: number, entries: number): void {
  const v = d.vcpu;
  const l1 = d.perdomainL1Mfn * 4096;
  for (let i = 0; i < v.ldtShadow.length; i++) {
    const m = v.ldtShadow[i];
    if (m >= 0) {
      putPageType(x, m);
      x.frames.refs[m]--;
      v.ldtShadow[i] = -1;
      x.mem.write32(l1 + (LDT_PTE_INDEX + i) * 4, 0);
    }
  }
  v.ldtBaseVa = baseVa >>> 0;
  v.ldtEntries = entries;
  x.flushTlb();
}

/**
 * A fault at the shadow-LDT area: maps the guest's LDT page behind `faultVa` (giving it the
 * LDT type). False if the guest's LDT page is missing or unusable; the fault is then the guest's.
 */
export function mapLdtShadowPage(x: XenCore, as: AddressSpace, d: Domain, faultVa: number): boolean {
  const v = d.vcpu;
  const index = ((faultVa >>> 0) - LDT_VIRT_START) >>> 12;
  if (index >= 16 || index * GDT_ENTRIES_PER_FRAME >= v.ldtEntries || v.ldtShadow[index] >= 0) return false;
  const ma = guestVaToMa(as, v.ldtBaseVa + index * 4096, false);
  if (ma < 0) return false;
  const mfn = ma >>> 12;
  if (x.frames.owner[mfn] !== d.id) return false;
  if (!getPageType(x, d, mfn, PGT_ldt_page)) return false;
  x.frames.refs[mfn]++;
  v.ldtShadow[index] = mfn;
  x.counters.ldtShadowMaps++;
  x.mem.write32(d.perdomainL1Mfn * 4096 + (LDT_PTE_INDEX + index) * 4, (mfn * 4096) | XEN_PTE);
  x.tlb?.invlpg(LDT_VIRT_START + index * 4096);
  return true;
}
