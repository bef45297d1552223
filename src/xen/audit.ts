// A consistency audit of Xen's frame accounting (Xen had audit_domain for the same purpose):
// recomputes every type count and general reference count from what holds them (validated page
// tables, pins, CR3, GDT and shadow-LDT frames, allocation) and lists the frames that disagree.
import {
  FIRST_XEN_L2_SLOT, PGT_gdt_page, PGT_l1_page_table, PGT_l2_page_table, PGT_ldt_page,
  PGT_writable_page, _PAGE_PRESENT, _PAGE_RW,
} from "./abi.js";
import { grantHoldings } from "./grant-table.js";
import type { XenCore } from "./core.js";

/** Frames whose counts differ from what their holders imply; empty when all is well. */
export function auditFrames(x: XenCore): string[] {
  const f = x.frames;
  const n = f.count;
  const types = new Int32Array(n);
  const refs = new Int32Array(n);
  const mem = x.mem.view;
  for (const d of x.domains.values()) {
    if (d.id === 0) continue;
    for (const mfn of d.frameList) refs[mfn]++;
    if (d.sharedInfoMfn >= 0) {
      refs[d.sharedInfoMfn]++;
      types[d.sharedInfoMfn]++; // Xen's permanent writable reference
    }
    const v = d.vcpu;
    if (v.baseptrMfn >= 0) {
      types[v.baseptrMfn]++;
      refs[v.baseptrMfn]++;
    }
    for (const g of v.gdtFrames) types[g]++;
    for (const m of v.ldtShadow) if (m >= 0) {
      types[m]++;
      refs[m]++;
    }
  }
  for (const [mfn, r, t] of grantHoldings(x)) {
    refs[mfn] += r;
    types[mfn] += t;
  }
  for (let mfn = 0; mfn < n; mfn++) {
    if (f.pinned[mfn]) types[mfn]++;
    if (f.typeCount[mfn] === 0 || !f.validated[mfn]) continue;
    const base = mfn * 4096;
    if (f.type[mfn] === PGT_l1_page_table) {
      for (let i = 0; i < 1024; i++) {
        const pte = mem.getUint32(base + i * 4, true);
        if ((pte & _PAGE_PRESENT) === 0) continue;
        const t = pte >>> 12;
        if (t >= n) continue;
        refs[t]++;
        if (pte & _PAGE_RW) types[t]++;
      }
    } else if (f.type[mfn] === PGT_l2_page_table) {
      for (let i = 0; i < FIRST_XEN_L2_SLOT; i++) {
        const pde = mem.getUint32(base + i * 4, true);
        if ((pde & _PAGE_PRESENT) === 0) continue;
        const t = pde >>> 12;
        if (t >= n) continue;
        refs[t]++;
        if (t !== mfn) types[t]++;
      }
    }
  }
  const problems: string[] = [];
  for (let mfn = 0; mfn < n; mfn++) {
    const owner = f.owner[mfn];
    if (owner < 0) continue; // free or Xen's own
    const t = f.type[mfn];
    const typed = t === PGT_l1_page_table || t === PGT_l2_page_table || t === PGT_gdt_page || t === PGT_ldt_page || t === PGT_writable_page;
    const wantTypes = typed ? types[mfn] : 0;
    if (f.typeCount[mfn] !== wantTypes) problems.push(`frame ${mfn} (domain ${owner}, type ${t}): type count ${f.typeCount[mfn]}, holders ${wantTypes}`);
    if (f.refs[mfn] !== refs[mfn]) problems.push(`frame ${mfn} (domain ${owner}): refs ${f.refs[mfn]}, holders ${refs[mfn]}`);
  }
  return problems;
}
