// Hypercall 20, grant_table_op, between two domains on one host: setup_table, map_grant_ref and
// unmap_grant_ref with valid and invalid arguments and their exact GNTST_* statuses, shared
// writes through a granted frame, and domain destruction undoing mappings with the frame audit clean.
import { describe, expect, it } from "vitest";
import {
  DOMID_SELF, EFAULT, EINVAL, GNTMAP_device_map, GNTMAP_host_map, GNTMAP_readonly, GNTST_bad_dev_addr,
  GNTST_bad_domain, GNTST_bad_gntref, GNTST_bad_handle, GNTST_bad_virt_addr, GNTST_general_error,
  GNTST_okay, GNTST_permission_denied, GNTTABOP_map_grant_ref, GNTTABOP_setup_table, GNTTABOP_unmap_grant_ref,
  GNTTAB_MAP_GRANT_REF, GNTTAB_SETUP_TABLE, GNTTAB_UNMAP_GRANT_REF, GRANT_ENTRY, GTF_permit_access,
  GTF_readonly, GTF_reading, GTF_writing, HYPERVISOR_VIRT_START, NR_GRANT_ENTRIES, _PAGE_RW,
} from "../../src/xen/abi.js";
import { auditFrames } from "../../src/xen/audit.js";
import { guestVaToMa } from "../../src/xen/guest-memory.js";
import { XenHost } from "../../src/xen/host.js";
import { Guest, PTE_RW } from "./fixture.js";

const GRANT_TABLE_OP = 20;
const OP_PFN = 10; // scratch page for request structs
const LIST_PFN = 11; // frame_list of setup_table
const TABLE_PFN = 40; // where the granter maps its table frame
const SHARED_PFN = 20; // the granter's frame it grants
const MAP_PFN = 30; // where the mapper maps the grant (its own page unmapped first)

function bytes(size: number, fill: (v: DataView) => void): Uint8Array {
  const b = new Uint8Array(size);
  fill(new DataView(b.buffer));
  return b;
}

function s16(word: number): number {
  return (word << 16) >> 16;
}

function setupTable(g: Guest, dom = DOMID_SELF, nr = 1): { rc: number; status: number; frame: number } {
  const S = GNTTAB_SETUP_TABLE;
  g.write32(g.va(LIST_PFN), 0xdeadbeef);
  g.write(g.va(OP_PFN), bytes(S.SIZE, (v) => {
    v.setUint16(S.dom, dom, true);
    v.setUint16(S.nr_frames, nr, true);
    v.setInt16(S.status, 0x7777, true);
    v.setUint32(S.frame_list, g.va(LIST_PFN), true);
  }));
  const rc = g.call(GRANT_TABLE_OP, GNTTABOP_setup_table, g.va(OP_PFN), 1);
  return { rc, status: s16(g.read32(g.va(OP_PFN) + S.status)), frame: g.read32(g.va(LIST_PFN)) };
}

function map(g: Guest, hostVa: number, dom: number, ref: number, flags: number): { rc: number; handle: number; dev: number } {
  const S = GNTTAB_MAP_GRANT_REF;
  const va = g.va(OP_PFN);
  g.write(va, bytes(S.SIZE, (v) => {
    v.setUint32(S.host_virt_addr, hostVa, true);
    v.setUint16(S.dom, dom, true);
    v.setUint16(S.ref, ref, true);
    v.setUint16(S.flags, flags, true);
    v.setInt16(S.handle, 0x5555, true);
    v.setUint32(S.dev_bus_addr, 0xdeadbeef, true);
  }));
  const rc = g.call(GRANT_TABLE_OP, GNTTABOP_map_grant_ref, va, 1);
  return { rc, handle: s16(g.read32(va + S.handle)), dev: g.read32(va + S.dev_bus_addr) >>> 0 };
}

function unmap(g: Guest, hostVa: number, dev: number, handle: number): { rc: number; status: number } {
  const S = GNTTAB_UNMAP_GRANT_REF;
  const va = g.va(OP_PFN);
  g.write(va, bytes(S.SIZE, (v) => {
    v.setUint32(S.host_virt_addr, hostVa, true);
    v.setUint32(S.dev_bus_addr, dev, true);
    v.setUint16(S.handle, handle, true);
    v.setInt16(S.status, 0x7777, true);
  }));
  const rc = g.call(GRANT_TABLE_OP, GNTTABOP_unmap_grant_ref, va, 1);
  return { rc, status: s16(g.read32(va + S.status - 2) >>> 16) };
}

