// Page types and reference counts as Xen 2.0 keeps them (arch/x86/memory.c get_page_type,
// put_page_type, get_page_from_l1e/l2e, alloc/free_l1/l2_table): a frame changes type only at
// type count 0, taking an L1/L2/GDT/LDT type validates every entry, and a present RW PTE holds a
// "writable" reference on its target, so page tables and descriptor tables are never writable
// while in use. Frames are named by MFN; entries are the raw 32-bit PTE/PDE values.
import {
  FIRST_XEN_L2_SLOT, GDT_ENTRIES_PER_FRAME, L1_DISALLOW_MASK, L2_DISALLOW_MASK,
  PGT_gdt_page, PGT_l1_page_table, PGT_l2_page_table, PGT_ldt_page, PGT_none, PGT_writable_page,
  _PAGE_PRESENT, _PAGE_RW,
} from "./abi.js";
import { checkDescriptor } from "./descriptors.js";
import type { Domain } from "./domain.js";
import type { Mfn } from "./frames.js";
import type { XenCore } from "./core.js";

/** Xen's own PDEs copied into slots 1008.. of every validated L2. */
function installXenSlots(x: XenCore, l2Mfn: Mfn, d: Domain): void {
  const base = l2Mfn * 4096;
  for (let slot = FIRST_XEN_L2_SLOT; slot < 1024; slot++) {
    x.mem.view.setUint32(base + slot * 4, x.xenL2Entry(slot, d) >>> 0, true);
  }
  x.mem.noteWrite(base + FIRST_XEN_L2_SLOT * 4, (1024 - FIRST_XEN_L2_SLOT) * 4);
}

/** True if `d` may reference frame `mfn` from its page tables (it owns it). */
export function ownsFrame(x: XenCore, d: Domain, mfn: Mfn): boolean {
  return x.frames.isValidMfn(mfn) && x.frames.owner[mfn] === d.id;
}

/** Takes a general reference on a frame `d` owns. */
export function getPage(x: XenCore, d: Domain, mfn: Mfn): boolean {
  if (!ownsFrame(x, d, mfn)) return false;
  x.frames.refs[mfn]++;
  return true;
}

/** Drops a general reference; the frame goes back to the pool at zero. */
export function putPage(x: XenCore, mfn: Mfn): void {
  const f = x.frames;
  if (--f.refs[mfn] <= 0) x.releaseFrame(mfn);
}

/**
 * Takes a type reference of `type` on `mfn` for domain `d`, validating the contents when the
 * frame takes the type afresh. False if the frame is in use with another type or invalid.
 */
export function getPageType(x: XenCore, d: Domain, mfn: Mfn, type: number): boolean {
  const f = x.frames;
  if (f.typeCount[mfn] > 0) {
    if (f.type[mfn] !== type) return false;
    f.typeCount[mfn]++;
    return true;
  }
  f.type[mfn] = type;
  f.typeCount[mfn] = 1;
  f.validated[mfn] = 0;
  if (type !== PGT_writable_page) {
    // A frame becoming a table may still sit writable in the TLB from an old mapping.
    x.flushTlb();
    let ok = true;
    if (type === PGT_l1_page_table) ok = allocL1Table(x, d, mfn);
    else if (type === PGT_l2_page_table) ok = allocL2Table(x, d, mfn);
    else if (type === PGT_gdt_page || type === PGT_ldt_page) ok = checkDescriptorPage(x, mfn);
    if (!ok) {
      f.typeCount[mfn] = 0;
      f.type[mfn] = PGT_none;
      return false;
    }
  }
  f.validated[mfn] = 1;
  return true;
}

/** Drops a type reference; at zero a page table releases what its entries referenced. */
export function putPageType(x: XenCore, mfn: Mfn): void {
  const f = x.frames;
  if (f.typeCount[mfn] <= 0) throw new Error(`Cannot drop type of frame ${mfn}: type count is 0`);
  if (--f.typeCount[mfn] > 0) return;
  const type = f.type[mfn];
  f.validated[mfn] = 0;
  f.pinned[mfn] = 0;
  if (type === PGT_l1_page_table) freeL1Table(x, mfn);
  else if (type === PGT_l2_page_table) freeL2Table(x, mfn);
  f.type[mfn] = PGT_none;
}

function checkDescriptorPage(x: XenCore, mfn: Mfn): boolean {
  const base = mfn * 4096;
  for (let i = 0; i < GDT_ENTRIES_PER_FRAME; i++) {
    const lo = x.mem.view.getUint32(base + i * 8, true);
    const hi = x.mem.view.getUint32(base + i * 8 + 4, true);
    const ok = checkDescriptor(lo, hi);
    if (!ok) return false;
    if (ok[0] !== lo || ok[1] !== hi) {
      x.mem.write32(base + i * 8, ok[0]);
      x.mem.write32(base + i * 8 + 4, ok[1]);
    }
  }
  return true;
}

// ---- L1 entries --------------------------------------------------------------------------------

/** get_page_from_l1e: checks a present PTE and takes the references it implies. */
export function getL1e(x: XenCore, d: Domain, pte: number): boolean {
  if ((pte & _PAGE_PRESENT) === 0) return true;
  if ((pte & L1_DISALLOW_MASK) !== 0) return false;
  const mfn = pte >>> 12;
  if (!getPage(x, d, mfn)) return false;
  if ((pte & _PAGE_RW) !== 0 && !getPageType(x, d, mfn, PGT_writable_page)) {
    putPage(x, mfn);
    return false;
  }
  return true;
}

