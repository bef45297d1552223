// Memory-management hypercalls of Xen 2.0 (arch/x86/memory.c, common/dom_mem_ops.c):
// mmu_update with its normal, machphys and extended (MMUEXT_*) commands, update_va_mapping
// (which takes VA >> 12 in 2.0) and dom_mem_op. A batch stops at the first bad request with
// -EINVAL; deferred TLB work is done at the end of the batch.
import createDebug from "debug";
import {
  DOMID_IO, DOMID_SELF, EFAULT, EINVAL, ENOSYS, EPERM, ESRCH, HYPERVISOR_VIRT_START,
  MAX_LDT_ENTRIES, MEMOP_decrease_reservation, MEMOP_increase_reservation, MMUEXT_CLEAR_FOREIGNDOM,
  MMUEXT_CMD_MASK, MMUEXT_CMD_SHIFT, MMUEXT_FLUSH_CACHE, MMUEXT_INVLPG, MMUEXT_NEW_BASEPTR,
  MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE, MMUEXT_SET_FOREIGNDOM, MMUEXT_SET_LDT, MMUEXT_TLB_FLUSH,
  MMUEXT_UNPIN_TABLE, MMU_CMD_MASK, MMU_EXTENDED_COMMAND, MMU_MACHPHYS_UPDATE, MMU_NORMAL_PT_UPDATE,
  MMU_UPDATE, PGT_l1_page_table, PGT_l2_page_table, PGT_writable_page, UVMF_FLUSH_TLB, UVMF_INVLPG,
  XEN_PAGE_OFFSET, _PAGE_PRESENT,
} from "./abi.js";
import type { XenCore } from "./core.js";
import type { Domain } from "./domain.js";
import { setLdt } from "./gdt.js";
import { copyFromGuest, readGuest32, writeGuest32, type AddressSpace } from "./guest-memory.js";
import { getPageType, modL1Entry, modL2Entry, putPageType } from "./page-types.js";

const log = createDebug("xen:mm");

/** Deferred work of one batch. */
interface Batch {
  flushAll: boolean;
  invlpg: number[];
  /** Domain whose frames this batch may touch besides the caller's (SET_FOREIGNDOM). */
  foreign: Domain | null;
}

/** The owner against which a frame in a request is checked: the caller or the foreign domain. */
function frameOwnedBy(x: XenCore, d: Domain, b: Batch, mfn: number): boolean {
  if (!x.frames.isValidMfn(mfn)) return false;
  const o = x.frames.owner[mfn];
  return o === d.id || (b.foreign !== null && o === b.foreign.id);
}

/** One MMU_NORMAL_PT_UPDATE: write `val` into the entry at machine address `entryMa`. */
function normalUpdate(x: XenCore, d: Domain, b: Batch, entryMa: number, val: number): boolean {
  const mfn = entryMa >>> 12;
  if (!frameOwnedBy(x, d, b, mfn)) return false;
  const f = x.frames;
  if (f.typeCount[mfn] > 0 && f.type[mfn] === PGT_l1_page_table) return modL1Entry(x, d, entryMa, val);
  if (f.typeCount[mfn] > 0 && f.type[mfn] === PGT_l2_page_table) return modL2Entry(x, d, entryMa, val);
  // Any other frame: a plain word store, allowed only if the frame can be typed writable.
  if (!getPageType(x, d, mfn, PGT_writable_page)) return false;
  x.mem.write32(entryMa, val);
  putPageType(x, mfn);
  return true;
}

function pinTable(x: XenCore, d: Domain, b: Batch, mfn: number, type: number): boolean {
  if (!frameOwnedBy(x, d, b, mfn)) return false;
  if (x.frames.pinned[mfn]) return false;
  if (!getPageType(x, d, mfn, type)) return false;
  x.frames.pinned[mfn] = 1;
  return true;
}

