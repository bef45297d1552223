// Memory rules of Xen 2.0 as a guest meets them through mmu_update, update_va_mapping and
// dom_mem_op: ownership, page types, pinning, read-only page tables, Xen's area, the M2P table.
import { describe, expect, it } from "vitest";
import {
  EINVAL, FIRST_XEN_L2_SLOT, MMUEXT_NEW_BASEPTR, MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE,
  MMUEXT_SET_LDT, MMUEXT_UNPIN_TABLE, MMU_EXTENDED_COMMAND, MMU_MACHPHYS_UPDATE, PGT_l1_page_table,
  PGT_l2_page_table, PGT_writable_page, UVMF_INVLPG, _PAGE_GLOBAL, _PAGE_PSE,
} from "../../src/xen/abi.js";
import { guestVaToMa } from "../../src/xen/guest-memory.js";
import { BASE, Guest, PDE, PTE_RO, PTE_RW } from "./fixture.js";

const ext = (mfn: number, cmd: number): [number, number] => [mfn * 4096 + MMU_EXTENDED_COMMAND, cmd];

describe("frame pool", () => {
  it("hands a domain shuffled, non-contiguous frames and takes them all back on destroy", () => {
    const g = Guest.create();
    const list = [...g.d.frameList];
    const sorted = [...list].sort((a, b) => a - b);
    expect(list).not.toEqual(sorted);
    let runs = 0;
    for (let i = 1; i < list.length; i++) if (list[i] === list[i - 1] + 1) runs++;
    expect(runs).toBeLessThan(list.length / 10);
    const free = g.host.core.pool.freeCount;
    g.host.destroyDomain(g.d);
    expect(g.host.core.pool.freeCount).toBe(free + list.length + 2);
  });
});

