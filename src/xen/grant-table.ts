// Xen 2.0 grant tables (hypercall 20, common/grant_table.c as the public header describes it):
// each domain has one Xen-allocated table frame of grant_entry_t, shared writable with it; a
// domain maps another's frame only through an entry that names it, and Xen tracks each mapping
// in the mapper's maptrack (the handle) so that unmap and domain death can undo it exactly.
import createDebug from "debug";
import {
  DOMID_SELF, EFAULT, EINVAL, GNTMAP_application_map, GNTMAP_device_map, GNTMAP_host_map, GNTMAP_readonly,
  GNTST_bad_dev_addr, GNTST_bad_domain, GNTST_bad_gntref, GNTST_bad_handle, GNTST_bad_virt_addr,
  GNTST_general_error, GNTST_no_device_space, GNTST_okay, GNTST_permission_denied, GNTTABOP_map_grant_ref,
  GNTTABOP_setup_table, GNTTABOP_unmap_grant_ref, GNTTAB_MAP_GRANT_REF, GNTTAB_SETUP_TABLE,
  GNTTAB_UNMAP_GRANT_REF, GRANT_ENTRY, GTF_permit_access, GTF_readonly, GTF_reading, GTF_type_mask,
  GTF_writing, HYPERVISOR_VIRT_START, INVALID_M2P_ENTRY, NR_GRANT_ENTRIES, NR_GRANT_FRAMES,
  PGT_l1_page_table, PGT_writable_page, _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_RW, _PAGE_USER,
} from "./abi.js";
import type { XenCore } from "./core.js";
import type { Domain } from "./domain.js";
import { copyFromGuest, copyToGuest, writeGuest32, type AddressSpace } from "./guest-memory.js";
import { getPageType, putL1e, putPage, putPageType } from "./page-types.js";

const log = createDebug("xen:grant");

/** Maptrack entries per domain; a full maptrack answers GNTST_no_device_space. */
export const MAPTRACK_ENTRIES = 256;
/** Requests handled per hypercall; the count is otherwise unbounded in the ABI. */
const MAX_BATCH = 512;

/** One mapping a domain made of another's granted frame. */
export interface GrantMapping {
  granter: number;
  ref: number;
  mfn: number;
  writable: boolean;
  /** VA of the host mapping (GNTMAP_host_map), or -1. */
  hostVa: number;
  /** Machine address of the PTE written for the host mapping (stays right if the guest switches tables). */
  pteMa: number;
  /** True while the mapping holds a device reference (GNTMAP_device_map). */
  device: boolean;
}

/** A domain's grant state: its table frames (as granter) and its maptrack (as mapper). */
export class GrantTable {
  /** MFNs of the shared table, empty until first needed. */
  frames: number[] = [];
  /** Handle -> mapping; null slots are free. */
  readonly maptrack: Array<GrantMapping | null> = [];
}

function tableOf(d: Domain): GrantTable {
  d.grants ??= new GrantTable();
  return d.grants;
}

/** Creates a domain's table frames: owned by the domain, Xen holding a permanent writable type like shared_info. */
function ensureFrames(x: XenCore, d: Domain): boolean {
  const t = tableOf(d);
  if (t.frames.length > 0) return true;
  const got = x.pool.allocate(NR_GRANT_FRAMES, d.id);
  if (!got) return false;
  for (const mfn of got) {
    x.mem.fill(mfn * 4096, 4096, 0);
    x.frames.type[mfn] = PGT_writable_page;
    x.frames.typeCount[mfn] = 1;
    x.frames.validated[mfn] = 1;
    x.setM2p(mfn, INVALID_M2P_ENTRY);
  }
  t.frames = got;
  return true;
}

function entryMa(t: GrantTable, ref: number): number {
  const perFrame = 4096 / GRANT_ENTRY.SIZE;
  return t.frames[Math.floor(ref / perFrame)] * 4096 + (ref % perFrame) * GRANT_ENTRY.SIZE;
}

function findDomain(x: XenCore, caller: Domain, domid: number): Domain | null {
  if (domid === DOMID_SELF) return caller;
  const d = x.domains.get(domid);
  return d && !d.dying && d.id !== 0 ? d : null;
}

// ---- setup_table --------------------------------------------------------------------------------

