// The generic Xen ELF domain builder, Xen 2.0's xc_linux_build (`builder='linux'`): checks the
// kernel's __xen_guest string, then lays out one bootstrap region mapped VA = v_start + PFN*4096:
// kernel, ramdisk, P2M list, page tables (L2 then L1s, mapped read-only), start_info, boot
// stack, padding to a 4 MiB boundary (xen2-abi.md §5.1-5.3), and sets the initial registers.
import debug from "debug";
import {
  FLAT_RING1_CS,
  FLAT_RING1_DS,
  L1_ENTRIES,
  MAX_CMDLINE,
  PAGE_SHIFT,
  PAGE_SIZE,
  SHARED_INFO,
  START_INFO,
  VCPU_INFO,
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_USER,
  HYPERVISOR_VIRT_START,
} from "../abi.js";
import type { BuildRequest, BuildResult, DomainBuilder, InitialRegisters } from "./builder.js";
import { loadableSegments } from "./elf.js";
import { inspectXenKernel } from "./xen-guest.js";

const log = debug("xen:builder");

/** How xc_linux_build maps bootstrap pages: L1 entries P|RW|A, L2 entries P|RW|US|A|D. */
const L1_PROT = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED;
const L2_PROT = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;
/** xc_linux_build writes EFLAGS = (1<<9)|(1<<2): IF and bit 2 (its comment says bit 1). */
const BUILDER_EFLAGS = (1 << 9) | (1 << 2);
/** One L2 slot maps 4 MiB; the region ends on such a boundary with at least 512 KiB after the stack. */
const L2_SPAN = 1 << 22;
const MIN_PADDING = 512 << 10;

/** The bootstrap region, all VAs, each page-aligned, in the order xc_linux_build lays it out. */
export interface ElfLayout {
  vStartVa: number;
  kernelStartVa: number;
  kernelEndVa: number;
  ramdiskStartVa: number;
  ramdiskEndVa: number;
  p2mStartVa: number;
  p2mEndVa: number;
  pageTablesStartVa: number;
  pageTablesEndVa: number;
  startInfoVa: number;
  stackStartVa: number;
  stackEndVa: number;
  vEndVa: number;
  nrPtFrames: number;
}

const roundUp = (n: number) => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

/**
 * Computes the layout exactly as xc_linux_build does; `nrPages` is the domain's size in pages.
 * Throws RangeError when the region would not fit in the domain's memory.
 */
export function planElfLayout(vStartVa: number, kernelEndVa: number, ramdiskLen: number, nrPages: number, what: string): ElfLayout {
  const kernelEnd = roundUp(kernelEndVa);
  const ramdiskStartVa = kernelEnd;
  const ramdiskEndVa = ramdiskStartVa + ramdiskLen;
  const p2mStartVa = roundUp(ramdiskEndVa);
  const p2mEndVa = p2mStartVa + nrPages * 4;
  const pageTablesStartVa = roundUp(p2mEndVa);
  for (let nrPt = 2; ; nrPt++) {
    const pageTablesEndVa = pageTablesStartVa + nrPt * PAGE_SIZE;
    const startInfoVa = pageTablesEndVa;
    const stackStartVa = startInfoVa + PAGE_SIZE;
    const stackEndVa = stackStartVa + PAGE_SIZE;
    let vEndVa = Math.ceil(stackEndVa / L2_SPAN) * L2_SPAN;
    if (vEndVa - stackEndVa < MIN_PADDING) vEndVa += L2_SPAN;
    if (Math.ceil((vEndVa - vStartVa) / L2_SPAN) + 1 <= nrPt) {
      if (vEndVa - vStartVa > nrPages * PAGE_SIZE) {
        throw new RangeError(
          `Cannot build domain from "${what}": its bootstrap region needs ${(vEndVa - vStartVa) >> 20} MiB, the domain has ${(nrPages * PAGE_SIZE) >> 20} MiB`,
        );
      }
      if (vEndVa > HYPERVISOR_VIRT_START) {
        throw new RangeError(`Cannot build domain from "${what}": its bootstrap region ends at VA 0x${hex(vEndVa)}, inside Xen's area`);
      }
      return {
        vStartVa, kernelStartVa: vStartVa, kernelEndVa: kernelEnd, ramdiskStartVa, ramdiskEndVa, p2mStartVa, p2mEndVa,
        pageTablesStartVa, pageTablesEndVa, startInfoVa, stackStartVa, stackEndVa, vEndVa, nrPtFrames: nrPt,
      };
    }
  }
}