describe("builder validation", () => {
  it("pins the bootstrap L2 and types its L1s and data pages", () => {
    const g = Guest.create();
    const f = g.host.core.frames;
    expect(f.type[g.l2Mfn]).toBe(PGT_l2_page_table);
    expect(f.pinned[g.l2Mfn]).toBe(1);
    expect(f.type[g.l1Mfns[0]]).toBe(PGT_l1_page_table);
    expect(f.type[g.mfn(0)]).toBe(PGT_writable_page);
  });

  it("refuses page tables that map a page-table frame writable", () => {
    const g = Guest.create();
    const h = g.host;
    const d2 = h.createDomain({ name: "bad", memoryMiB: 4 });
    const g2 = new Guest(h, d2);
    h.mem.write32(g2.pteMa(g2.va(d2.frameList.length - 1)), g2.l2Mfn * 4096 + PTE_RW);
    expect(() => h.buildDomain(d2, { l2Mfn: g2.l2Mfn, regs: { eip: BASE, esp: BASE, esi: BASE } })).toThrow(/fail Xen's validation/);
    expect(g.d.runState).toBe("paused");
  });
});

describe("mmu_update", () => {
  it("MMU_NORMAL_PT_UPDATE remaps a PTE to an owned frame and counts successes", () => {
    const g = Guest.create();
    const target = g.va(5);
    const [rc, done] = g.mmu(g.va(1), [g.pteMa(target), g.mfn(7) * 4096 + PTE_RW]);
    expect([rc, done]).toEqual([0, 1]);
    expect(guestVaToMa(g.host.addressSpace(g.d), target, true)).toBe(g.mfn(7) * 4096);
  });

  it("refuses a frame of another domain, GLOBAL/PAT bits and writable page-table frames", () => {
    const g = Guest.create();
    const other = Guest.create({}, g.host);
    const pte = g.pteMa(g.va(5));
    expect(g.mmu(g.va(1), [pte, other.mfn(3) * 4096 + PTE_RW])).toEqual([-EINVAL, 0]);
    expect(g.mmu(g.va(1), [pte, g.mfn(7) * 4096 + PTE_RW + _PAGE_GLOBAL])).toEqual([-EINVAL, 0]);
    expect(g.mmu(g.va(1), [pte, g.l1Mfns[0] * 4096 + PTE_RW])).toEqual([-EINVAL, 0]);
    expect(g.mmu(g.va(1), [pte, g.l1Mfns[0] * 4096 + PTE_RO])).toEqual([0, 1]);
  });

  it("stops a batch at the first bad request", () => {
    const g = Guest.create();
    const pte = g.pteMa(g.va(5));
    const [rc, done] = g.mmu(g.va(1), [pte, g.mfn(6) * 4096 + PTE_RW], [pte + 1, 0], [pte, g.mfn(8) * 4096 + PTE_RW]);
    expect([rc, done]).toEqual([-EINVAL, 1]);
    expect(g.host.mem.read32(pte) >>> 12).toBe(g.mfn(6));
  });

  it("never lets a guest change Xen's L2 slots or map superpages", () => {
    const g = Guest.create();
    expect(g.mmu(g.va(1), [g.l2Mfn * 4096 + FIRST_XEN_L2_SLOT * 4, 0])[0]).toBe(-EINVAL);
    expect(g.mmu(g.va(1), [g.l2Mfn * 4096 + 4, g.mfn(9) * 4096 + PDE + _PAGE_PSE])[0]).toBe(-EINVAL);
  });

  it("writes words into ordinary owned frames but not into pinned tables", () => {
    const g = Guest.create();
    expect(g.mmu(g.va(1), [g.mfn(9) * 4096 + 16, 0x12345678])[0]).toBe(0);
    expect(g.read32(g.va(9) + 16)).toBe(0x12345678);
  });

  it("MMU_MACHPHYS_UPDATE sets the M2P entry the guest reads at 0xFC000000, own frames only", () => {
    const g = Guest.create();
    const other = Guest.create({}, g.host);
    const mfn = g.mfn(9);
    expect(g.mmu(g.va(1), [mfn * 4096 + MMU_MACHPHYS_UPDATE, 0x4242])[0]).toBe(0);
    // Walk the guest's own tables to VA 0xFC000000 + mfn*4, as its MMU would.
    const mem = g.host.mem;
    const va = 0xfc000000 + mfn * 4;
    const pde = mem.read32(g.l2Mfn * 4096 + (va >>> 22) * 4);
    const pte = mem.read32((pde >>> 12) * 4096 + ((va >>> 12) & 1023) * 4);
    expect(pde & 1).toBe(1);
    expect(pte & 3).toBe(1); // present, read-only
    expect(mem.read32((pte >>> 12) * 4096 + (va & 0xfff))).toBe(0x4242);
    expect(guestVaToMa(g.host.addressSpace(g.d), va, false)).toBe(-1); // Xen never takes pointers there
    expect(g.mmu(g.va(1), [other.mfn(9) * 4096 + MMU_MACHPHYS_UPDATE, 1])[0]).toBe(-EINVAL);
  });

  it("pins an L1 only when no writable mapping exists, once, and unpins once", () => {
    const g = Guest.create();
    const pfn = 20;
    const mfn = g.mfn(pfn);
    expect(g.mmu(g.va(1), ext(mfn, MMUEXT_PIN_L1_TABLE))[0]).toBe(-EINVAL); // still mapped RW
    expect(g.mmu(g.va(1), [g.pteMa(g.va(pfn)), mfn * 4096 + PTE_RO])[0]).toBe(0);
    expect(g.mmu(g.va(1), ext(mfn, MMUEXT_PIN_L1_TABLE))[0]).toBe(0);
    expect(g.host.core.frames.type[mfn]).toBe(PGT_l1_page_table);
    expect(g.mmu(g.va(1), ext(mfn, MMUEXT_PIN_L1_TABLE))[0]).toBe(-EINVAL);
    expect(g.mmu(g.va(1), [g.pteMa(g.va(pfn)), mfn * 4096 + PTE_RW])[0]).toBe(-EINVAL); // typed L1 now
    expect(g.mmu(g.va(1), ext(mfn, MMUEXT_UNPIN_TABLE))[0]).toBe(0);
    expect(g.mmu(g.va(1), ext(mfn, MMUEXT_UNPIN_TABLE))[0]).toBe(-EINVAL);
    expect(g.mmu(g.va(1), [g.pteMa(g.va(pfn)), mfn * 4096 + PTE_RW])[0]).toBe(0);
  });

  it("validates every entry when pinning: a table naming a foreign frame is refused", () => {
    const g = Guest.create();
    const other = Guest.create({}, g.host);
    const pfn = 21;
    g.write32(g.va(pfn) + 8, other.mfn(1) * 4096 + PTE_RO);
    expect(g.mmu(g.va(1), [g.pteMa(g.va(pfn)), g.mfn(pfn) * 4096 + PTE_RO])[0]).toBe(0);
    expect(g.mmu(g.va(1), ext(g.mfn(pfn), MMUEXT_PIN_L1_TABLE))[0]).toBe(-EINVAL);
  });

  it("switches to a new page directory with MMUEXT_NEW_BASEPTR", () => {
    const g = Guest.create();
    const pfn = 22;
    const mfn = g.mfn(pfn);
    // The new L2 maps the same L1 and nothing else; make it read-only first.
    g.write32(g.va(pfn) + (BASE >>> 22) * 4, g.l1Mfns[0] * 4096 + PDE);
    expect(g.mmu(g.va(1), [g.pteMa(g.va(pfn)), mfn * 4096 + PTE_RO])[0]).toBe(0);
    expect(g.mmu(g.va(1), ext(mfn, MMUEXT_NEW_BASEPTR))[0]).toBe(0);
    expect(g.d.vcpu.baseptrMfn).toBe(mfn);
    expect(g.host.core.frames.type[mfn]).toBe(PGT_l2_page_table);
    expect(g.host.mem.read32(mfn * 4096 + FIRST_XEN_L2_SLOT * 4)).not.toBe(0); // Xen's slots installed
  });

  it("MMUEXT_SET_LDT checks alignment, size and Xen's area", () => {
    const g = Guest.create();
    expect(g.mmu(g.va(1), [g.va(30) + 1 + MMU_EXTENDED_COMMAND - 1 + 4, MMUEXT_SET_LDT | (16 << 8)])[0]).toBe(-EINVAL);
    expect(g.mmu(g.va(1), [g.va(30) + MMU_EXTENDED_COMMAND, MMUEXT_SET_LDT | (8193 << 8)])[0]).toBe(-EINVAL);
    expect(g.mmu(g.va(1), [0xfc3ff000 + MMU_EXTENDED_COMMAND, MMUEXT_SET_LDT | (1024 << 8)])[0]).toBe(-EINVAL);
    expect(g.mmu(g.va(1), [g.va(30) + MMU_EXTENDED_COMMAND, MMUEXT_SET_LDT | (16 << 8)])[0]).toBe(0);
    expect(g.d.vcpu.ldtEntries).toBe(16);
  });

  it("PIN_L2 of a directory that maps itself read-only is accepted (linear page table)", () => {
    const g = Guest.create();
    const pfn = 23;
    const mfn = g.mfn(pfn);
    g.write32(g.va(pfn) + 4 * 4, mfn * 4096 + (PDE & ~2));
    expect(g.mmu(g.va(1), [g.pteMa(g.va(pfn)), mfn * 4096 + PTE_RO])[0]).toBe(0);
    expect(g.mmu(g.va(1), ext(mfn, MMUEXT_PIN_L2_TABLE))[0]).toBe(0);
  });
});

describe("update_va_mapping", () => {
  it("takes VA >> 12 and maps in the current address space", () => {
    const g = Guest.create();
    const va = g.va(5);
    expect(g.call(14, va >>> 12, g.mfn(11) * 4096 + PTE_RW, UVMF_INVLPG)).toBe(0);
    expect(guestVaToMa(g.host.addressSpace(g.d), va, false)).toBe(g.mfn(11) * 4096);
  });

  it("refuses Xen's area, unmapped directories and invalid PTEs", () => {
    const g = Guest.create();
    expect(g.call(14, 0xfc000, g.mfn(11) * 4096 + PTE_RO, 0)).toBe(-EINVAL);
    expect(g.call(14, 0x80000, g.mfn(11) * 4096 + PTE_RO, 0)).toBe(-EINVAL);
    expect(g.call(14, g.va(5) >>> 12, g.l2Mfn * 4096 + PTE_RW, 0)).toBe(-EINVAL);
  });

  it("maps the shared_info page writable", () => {
    const g = Guest.create();
    expect(g.call(14, g.va(5) >>> 12, g.sharedMa + PTE_RW, UVMF_INVLPG)).toBe(0);
    g.write32(g.va(5) + 4, 0xffffffff);
    expect(g.host.mem.read32(g.sharedMa + 4)).toBe(0xffffffff);
  });
});

describe("dom_mem_op", () => {
  it("increase writes new MFNs, decrease frees unmapped ones, within max_pages", () => {
    const g = Guest.create();
    const list = g.va(40);
    // Give back two unmapped frames first (drop their mappings).
    for (const pfn of [50, 51]) expect(g.call(14, g.va(pfn) >>> 12, 0, 0)).toBe(0);
    g.write32(list, g.mfn(50), g.mfn(51));
    const m50 = g.mfn(50);
    expect(g.call(12, 1, list, 2, 0, 0x7ff0)).toBe(2);
    expect(g.host.core.frames.owner[m50]).toBe(-1);
    expect(g.call(12, 0, list, 3, 0, 0x7ff0)).toBe(2); // only 2 pages of room under max_pages
    const got = g.read32(list);
    expect(g.host.core.frames.owner[got]).toBe(g.d.id);
  });

  it("will not free a frame still mapped", () => {
    const g = Guest.create();
    g.write32(g.va(40), g.mfn(52));
    expect(g.call(12, 1, g.va(40), 1, 0, 0x7ff0)).toBe(0);
  });
});