function setupTable(x: XenCore, as: AddressSpace, d: Domain, opVa: number): number {
  const raw = copyFromGuest(as, opVa, GNTTAB_SETUP_TABLE.SIZE);
  if (!raw) return -EFAULT;
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dom = v.getUint16(GNTTAB_SETUP_TABLE.dom, true);
  const nr = v.getUint16(GNTTAB_SETUP_TABLE.nr_frames, true);
  const listVa = v.getUint32(GNTTAB_SETUP_TABLE.frame_list, true);
  let status: number = GNTST_okay;
  let target: Domain | null = d;
  if (dom !== DOMID_SELF && dom !== d.id) target = d.privileged ? findDomain(x, d, dom) : null;
  if (nr > NR_GRANT_FRAMES) status = GNTST_general_error;
  else if (dom !== DOMID_SELF && dom !== d.id && !d.privileged) status = GNTST_permission_denied;
  else if (target === null) status = GNTST_bad_domain;
  else if (!ensureFrames(x, target)) status = GNTST_general_error;
  else {
    const frames = tableOf(target).frames;
    for (let i = 0; i < nr; i++) if (!writeGuest32(as, listVa + i * 4, frames[i])) return -EFAULT;
  }
  const st = new Uint8Array(2);
  new DataView(st.buffer).setInt16(0, status, true);
  return copyToGuest(as, opVa + GNTTAB_SETUP_TABLE.status, st) ? 0 : -EFAULT;
}

// ---- map_grant_ref ------------------------------------------------------------------------------

/** Machine address of the PTE for `va` in `d`'s current page tables, or -1 without a validated L1. */
function pteMaFor(x: XenCore, d: Domain, va: number): number {
  const l2 = d.vcpu.baseptrMfn;
  if (l2 < 0) return -1;
  const pde = x.mem.read32(l2 * 4096 + (va >>> 22) * 4);
  if ((pde & _PAGE_PRESENT) === 0) return -1;
  const l1 = pde >>> 12;
  if (!x.frames.isValidMfn(l1) || x.frames.type[l1] !== PGT_l1_page_table || x.frames.typeCount[l1] === 0) return -1;
  return l1 * 4096 + ((va >>> 12) & 1023) * 4;
}

/** Takes the general (+ writable type) reference a mapping of `mfn` holds; false if the frame cannot be written. */
function takeFrame(x: XenCore, granter: Domain, mfn: number, writable: boolean): boolean {
  if (writable && !getPageType(x, granter, mfn, PGT_writable_page)) return false;
  x.frames.refs[mfn]++;
  return true;
}

function dropFrame(x: XenCore, mfn: number, writable: boolean): void {
  if (writable) putPageType(x, mfn);
  putPage(x, mfn);
}

/** Readers and writers of one granted entry, to clear GTF_reading/writing when the last goes. */
function noteUse(x: XenCore, granterId: number, ref: number): void {
  const g = x.domains.get(granterId)?.grants;
  if (!g || g.frames.length === 0) return;
  let reading = false;
  let writing = false;
  for (const d of x.domains.values()) {
    for (const m of d.grants?.maptrack ?? []) {
      if (m && m.granter === granterId && m.ref === ref) {
        reading = true;
        if (m.writable) writing = true;
      }
    }
  }
  const ma = entryMa(g, ref);
  const flags = x.mem.read16(ma) & ~(GTF_reading | GTF_writing);
  x.mem.write16(ma, flags | (reading ? GTF_reading : 0) | (writing ? GTF_writing : 0));
}

interface MapResult { handle: number; devBusAddr: number }

