// The writable-page-table assist (Xen 2.0 VMASST_TYPE_writable_pagetables, memory.c ptwr_*):
// a guest write fault on a read-only PTE that maps one of its L1 tables disconnects that L1 from
// the current L2, snapshots it and lets the guest write it directly. At the next entry into Xen
// (hypercall, exception, deschedule) or a touch of the disconnected region, Xen compares the
// table with the snapshot, validates the changed entries, write-protects it again and
// reconnects it. An invalid new entry crashes the domain, as in Xen. One table at a time.
import createDebug from "debug";
import {
  FIRST_XEN_L2_SLOT, HYPERVISOR_VIRT_START, PGT_l1_page_table, VMASST_TYPE_writable_pagetables,
  _PAGE_PRESENT, _PAGE_RW,
} from "./abi.js";
import type { XenCore } from "./core.js";
import type { Domain } from "./domain.js";
import { getL1e, putL1e } from "./page-types.js";

const log = createDebug("xen:ptwr");

/** The one L1 table a domain is writing directly. */
export interface WritableL1 {
  l1Mfn: number;
  /** Machine address of the PTE that maps the table (made writable meanwhile). */
  pteMa: number;
  /** Machine address of the L2 entry disconnected, or -1 if the table was not hooked in the current L2. */
  pdeMa: number;
  /** Linear range the disconnected L2 entry covers (start), or -1. */
  regionVa: number;
  snapshot: Uint32Array;
}

const active = new WeakMap<Domain, WritableL1>();

export function ptwrActive(d: Domain): WritableL1 | undefined {
  return active.get(d);
}

/**
 * A #PF from `d`: if it is a write to a read-only mapping of one of its L1 tables and the assist
 * is on, open the table for direct writes (or flush an open one the fault ran into). True if the
 * fault was Xen's business and the guest should simply retry the instruction.
 */
export function ptwrFault(x: XenCore, d: Domain, faultVa: number, errorCode: number): boolean {
  if ((d.vmAssist & (1 << VMASST_TYPE_writable_pagetables)) === 0) return false;
  faultVa >>>= 0;
  const open = active.get(d);
  if (open && open.regionVa >= 0 && faultVa >= open.regionVa && faultVa < open.regionVa + 0x400000) {
    ptwrFlush(x, d);
    return true;
  }
  if ((errorCode & 3) !== 3 || faultVa >= HYPERVISOR_VIRT_START) return false;
  const l2 = d.vcpu.baseptrMfn;
  if (l2 < 0) return false;
  const pdeMaOfVa = l2 * 4096 + (faultVa >>> 22) * 4;
  const pde = x.mem.read32(pdeMaOfVa);
  if ((pde & _PAGE_PRESENT) === 0) return false;
  const pteMa = (pde >>> 12) * 4096 + ((faultVa >>> 12) & 1023) * 4;
  const pte = x.mem.read32(pteMa);
  if ((pte & (_PAGE_PRESENT | _PAGE_RW)) !== _PAGE_PRESENT) return false;
  const target = pte >>> 12;
  const f = x.frames;
  if (!f.isValidMfn(target) || f.owner[target] !== d.id || f.type[target] !== PGT_l1_page_table || f.typeCount[target] === 0) return false;
  if (target === pde >>> 12) {
    // The table is hooked at the very slot covering its own mapping: disconnecting it would
    // unmap it, so Xen crashes the domain.
    x.crash(d, "writable page table maps itself");
    return true;
  }
  if (open) ptwrFlush(x, d);
  // Disconnect the table where the current L2 uses it (Xen's ACTIVE case).
  let pdeMa = -1;
  let regionVa = -1;
  for (let slot = 0; slot < FIRST_XEN_L2_SLOT; slot++) {
    const e = x.mem.read32(l2 * 4096 + slot * 4);
    if ((e & _PAGE_PRESENT) !== 0 && e >>> 12 === target) {
      if (pdeMa >= 0) {
        x.crash(d, "writable page table hooked into two L2 slots");
        return true;
      }
      pdeMa = l2 * 4096 + slot * 4;
      regionVa = slot * 0x400000;
    }
  }
  const snapshot = new Uint32Array(1024);
  for (let i = 0; i < 1024; i++) snapshot[i] = x.mem.read32(target * 4096 + i * 4);
  if (pdeMa >= 0) x.mem.write32(pdeMa, (x.mem.read32(pdeMa) & ~_PAGE_PRESENT) >>> 0);
  x.mem.write32(pteMa, (pte | _PAGE_RW) >>> 0);
  active.set(d, { l1Mfn: target, pteMa, pdeMa, regionVa, snapshot });
  x.flushTlb();
  log("d%d opened L1 %d for writing (region %s)", d.id, target, regionVa.toString(16));
  return true;
}

/** Validates and closes the table `d` is writing directly, if any. False if the domain crashed. */
export function ptwrFlush(x: XenCore, d: Domain): boolean {
  const w = active.get(d);
  if (!w) return true;
  active.delete(d);
  const base = w.l1Mfn * 4096;
  let ok = true;
  for (let i = 0; i < 1024; i++) {
    const now = x.mem.read32(base + i * 4);
    const old = w.snapshot[i];
    if (now === old) continue;
    if (!getL1e(x, d, now)) {
      // Put back every entry not yet accounted for, so the table matches its references again.
      for (let j = i; j < 1024; j++) x.mem.write32(base + j * 4, w.snapshot[j]);
      ok = false;
      break;
    }
    putL1e(x, old);
  }
  const pte = x.mem.read32(w.pteMa);
  x.mem.write32(w.pteMa, (pte & ~_PAGE_RW) >>> 0);
  if (w.pdeMa >= 0) x.mem.write32(w.pdeMa, (x.mem.read32(w.pdeMa) | _PAGE_PRESENT) >>> 0);
  x.flushTlb();
  if (!ok) {
    x.crash(d, `writable page table ${w.l1Mfn} holds an invalid entry`);
    return false;
  }
  return true;
}