/** Two domains on one host; `a` has its table mapped at va(TABLE_PFN), `b` has va(MAP_PFN) free. */
function pair(): { a: Guest; b: Guest; table: number } {
  const host = new XenHost({ timeMode: "deterministic", memoryMiB: 64 });
  const a = Guest.create({}, host);
  const b = Guest.create({}, host);
  const { rc, status, frame } = setupTable(a);
  expect([rc, status]).toEqual([0, GNTST_okay]);
  expect(a.call(14, a.va(TABLE_PFN) >>> 12, frame * 4096 + PTE_RW, 0)).toBe(0);
  expect(b.call(14, b.va(MAP_PFN) >>> 12, 0, 0)).toBe(0);
  return { a, b, table: frame };
}

function grant(a: Guest, ref: number, flags: number, domid: number, frame: number): void {
  a.write(a.va(TABLE_PFN) + ref * GRANT_ENTRY.SIZE, bytes(GRANT_ENTRY.SIZE, (v) => {
    v.setUint16(GRANT_ENTRY.flags, flags, true);
    v.setUint16(GRANT_ENTRY.domid, domid, true);
    v.setUint32(GRANT_ENTRY.frame, frame, true);
  }));
}

function entryFlags(a: Guest, ref: number): number {
  return a.read32(a.va(TABLE_PFN) + ref * GRANT_ENTRY.SIZE) & 0xffff;
}

function mapped(g: Guest, va: number): boolean {
  return guestVaToMa(g.host.addressSpace(g.d), va, false) >= 0;
}

describe("grant_table_op setup_table", () => {
  it("hands the domain one table frame it owns outside its memory, the same frame each time", () => {
    const host = new XenHost({ timeMode: "deterministic", memoryMiB: 64 });
    const a = Guest.create({}, host);
    const first = setupTable(a);
    expect([first.rc, first.status]).toEqual([0, GNTST_okay]);
    expect(host.core.frames.owner[first.frame]).toBe(a.d.id);
    expect(a.d.frameList).not.toContain(first.frame);
    expect(setupTable(a, a.d.id).frame).toBe(first.frame);
    expect(auditFrames(host.core)).toEqual([]);
  });

  it("refuses too many frames, other domains and bad requests", () => {
    const host = new XenHost({ timeMode: "deterministic", memoryMiB: 64 });
    const a = Guest.create({}, host);
    const b = Guest.create({}, host);
    expect(setupTable(a, DOMID_SELF, 2)).toMatchObject({ rc: 0, status: GNTST_general_error, frame: 0xdeadbeef });
    expect(setupTable(a, b.d.id)).toMatchObject({ rc: 0, status: GNTST_permission_denied });
    expect(a.call(GRANT_TABLE_OP, GNTTABOP_setup_table, 0, 1)).toBe(-EFAULT);
    expect(a.call(GRANT_TABLE_OP, GNTTABOP_setup_table, a.va(OP_PFN), 2)).toBe(-EINVAL);
    expect(a.call(GRANT_TABLE_OP, 3, a.va(OP_PFN), 1)).toBe(-EINVAL);
    // frame_list pointing nowhere: the status is never reached.
    a.write32(a.va(OP_PFN), 0x0001_7ff0, 0, 0);
    expect(a.call(GRANT_TABLE_OP, GNTTABOP_setup_table, a.va(OP_PFN), 1)).toBe(-EFAULT);
  });
});