function mapOne(x: XenCore, d: Domain, hostVa: number, dom: number, ref: number, flags: number): MapResult {
  const fail = (handle: number): MapResult => ({ handle, devBusAddr: 0 });
  if ((flags & (GNTMAP_device_map | GNTMAP_host_map)) === 0) return fail(GNTST_bad_gntref);
  const hostMap = (flags & GNTMAP_host_map) !== 0;
  if (hostMap && ((hostVa & 0xfff) !== 0 || hostVa >>> 0 >= HYPERVISOR_VIRT_START)) return fail(GNTST_bad_virt_addr);
  const granter = findDomain(x, d, dom);
  if (!granter) return fail(GNTST_bad_domain);
  if (ref >= NR_GRANT_ENTRIES) return fail(GNTST_bad_gntref);
  const mine = tableOf(d);
  let handle = mine.maptrack.indexOf(null);
  if (handle < 0) {
    if (mine.maptrack.length >= MAPTRACK_ENTRIES) return fail(GNTST_no_device_space);
    handle = mine.maptrack.length;
  }
  const gt = granter.grants;
  if (!gt || gt.frames.length === 0) return fail(GNTST_permission_denied); // an all-zero table grants nothing
  const ema = entryMa(gt, ref);
  const eflags = x.mem.read16(ema + GRANT_ENTRY.flags);
  const edom = x.mem.read16(ema + GRANT_ENTRY.domid);
  const mfn = x.mem.read32(ema + GRANT_ENTRY.frame) >>> 0;
  const writable = (flags & GNTMAP_readonly) === 0;
  if ((eflags & GTF_type_mask) !== GTF_permit_access || edom !== d.id) return fail(GNTST_permission_denied);
  if (writable && (eflags & GTF_readonly) !== 0) return fail(GNTST_permission_denied);
  if (!x.frames.isValidMfn(mfn) || x.frames.owner[mfn] !== granter.id) return fail(GNTST_bad_gntref);
  let pteMa = -1;
  if (hostMap) {
    pteMa = pteMaFor(x, d, hostVa);
    if (pteMa < 0) return fail(GNTST_bad_virt_addr);
  }
  const device = (flags & GNTMAP_device_map) !== 0;
  // One reference set for the device map (held by maptrack), one for the PTE (held by the L1).
  if (device && !takeFrame(x, granter, mfn, writable)) return fail(GNTST_general_error);
  if (hostMap) {
    if (!takeFrame(x, granter, mfn, writable)) {
      if (device) dropFrame(x, mfn, writable);
      return fail(GNTST_general_error);
    }
    const pte = (mfn * 4096) | _PAGE_PRESENT | _PAGE_ACCESSED
      | (writable ? _PAGE_RW | _PAGE_DIRTY : 0) | (flags & GNTMAP_application_map ? _PAGE_USER : 0);
    const old = x.mem.read32(pteMa);
    x.mem.write32(pteMa, pte);
    putL1e(x, old);
    x.flushTlb(); // the mapper need not be the domain on the CPU
  }
  mine.maptrack[handle] = { granter: granter.id, ref, mfn, writable, hostVa: hostMap ? hostVa >>> 0 : -1, pteMa, device };
  noteUse(x, granter.id, ref);
  log("d%d maps d%d ref %d (mfn %d) handle %d", d.id, granter.id, ref, mfn, handle);
  return { handle, devBusAddr: device ? mfn * 4096 : 0 };
}

function mapGrantRefs(x: XenCore, as: AddressSpace, d: Domain, uop: number, count: number): number {
  const S = GNTTAB_MAP_GRANT_REF;
  for (let i = 0; i < count; i++) {
    const va = uop + i * S.SIZE;
    const raw = copyFromGuest(as, va, S.SIZE);
    if (!raw) return -EFAULT;
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const r = mapOne(x, d, v.getUint32(S.host_virt_addr, true), v.getUint16(S.dom, true), v.getUint16(S.ref, true), v.getUint16(S.flags, true));
    const out = new Uint8Array(6);
    const ov = new DataView(out.buffer);
    ov.setInt16(0, r.handle, true);
    ov.setUint32(2, r.devBusAddr, true);
    if (!copyToGuest(as, va + S.handle, out)) return -EFAULT;
  }
  return 0;
}

// ---- unmap_grant_ref ----------------------------------------------------------------------------

/** Clears the host PTE of mapping `m` if it still maps the granted frame; false if the guest already replaced it. */
function clearHostPte(x: XenCore, m: GrantMapping): boolean {
  const l1 = m.pteMa >>> 12;
  // A freed L1 already dropped the references of its entries.
  if (x.frames.type[l1] !== PGT_l1_page_table || x.frames.typeCount[l1] === 0) return false;
  const old = x.mem.read32(m.pteMa);
  if ((old & _PAGE_PRESENT) === 0 || old >>> 12 !== m.mfn) return false;
  x.mem.write32(m.pteMa, 0);
  putL1e(x, old);
  x.flushTlb();
  return true;
}