export function putL1e(x: XenCore, pte: number): void {
  if ((pte & _PAGE_PRESENT) === 0) return;
  const mfn = pte >>> 12;
  if (!x.frames.isValidMfn(mfn)) return;
  if ((pte & _PAGE_RW) !== 0) putPageType(x, mfn);
  putPage(x, mfn);
}

function allocL1Table(x: XenCore, d: Domain, mfn: Mfn): boolean {
  const base = mfn * 4096;
  for (let i = 0; i < 1024; i++) {
    if (!getL1e(x, d, x.mem.view.getUint32(base + i * 4, true))) {
      while (--i >= 0) putL1e(x, x.mem.view.getUint32(base + i * 4, true));
      return false;
    }
  }
  return true;
}

function freeL1Table(x: XenCore, mfn: Mfn): void {
  const base = mfn * 4096;
  for (let i = 0; i < 1024; i++) putL1e(x, x.mem.view.getUint32(base + i * 4, true));
}

// ---- L2 entries --------------------------------------------------------------------------------

/**
 * get_page_from_l2e: a present PDE makes its target an L1 table; failing that it is accepted as
 * a read-only linear mapping of an already validated L2 (or of `selfMfn` itself).
 */
export function getL2e(x: XenCore, d: Domain, pde: number, selfMfn: Mfn): boolean {
  if ((pde & _PAGE_PRESENT) === 0) return true;
  if ((pde & L2_DISALLOW_MASK) !== 0) return false;
  const mfn = pde >>> 12;
  if (!getPage(x, d, mfn)) return false;
  if (getPageType(x, d, mfn, PGT_l1_page_table)) return true;
  if ((pde & _PAGE_RW) === 0) {
    if (mfn === selfMfn) return true;
    const f = x.frames;
    if (f.type[mfn] === PGT_l2_page_table && f.validated[mfn] && getPageType(x, d, mfn, PGT_l2_page_table)) return true;
  }
  putPage(x, mfn);
  return false;
}

export function putL2e(x: XenCore, pde: number, selfMfn: Mfn): void {
  if ((pde & _PAGE_PRESENT) === 0) return;
  const mfn = pde >>> 12;
  if (!x.frames.isValidMfn(mfn)) return;
  if (mfn !== selfMfn) putPageType(x, mfn);
  putPage(x, mfn);
}

function allocL2Table(x: XenCore, d: Domain, mfn: Mfn): boolean {
  const base = mfn * 4096;
  for (let i = 0; i < FIRST_XEN_L2_SLOT; i++) {
    if (!getL2e(x, d, x.mem.view.getUint32(base + i * 4, true), mfn)) {
      while (--i >= 0) putL2e(x, x.mem.view.getUint32(base + i * 4, true), mfn);
      return false;
    }
  }
  installXenSlots(x, mfn, d);
  return true;
}

function freeL2Table(x: XenCore, mfn: Mfn): void {
  const base = mfn * 4096;
  for (let i = 0; i < FIRST_XEN_L2_SLOT; i++) putL2e(x, x.mem.view.getUint32(base + i * 4, true), mfn);
}

// ---- Updating one entry in a live table (mod_l1_entry / mod_l2_entry) --------------------------

/** Replaces the PTE at machine address `pteMa` in a validated L1 frame. */
export function modL1Entry(x: XenCore, d: Domain, pteMa: number, newPte: number): boolean {
  newPte >>>= 0;
  const old = x.mem.read32(pteMa);
  // Same frame, P and RW: only bits 2-11 change, no references move.
  if (((old ^ newPte) & (0xfffff000 | _PAGE_PRESENT | _PAGE_RW)) === 0 && (newPte & L1_DISALLOW_MASK) === 0) {
    x.mem.write32(pteMa, newPte);
    return true;
  }
  if (!getL1e(x, d, newPte)) return false;
  x.mem.write32(pteMa, newPte);
  putL1e(x, old);
  return true;
}

/** Replaces the PDE at machine address `pdeMa` in a validated L2 frame; Xen's slots are refused. */
export function modL2Entry(x: XenCore, d: Domain, pdeMa: number, newPde: number): boolean {
  newPde >>>= 0;
  const slot = (pdeMa & 0xfff) >>> 2;
  if (slot >= FIRST_XEN_L2_SLOT) return false;
  const selfMfn = pdeMa >>> 12;
  const old = x.mem.read32(pdeMa);
  if (((old ^ newPde) & (0xfffff000 | _PAGE_PRESENT)) === 0 && (newPde & L2_DISALLOW_MASK) === 0 && (newPde & _PAGE_PRESENT) !== 0) {
    // Same frame and P: RW may differ, except for a linear self/L2 map which must stay RO.
    if ((newPde & _PAGE_RW) === 0 || x.frames.type[newPde >>> 12] === PGT_l1_page_table) {
      x.mem.write32(pdeMa, newPde);
      return true;
    }
  }
  if (!getL2e(x, d, newPde, selfMfn)) return false;
  x.mem.write32(pdeMa, newPde);
  putL2e(x, old, selfMfn);
  return true;
}