/** Loads a new page directory: takes an L2 reference on it and drops the old one. */
export function newBaseptr(x: XenCore, d: Domain, l2Mfn: number): boolean {
  if (!x.frames.isValidMfn(l2Mfn) || x.frames.owner[l2Mfn] !== d.id) return false;
  if (!getPageType(x, d, l2Mfn, PGT_l2_page_table)) return false;
  x.frames.refs[l2Mfn]++;
  const v = d.vcpu;
  const old = v.baseptrMfn;
  v.baseptrMfn = l2Mfn;
  if (old >= 0) {
    putPageType(x, old);
    x.frames.refs[old]--;
  }
  x.flushTlb();
  return true;
}

function extendedCommand(x: XenCore, d: Domain, b: Batch, ptr: number, val: number): boolean {
  const cmd = val & MMUEXT_CMD_MASK;
  const mfn = ptr >>> 12;
  switch (cmd) {
    case MMUEXT_PIN_L1_TABLE:
      return pinTable(x, d, b, mfn, PGT_l1_page_table);
    case MMUEXT_PIN_L2_TABLE:
      return pinTable(x, d, b, mfn, PGT_l2_page_table);
    case MMUEXT_UNPIN_TABLE:
      if (!frameOwnedBy(x, d, b, mfn) || !x.frames.pinned[mfn]) return false;
      x.frames.pinned[mfn] = 0;
      putPageType(x, mfn);
      return true;
    case MMUEXT_NEW_BASEPTR:
      if (!newBaseptr(x, d, mfn)) return false;
      setLdt(x, d, d.vcpu.ldtBaseVa, d.vcpu.ldtEntries); // drops the shadow LDT
      return true;
    case MMUEXT_TLB_FLUSH:
      b.flushAll = true;
      return true;
    case MMUEXT_INVLPG:
      b.invlpg.push(ptr & ~0xfff);
      return true;
    case MMUEXT_FLUSH_CACHE:
      return false; // physdev-capable domains only
    case MMUEXT_SET_LDT: {
      const ents = val >>> MMUEXT_CMD_SHIFT;
      const base = ptr >>> 0;
      if ((base & 0xfff) !== 0 || ents > MAX_LDT_ENTRIES || base + ents * 8 > XEN_PAGE_OFFSET) return false;
      setLdt(x, d, base, ents);
      return true;
    }
    case MMUEXT_SET_FOREIGNDOM: {
      const domid = val >>> 16;
      if (!d.privileged && domid !== DOMID_IO) return false;
      b.foreign = domid === DOMID_SELF ? d : (x.domains.get(domid) ?? null);
      return true;
    }
    case MMUEXT_CLEAR_FOREIGNDOM:
      b.foreign = null;
      return true;
    default:
      // PIN_L3/L4 do not exist on x86_32; TRANSFER_PAGE needs grant tables, REASSIGN privilege.
      return false;
  }
}

/**
 * mmu_update(reqs, count, success_count): EBX = VA of mmu_update_t[count], ECX = count,
 * EDX = VA of a u32 receiving the number done (may be 0). 0 or -EINVAL/-EFAULT.
 */
export function doMmuUpdate(x: XenCore, as: AddressSpace, d: Domain, reqsVa: number, count: number, doneVa: number): number {
  const b: Batch = { flushAll: false, invlpg: [], foreign: null };
  let done = 0;
  let rc = 0;
  for (; done < count >>> 0; done++) {
    const raw = copyFromGuest(as, (reqsVa + done * MMU_UPDATE.SIZE) >>> 0, MMU_UPDATE.SIZE);
    if (!raw) {
      rc = -EFAULT;
      break;
    }
    const dv = new DataView(raw.buffer);
    const ptr = dv.getUint32(MMU_UPDATE.ptr, true);
    const val = dv.getUint32(MMU_UPDATE.val, true);
    let ok: boolean;
    switch (ptr & MMU_CMD_MASK) {
      case MMU_NORMAL_PT_UPDATE:
        ok = normalUpdate(x, d, b, (ptr & ~MMU_CMD_MASK) >>> 0, val);
        break;
      case MMU_MACHPHYS_UPDATE: {
        const mfn = ptr >>> 12;
        ok = frameOwnedBy(x, d, b, mfn);
        if (ok) x.setM2p(mfn, val);
        break;
      }
      case MMU_EXTENDED_COMMAND:
        ok = extendedCommand(x, d, b, (ptr & ~MMU_CMD_MASK) >>> 0, val);
        break;
      default:
        ok = false;
    }
    if (!ok) {
      log("d%d mmu_update #%d ptr %s val %s refused", d.id, done, ptr.toString(16), val.toString(16));
      rc = -EINVAL;
      break;
    }
  }
  if (b.flushAll) x.flushTlb();
  else for (const va of b.invlpg) x.tlb?.invlpg(va);
  if (doneVa !== 0 && !writeGuest32(as, doneVa, done)) return -EFAULT;
  return rc;
}