function unmapOne(x: XenCore, d: Domain, hostVa: number, devBusAddr: number, handle: number): number {
  const m = d.grants?.maptrack[handle] ?? null;
  if (!m) return GNTST_bad_handle;
  if (devBusAddr !== 0 && (!m.device || devBusAddr >>> 0 !== m.mfn * 4096)) return GNTST_bad_dev_addr;
  if (hostVa !== 0 && (m.hostVa < 0 || hostVa >>> 0 !== m.hostVa)) return GNTST_bad_virt_addr;
  let status: number = GNTST_okay;
  if (hostVa !== 0) {
    // If the guest rewrote the PTE itself, its own update already dropped the references.
    if (!clearHostPte(x, m)) status = GNTST_general_error;
    m.hostVa = -1;
  }
  if (devBusAddr !== 0) {
    dropFrame(x, m.mfn, m.writable);
    m.device = false;
  }
  if (m.hostVa < 0 && !m.device) {
    (d.grants as GrantTable).maptrack[handle] = null;
    noteUse(x, m.granter, m.ref);
  }
  return status;
}

function unmapGrantRefs(x: XenCore, as: AddressSpace, d: Domain, uop: number, count: number): number {
  const S = GNTTAB_UNMAP_GRANT_REF;
  for (let i = 0; i < count; i++) {
    const va = uop + i * S.SIZE;
    const raw = copyFromGuest(as, va, S.SIZE);
    if (!raw) return -EFAULT;
    const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const status = unmapOne(x, d, v.getUint32(S.host_virt_addr, true), v.getUint32(S.dev_bus_addr, true), v.getUint16(S.handle, true));
    const out = new Uint8Array(2);
    new DataView(out.buffer).setInt16(0, status, true);
    if (!copyToGuest(as, va + S.status, out)) return -EFAULT;
  }
  return 0;
}

// ---- Entry points -------------------------------------------------------------------------------

/** grant_table_op(cmd, uop, count): per-request statuses go into the requests; EAX is 0, -EFAULT or -EINVAL. */
export function doGrantTableOp(x: XenCore, as: AddressSpace, d: Domain, cmd: number, uop: number, count: number): number {
  count >>>= 0;
  if (count > MAX_BATCH) return -EINVAL;
  switch (cmd >>> 0) {
    case GNTTABOP_map_grant_ref: return mapGrantRefs(x, as, d, uop >>> 0, count);
    case GNTTABOP_unmap_grant_ref: return unmapGrantRefs(x, as, d, uop >>> 0, count);
    case GNTTABOP_setup_table: return count === 1 ? setupTable(x, as, d, uop >>> 0) : -EINVAL;
    default: return -EINVAL;
  }
}

/**
 * Undoes every grant mapping that involves a dying domain: its own mappings of others' frames,
 * and other domains' mappings of its frames (their PTEs are cleared). Its table frames are then
 * released with its other Xen-held frames. Called before the domain's frames are freed.
 */
export function releaseGrants(x: XenCore, dying: Domain): void {
  for (const d of x.domains.values()) {
    const mt = d.grants?.maptrack ?? [];
    for (let h = 0; h < mt.length; h++) {
      const m = mt[h];
      if (!m || (d !== dying && m.granter !== dying.id)) continue;
      if (m.hostVa >= 0) clearHostPte(x, m);
      if (m.device) dropFrame(x, m.mfn, m.writable);
      mt[h] = null;
      if (m.granter !== dying.id) noteUse(x, m.granter, m.ref);
    }
  }
  const t = dying.grants;
  if (t) {
    for (const mfn of t.frames) x.releaseFrame(mfn);
    t.frames = [];
  }
}

/** Frames and counts the grant state holds, for auditFrames(): [mfn, refs, type refs]. */
export function grantHoldings(x: XenCore): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (const d of x.domains.values()) {
    for (const mfn of d.grants?.frames ?? []) out.push([mfn, 1, 1]);
    for (const m of d.grants?.maptrack ?? []) if (m?.device) out.push([m.mfn, 1, m.writable ? 1 : 0]);
  }
  return out;
}