describe("grant_table_op map and unmap", () => {
  it("lets two domains share a granted frame, marks the entry in use, and unmaps by handle", () => {
    const { a, b } = pair();
    grant(a, 5, GTF_permit_access, b.d.id, a.mfn(SHARED_PFN));
    const r = map(b, b.va(MAP_PFN), a.d.id, 5, GNTMAP_host_map);
    expect(r.rc).toBe(0);
    expect(r.handle).toBe(0);
    expect(entryFlags(a, 5)).toBe(GTF_permit_access | GTF_reading | GTF_writing);
    b.write32(b.va(MAP_PFN) + 16, 0x12345678);
    expect(a.read32(a.va(SHARED_PFN) + 16)).toBe(0x12345678);
    a.write32(a.va(SHARED_PFN) + 32, 0xcafef00d);
    expect(b.read32(b.va(MAP_PFN) + 32) >>> 0).toBe(0xcafef00d);
    expect(auditFrames(a.host.core)).toEqual([]);

    expect(unmap(b, b.va(MAP_PFN), 0, r.handle)).toEqual({ rc: 0, status: GNTST_okay });
    expect(mapped(b, b.va(MAP_PFN))).toBe(false);
    expect(entryFlags(a, 5)).toBe(GTF_permit_access);
    expect(unmap(b, b.va(MAP_PFN), 0, r.handle)).toEqual({ rc: 0, status: GNTST_bad_handle });
    expect(auditFrames(a.host.core)).toEqual([]);
  });

  it("maps read-only grants read-only and refuses writable maps of them", () => {
    const { a, b } = pair();
    grant(a, 7, GTF_permit_access | GTF_readonly, b.d.id, a.mfn(SHARED_PFN));
    expect(map(b, b.va(MAP_PFN), a.d.id, 7, GNTMAP_host_map).handle).toBe(GNTST_permission_denied);
    const r = map(b, b.va(MAP_PFN), a.d.id, 7, GNTMAP_host_map | GNTMAP_readonly);
    expect(r.handle).toBe(0);
    expect(entryFlags(a, 7)).toBe(GTF_permit_access | GTF_readonly | GTF_reading);
    expect(guestVaToMa(b.host.addressSpace(b.d), b.va(MAP_PFN), true)).toBeLessThan(0);
    expect(b.host.mem.read32(b.pteMa(b.va(MAP_PFN))) & _PAGE_RW).toBe(0);
    expect(auditFrames(a.host.core)).toEqual([]);
    expect(unmap(b, b.va(MAP_PFN), 0, r.handle).status).toBe(GNTST_okay);
    expect(entryFlags(a, 7)).toBe(GTF_permit_access | GTF_readonly);
  });

  it("answers each bad map request with its GNTST_* status and changes nothing", () => {
    const { a, b } = pair();
    const c = Guest.create({}, a.host);
    grant(a, 1, GTF_permit_access, b.d.id, a.mfn(SHARED_PFN));
    grant(a, 2, GTF_permit_access, c.d.id, a.mfn(SHARED_PFN));
    grant(a, 3, GTF_permit_access, b.d.id, b.mfn(SHARED_PFN)); // not a's frame
    grant(a, 4, 0, b.d.id, a.mfn(SHARED_PFN));
    const va = b.va(MAP_PFN);
    expect(map(b, va, a.d.id, 1, 0).handle).toBe(GNTST_bad_gntref);
    expect(map(b, va + 4, a.d.id, 1, GNTMAP_host_map).handle).toBe(GNTST_bad_virt_addr);
    expect(map(b, HYPERVISOR_VIRT_START, a.d.id, 1, GNTMAP_host_map).handle).toBe(GNTST_bad_virt_addr);
    expect(map(b, 0x10000000, a.d.id, 1, GNTMAP_host_map).handle).toBe(GNTST_bad_virt_addr); // no L1 there
    expect(map(b, va, 999, 1, GNTMAP_host_map).handle).toBe(GNTST_bad_domain);
    expect(map(b, va, a.d.id, NR_GRANT_ENTRIES, GNTMAP_host_map).handle).toBe(GNTST_bad_gntref);
    expect(map(b, va, a.d.id, 2, GNTMAP_host_map).handle).toBe(GNTST_permission_denied);
    expect(map(b, va, a.d.id, 4, GNTMAP_host_map).handle).toBe(GNTST_permission_denied);
    expect(map(b, va, a.d.id, 3, GNTMAP_host_map).handle).toBe(GNTST_bad_gntref);
    expect(map(a, va, c.d.id, 0, GNTMAP_host_map).handle).toBe(GNTST_permission_denied); // c has no table yet
    expect(b.call(GRANT_TABLE_OP, GNTTABOP_map_grant_ref, 0, 1)).toBe(-EFAULT);
    expect(b.call(GRANT_TABLE_OP, GNTTABOP_unmap_grant_ref, 0, 1)).toBe(-EFAULT);
    expect(mapped(b, va)).toBe(false);
    expect(entryFlags(a, 1)).toBe(GTF_permit_access);
    expect(auditFrames(a.host.core)).toEqual([]);
  });

  it("device maps return the machine address and unmap only with it; host unmap checks the VA", () => {
    const { a, b } = pair();
    grant(a, 9, GTF_permit_access, b.d.id, a.mfn(SHARED_PFN));
    const dev = map(b, 0, a.d.id, 9, GNTMAP_device_map);
    expect(dev.handle).toBe(0);
    expect(dev.dev).toBe(a.mfn(SHARED_PFN) * 4096);
    expect(entryFlags(a, 9)).toBe(GTF_permit_access | GTF_reading | GTF_writing);
    expect(auditFrames(a.host.core)).toEqual([]);
    const host = map(b, b.va(MAP_PFN), a.d.id, 9, GNTMAP_host_map);
    expect(host.handle).toBe(1);
    expect(unmap(b, 0, dev.dev + 4096, dev.handle).status).toBe(GNTST_bad_dev_addr);
    expect(unmap(b, b.va(MAP_PFN) + 4096, 0, host.handle).status).toBe(GNTST_bad_virt_addr);
    expect(unmap(b, 0, dev.dev, dev.handle).status).toBe(GNTST_okay);
    expect(entryFlags(a, 9)).toBe(GTF_permit_access | GTF_reading | GTF_writing); // the host map remains
    expect(unmap(b, b.va(MAP_PFN), 0, host.handle).status).toBe(GNTST_okay);
    expect(entryFlags(a, 9)).toBe(GTF_permit_access);
    expect(auditFrames(a.host.core)).toEqual([]);
  });
  it("a mapping the guest overwrote itself unmaps with general_error and frees its handle", () => {
    const { a, b } = pair();
    grant(a, 6, GTF_permit_access, b.d.id, a.mfn(SHARED_PFN));
    const r = map(b, b.va(MAP_PFN), a.d.id, 6, GNTMAP_host_map);
    expect(r.handle).toBe(0);
    expect(b.call(14, b.va(MAP_PFN) >>> 12, 0, 0)).toBe(0);
    expect(auditFrames(a.host.core)).toEqual([]);
    expect(unmap(b, b.va(MAP_PFN), 0, r.handle).status).toBe(GNTST_general_error);
    expect(entryFlags(a, 6)).toBe(GTF_permit_access);
    expect(unmap(b, b.va(MAP_PFN), 0, r.handle).status).toBe(GNTST_bad_handle);
    expect(a.host.core.frames.refs[a.mfn(SHARED_PFN)]).toBe(2);
    expect(auditFrames(a.host.core)).toEqual([]);
  });

  it("a guest cannot map a granted frame by its own PTE update, only through the grant", () => {
    const { a, b } = pair();
    grant(a, 1, GTF_permit_access, b.d.id, a.mfn(SHARED_PFN));
    expect(b.call(14, b.va(MAP_PFN) >>> 12, a.mfn(SHARED_PFN) * 4096 + PTE_RW, 0)).toBe(-EINVAL);
    expect(map(b, b.va(MAP_PFN), a.d.id, 1, GNTMAP_host_map).handle).toBe(0);
    expect(mapped(b, b.va(MAP_PFN))).toBe(true);
  });
});