/** Builds an ELF domain. Exported for tests; registered as the 'linux' builder. */
export function buildElfDomain(req: BuildRequest): BuildResult {
  const what = req.kernelPath;
  const fail = (why: string): never => {
    throw new RangeError(`Cannot build domain from "${what}": ${why}`);
  };
  const { image, guest } = inspectXenKernel(req.kernel, what);
  const segments = loadableSegments(image);
  if (segments.length === 0) fail("it has no loadable segment");
  const kernStart = Math.min(...segments.map((s) => s.vaddr));
  const kernEnd = Math.max(...segments.map((s) => s.vaddr + s.memsz));
  const vStartVa = guest.virtBase ?? kernStart;
  if (vStartVa % PAGE_SIZE !== 0) fail(`VIRT_BASE 0x${hex(vStartVa)} is not page-aligned`);
  if (kernStart < vStartVa) fail(`a segment starts at VA 0x${hex(kernStart)}, below VIRT_BASE 0x${hex(vStartVa)}`);
  if (image.entry < kernStart || image.entry > kernEnd) {
    fail(`entry point 0x${hex(image.entry)} lies outside the kernel [0x${hex(kernStart)}, 0x${hex(kernEnd)})`);
  }
  const nrPages = req.p2mMfn.length;
  const ramdiskLen = req.ramdisk?.length ?? 0;
  const L = planElfLayout(vStartVa, kernEnd, ramdiskLen, nrPages, what);
  const mem = req.memory;
  const pfnOf = (va: number) => (va - vStartVa) >>> PAGE_SHIFT;
  const maOf = (va: number) => req.p2mMfn[pfnOf(va)] * PAGE_SIZE + (va & (PAGE_SIZE - 1));
  /** Writes bytes at a VA of the bootstrap region, page by page through the P2M list. */
  const writeVa = (va: number, data: Uint8Array) => {
    for (let done = 0; done < data.length; ) {
      const room = PAGE_SIZE - ((va + done) & (PAGE_SIZE - 1));
      const n = Math.min(room, data.length - done);
      mem.writeBytes(maOf(va + done), data.subarray(done, done + n));
      done += n;
    }
  };
  const zeroVa = (startVa: number, endVa: number) => {
    for (let va = startVa; va < endVa; ) {
      const n = Math.min(PAGE_SIZE - (va & (PAGE_SIZE - 1)), endVa - va);
      mem.fill(maOf(va), n, 0);
      va += n;
    }
  };

  // The whole bootstrap region starts zeroed, so padding and bss hold no stale data.
  zeroVa(L.vStartVa, L.vEndVa);
  for (const s of segments) writeVa(s.vaddr, image.bytes.subarray(s.offset, s.offset + s.filesz));
  if (req.ramdisk !== undefined) writeVa(L.ramdiskStartVa, req.ramdisk);

  // P2M list: u32 MFN per PFN, read by the guest at start_info.mfn_list.
  const p2m = new Uint8Array(nrPages * 4);
  const p2mView = new DataView(p2m.buffer);
  req.p2mMfn.forEach((mfn, pfn) => p2mView.setUint32(pfn * 4, mfn, true));
  writeVa(L.p2mStartVa, p2m);

  // Page tables: the L2 first, then one L1 per 4 MiB the region touches.
  const l2Ma = maOf(L.pageTablesStartVa);
  let nextPtVa = L.pageTablesStartVa + PAGE_SIZE;
  let l1Ma = -1;
  const firstPtPfn = pfnOf(L.pageTablesStartVa);
  const endPtPfn = pfnOf(L.pageTablesEndVa);
  for (let va = L.vStartVa; va < L.vEndVa; va += PAGE_SIZE) {
    const l1Index = (va >>> PAGE_SHIFT) & (L1_ENTRIES - 1);
    if (l1Ma < 0 || l1Index === 0) {
      if (nextPtVa >= L.pageTablesEndVa) fail("ran out of page-table frames (builder bug)");
      l1Ma = maOf(nextPtVa);
      nextPtVa += PAGE_SIZE;
      mem.write32(l2Ma + (va >>> 22) * 4, (l1Ma | L2_PROT) >>> 0);
    }
    const pfn = pfnOf(va);
    const prot = pfn >= firstPtPfn && pfn < endPtPfn ? L1_PROT & ~_PAGE_RW : L1_PROT;
    mem.write32(l1Ma + l1Index * 4, (req.p2mMfn[pfn] * PAGE_SIZE) | prot);
  }

  // start_info, zeroed above.
  const si = maOf(L.startInfoVa);
  mem.write32(si + START_INFO.nr_pages, nrPages);
  mem.write32(si + START_INFO.shared_info, req.sharedInfoMa >>> 0);
  mem.write32(si + START_INFO.flags, req.startInfoFlags);
  mem.write16(si + START_INFO.domain_controller_evtchn, req.controlEvtchnPort);
  mem.write32(si + START_INFO.pt_base, L.pageTablesStartVa >>> 0);
  mem.write32(si + START_INFO.nr_pt_frames, L.nrPtFrames);
  mem.write32(si + START_INFO.mfn_list, L.p2mStartVa >>> 0);
  mem.write32(si + START_INFO.mod_start, req.ramdisk === undefined ? 0 : L.ramdiskStartVa >>> 0);
  mem.write32(si + START_INFO.mod_len, ramdiskLen);
  const cmd = new TextEncoder().encode(req.cmdline).subarray(0, MAX_CMDLINE - 1);
  mem.writeBytes(si + START_INFO.cmd_line, cmd);

  // shared_info starts empty with upcalls masked (its control interface above SIZE is left alone).
  mem.fill(req.sharedInfoMa, SHARED_INFO.SIZE, 0);
  mem.write8(req.sharedInfoMa + SHARED_INFO.evtchn_upcall_mask + 0 * VCPU_INFO.SIZE, 1);

  const regs: InitialRegisters = {
    eax: 0, ebx: 0, ecx: 0, edx: 0, edi: 0, ebp: 0,
    esi: L.startInfoVa >>> 0,
    esp: L.stackEndVa >>> 0,
    eip: image.entry >>> 0,
    eflags: BUILDER_EFLAGS,
    cs: FLAT_RING1_CS,
    ds: FLAT_RING1_DS, es: FLAT_RING1_DS, fs: FLAT_RING1_DS, gs: FLAT_RING1_DS, ss: FLAT_RING1_DS,
  };
  log("dom%d: %s v_start=%s entry=%s si=%s pt=%s nr_pt=%d", req.domid, guest.raw, hex(L.vStartVa), hex(image.entry), hex(L.startInfoVa), hex(L.pageTablesStartVa), L.nrPtFrames);
  return {
    regs,
    pageDirectoryMa: l2Ma,
    kernelStackSs: FLAT_RING1_DS,
    kernelStackVa: L.stackEndVa >>> 0,
    writablePagetables: guest.ptModeWritable,
    gdt: undefined,
    layout: { ...L, entryVa: image.entry, pageDirectoryMa: l2Ma, startInfoMa: si },
  };
}

export const elfBuilder: DomainBuilder = {
  name: "linux",
  description: "Xen ELF kernels with a __xen_guest section (Xen 2.0's xc_linux_build)",
  build: buildElfDomain,
};

function hex(n: number): string {
  return (n >>> 0).toString(16);
}
