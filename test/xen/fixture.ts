// A minimal domain loader for Xen's unit tests (not the real builder, which is the dom0 tools'):
// every PFN k is mapped at VA BASE + k*4096 with user-accessible RW pages, except the page-table
// frames, which are mapped read-only as Xen demands. The L2 is the last frame, the L1s before it.
import { _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_RW, _PAGE_USER } from "../../src/xen/abi.js";
import type { Domain } from "../../src/xen/domain.js";
import { guestVaToMa } from "../../src/xen/guest-memory.js";
import { XenHost, type XenHostOptions } from "../../src/xen/host.js";
import { hypercall } from "../../src/xen/hypercalls.js";

export const BASE = 0x00400000;
export const PTE_RW = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED;
export const PTE_RO = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
export const PDE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;

export class Guest {
  readonly l2Mfn: number;
  readonly l1Mfns: number[];
  /** PFNs used by the page tables; the rest are free for tests. */
  readonly ptPfns: Set<number>;

  constructor(readonly host: XenHost, readonly d: Domain) {
    const n = d.frameList.length;
    const nl = Math.ceil(n / 1024);
    const l2Pfn = n - 1;
    const l1Pfns = Array.from({ length: nl }, (_, i) => n - 1 - nl + i);
    this.ptPfns = new Set([l2Pfn, ...l1Pfns]);
    this.l2Mfn = d.frameList[l2Pfn];
    this.l1Mfns = l1Pfns.map((p) => d.frameList[p]);
    const mem = host.mem;
    for (let pfn = 0; pfn < n; pfn++) {
      const va = BASE + pfn * 4096;
      const l1 = this.l1Mfns[Math.floor(pfn / 1024)];
      const slot = (va >>> 12) & 1023;
      mem.write32(l1 * 4096 + slot * 4, d.frameList[pfn] * 4096 + (this.ptPfns.has(pfn) ? PTE_RO : PTE_RW));
    }
    for (let i = 0; i < nl; i++) {
      mem.write32(this.l2Mfn * 4096 + ((BASE >>> 22) + i) * 4, this.l1Mfns[i] * 4096 + PDE);
    }
  }

  static create(options: XenHostOptions & { memoryMiB?: number } = {}, host?: XenHost): Guest {
    const h = host ?? new XenHost({ timeMode: "deterministic", memoryMiB: 32, ...options });
    const d = h.createDomain({ name: `test${h.core.domains.size}`, memoryMiB: options.memoryMiB ?? 4 });
    const g = new Guest(h, d);
    h.buildDomain(d, { l2Mfn: g.l2Mfn, fillM2p: true, regs: { eip: BASE, esp: BASE + 0x2000, esi: BASE } });
    return g;
  }

  va(pfn: number): number {
    return BASE + pfn * 4096;
  }

  mfn(pfn: number): number {
    return this.d.frameList[pfn];
  }

  /** Machine address of the L1 entry mapping `va`. */
  pteMa(va: number): number {
    return this.l1Mfns[Math.floor((va - BASE) / 4096 / 1024)] * 4096 + ((va >>> 12) & 1023) * 4;
  }

  write(va: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const ma = guestVaToMa(this.host.addressSpace(this.d), va + i, false);
      if (ma < 0) throw new Error(`test fixture: VA ${(va + i).toString(16)} is unmapped`);
      this.host.mem.write8(ma, bytes[i]);
    }
  }

  write32(va: number, ...words: number[]): void {
    const b = new Uint8Array(words.length * 4);
    const dv = new DataView(b.buffer);
    words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
    this.write(va, b);
  }

  read32(va: number): number {
    const ma = guestVaToMa(this.host.addressSpace(this.d), va, false);
    if (ma < 0) throw new Error(`test fixture: VA ${va.toString(16)} is unmapped`);
    return this.host.mem.read32(ma);
  }

  call(nr: number, ebx = 0, ecx = 0, edx = 0, esi = 0, edi = 0): number {
    return hypercall(this.host, this.d, nr, ebx, ecx, edx, esi, edi);
  }

  /** mmu_update with the given (ptr, val) pairs written at `va`; returns [rc, success count]. */
  mmu(va: number, ...reqs: Array<[number, number]>): [number, number] {
    this.write32(va, ...reqs.flat());
    const countVa = va + reqs.length * 8;
    this.write32(countVa, 0xdeadbeef);
    const rc = this.call(1, va, reqs.length, countVa);
    return [rc, this.read32(countVa)];
  }

  get sharedMa(): number {
    return this.d.sharedInfoMfn * 4096;
  }
}