describe("grant mappings and domain destruction", () => {
  it("destroying the mapper releases its mappings and clears the granter's entry", () => {
    const { a, b } = pair();
    grant(a, 1, GTF_permit_access, b.d.id, a.mfn(SHARED_PFN));
    expect(map(b, b.va(MAP_PFN), a.d.id, 1, GNTMAP_host_map).handle).toBe(0);
    expect(map(b, 0, a.d.id, 1, GNTMAP_device_map).handle).toBe(1);
    b.host.destroyDomain(b.d);
    expect(entryFlags(a, 1)).toBe(GTF_permit_access);
    expect(a.host.core.frames.refs[a.mfn(SHARED_PFN)]).toBe(2); // allocation + a's own mapping
    expect(auditFrames(a.host.core)).toEqual([]);
  });

  it("destroying the granter removes other domains' mappings of its frames and frees its table", () => {
    const { a, b, table } = pair();
    grant(a, 1, GTF_permit_access, b.d.id, a.mfn(SHARED_PFN));
    expect(map(b, b.va(MAP_PFN), a.d.id, 1, GNTMAP_host_map).handle).toBe(0);
    const shared = a.mfn(SHARED_PFN);
    a.host.destroyDomain(a.d);
    expect(mapped(b, b.va(MAP_PFN))).toBe(false);
    expect(b.host.core.frames.owner[shared]).toBeLessThan(0);
    expect(b.host.core.frames.owner[table]).toBeLessThan(0);
    expect(unmap(b, b.va(MAP_PFN), 0, 0).status).toBe(GNTST_bad_handle);
    expect(auditFrames(b.host.core)).toEqual([]);
  });
});
