// The writable-page-table assist: a write fault on a protected L1 opens it, the next entry into
// Xen validates what the guest wrote, and an invalid entry crashes the domain.
import { describe, expect, it } from "vitest";
import { VMASST_TYPE_writable_pagetables, _PAGE_PRESENT } from "../../src/xen/abi.js";
import { auditFrames } from "../../src/xen/audit.js";
import { ptwrActive, ptwrFault, ptwrFlush } from "../../src/xen/ptwr.js";
import { Guest, PDE, PTE_RO, PTE_RW } from "./fixture.js";

const WINDOW = 0x80000000;

/** A fresh, read-only-mapped L1 at PFN 40 hooked in the L2 slot of VA 0x80000000. */
function withSpareL1(): Guest {
  const g = Guest.create();
  g.d.vmAssist |= 1 << VMASST_TYPE_writable_pagetables;
  expect(g.call(14, g.va(40) >>> 12, g.mfn(40) * 4096 + PTE_RO, 2)).toBe(0);
  expect(g.mmu(g.va(1), [g.l2Mfn * 4096 + (WINDOW >>> 22) * 4, g.mfn(40) * 4096 + PDE])[0]).toBe(0);
  return g;
}

describe("writable page tables", () => {
  it("opens an L1 on a write fault, disconnects it, and validates the guest's writes at the next entry", () => {
    const g = withSpareL1();
    const x = g.host.core;
    expect(ptwrFault(x, g.d, g.va(40), 3)).toBe(true);
    expect(ptwrActive(g.d)?.l1Mfn).toBe(g.mfn(40));
    expect(x.mem.read32(g.l2Mfn * 4096 + (WINDOW >>> 22) * 4) & _PAGE_PRESENT).toBe(0);
    // The guest's own store (done here by hand): map PFN 41 writable at the window.
    x.mem.write32(g.mfn(40) * 4096, g.mfn(41) * 4096 + PTE_RW);
    expect(ptwrFlush(x, g.d)).toBe(true);
    expect(ptwrActive(g.d)).toBeUndefined();
    expect(x.mem.read32(g.l2Mfn * 4096 + (WINDOW >>> 22) * 4) & _PAGE_PRESENT).toBe(1);
    expect(x.mem.read32(g.pteMa(g.va(40))) & 2).toBe(0); // write-protected again
    expect(auditFrames(x)).toEqual([]);
    expect(x.frames.typeCount[g.mfn(41)]).toBe(2); // its bootstrap mapping and the new one
  });

  it("crashes the domain when the guest wrote an entry Xen refuses", () => {
    const g = withSpareL1();
    const other = Guest.create({}, g.host);
    const x = g.host.core;
    expect(ptwrFault(x, g.d, g.va(40), 3)).toBe(true);
    x.mem.write32(g.mfn(40) * 4096 + 4, other.mfn(2) * 4096 + PTE_RO);
    expect(ptwrFlush(x, g.d)).toBe(false);
    expect(g.d.crashWhy).toMatch(/invalid entry/);
    expect(auditFrames(x)).toEqual([]);
  });

  it("leaves other faults alone and crashes on a table that maps itself", () => {
    const g = withSpareL1();
    const x = g.host.core;
    expect(ptwrFault(x, g.d, g.va(5), 3)).toBe(false);  // an ordinary RW page
    expect(ptwrFault(x, g.d, g.va(40), 1)).toBe(false); // a read fault
    g.d.vmAssist = 0;
    expect(ptwrFault(x, g.d, g.va(40), 3)).toBe(false); // assist off
    g.d.vmAssist = 1 << VMASST_TYPE_writable_pagetables;
    // The bootstrap L1 maps itself: disconnecting it would unmap it.
    const l1Va = g.va([...g.ptPfns].find((p) => g.mfn(p) === g.l1Mfns[0])!);
    expect(ptwrFault(x, g.d, l1Va, 3)).toBe(true);
    expect(g.d.crashWhy).toBe("writable page table maps itself");
  });
});