/**
 * update_va_mapping(page_nr, val, flags): ECX = new PTE for virtual page EBX (VA >> 12, the
 * 2.0 convention) in the current address space; EDX = UVMF_* flush flags.
 */
export function doUpdateVaMapping(x: XenCore, d: Domain, pageNr: number, val: number, flags: number): number {
  return updateVaMappingIn(x, d, d, pageNr, val, flags);
}

/** The same for another domain's current address space (privileged callers only). */
export function updateVaMappingIn(x: XenCore, caller: Domain, target: Domain, pageNr: number, val: number, flags: number): number {
  pageNr >>>= 0;
  if (pageNr >= HYPERVISOR_VIRT_START >>> 12) return -EINVAL;
  const l2 = target.vcpu.baseptrMfn;
  if (l2 < 0) return -EINVAL;
  const pde = x.mem.read32(l2 * 4096 + (pageNr >>> 10) * 4);
  if ((pde & _PAGE_PRESENT) === 0) return -EINVAL;
  const l1 = pde >>> 12;
  if (!x.frames.isValidMfn(l1) || x.frames.type[l1] !== PGT_l1_page_table) return -EINVAL;
  if (!modL1Entry(x, caller === target ? target : caller, l1 * 4096 + (pageNr & 1023) * 4, val)) return -EINVAL;
  if (flags & UVMF_FLUSH_TLB) x.flushTlb();
  else if (flags & UVMF_INVLPG) x.tlb?.invlpg(pageNr << 12);
  return 0;
}

/**
 * dom_mem_op(op, extent_list, nr_extents, extent_order, domid): increase writes new MFNs into
 * extent_list, decrease frees the MFNs listed. Returns the number of extents processed.
 */
export function doDomMemOp(
  x: XenCore, as: AddressSpace, d: Domain, op: number, listVa: number, nrExtents: number, order: number, domid: number,
): number {
  const target = domid === DOMID_SELF || domid === d.id ? d : d.privileged ? x.domains.get(domid) : undefined;
  if (!target) return d.privileged ? -ESRCH : -EPERM;
  const cmd = op & 0xf;
  if (cmd !== MEMOP_increase_reservation && cmd !== MEMOP_decrease_reservation) return -ENOSYS;
  if (order !== 0) return cmd === MEMOP_increase_reservation ? 0 : -EINVAL;
  let i = op >>> 4;
  for (; i < nrExtents >>> 0; i++) {
    const slot = (listVa + i * 4) >>> 0;
    if (cmd === MEMOP_increase_reservation) {
      const got = x.allocateDomainFrames(target, 1);
      if (!got) break;
      if (!writeGuest32(as, slot, got[0])) {
        x.releaseFrame(got[0]);
        break;
      }
    } else {
      const mfn = readGuest32(as, slot);
      if (mfn === null || !x.frames.isValidMfn(mfn) || x.frames.owner[mfn] !== target.id || mfn === target.sharedInfoMfn) break;
      if (x.frames.pinned[mfn]) {
        x.frames.pinned[mfn] = 0;
        putPageType(x, mfn);
      }
      // Frames still mapped or in use as tables stay until their last reference goes.
      if (x.frames.typeCount[mfn] > 0 || x.frames.refs[mfn] > 1) break;
      x.releaseFrame(mfn);
    }
  }
  return i;
}

