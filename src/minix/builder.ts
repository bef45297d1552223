// The MINIX domain builder (report 5.2, figure 5.3; `builder='minix'`), Xen 2.0's missing
// xc_minix_build: loads every a.out of the boot image from VA 0, then lays out, page by page,
// 16 GDT frames, the page directory, the page tables, the P2M list, the start information and
// the boot stack; maps all memory from VA 0 (MINIX does not page) and shared_info at 0x2000000.
// Address kinds are in the names: Va (guest virtual = pseudo-physical byte address here, since
// PFN k is mapped at VA k*4096), Pfn, Mfn (machine frame), Ma (machine address).
import debug from "debug";
import {
  FLAT_RING1_CS,
  FLAT_RING1_DS,
  L1_ENTRIES,
  MAX_CMDLINE,
  MAX_GDT_ENTRIES,
  MAX_GDT_FRAMES,
  PAGE_SHIFT,
  PAGE_SIZE,
  SHARED_INFO,
  START_INFO,
  _PAGE_ACCESSED,
  _PAGE_DIRTY,
  _PAGE_PRESENT,
  _PAGE_RW,
  _PAGE_USER,
} from "../xen/abi.js";
import type { BuildRequest, BuildResult, DomainBuilder, InitialRegisters } from "../xen/tools/builder.js";
import { builderNames, registerBuilder } from "../xen/tools/builder.js";
import { A_I80386, aoutMemoryLayout, encodeAoutHeader } from "./aout.js";
import { PROCESS_MAX, readImage, type ImageEntry } from "./image.js";

const log = debug("minix:builder");

/** Where the builder maps shared_info (report 5.2.2's FIXED_SHARED_INFO). */
export const SHARED_INFO_VA = 0x2000000;
/** The GDT frames the kernel enables at entry with set_gdt (report 5.2.3). */
export const NR_GDT_FRAMES = MAX_GDT_FRAMES;
export const BOOT_GDT_ENTRIES = MAX_GDT_ENTRIES;
/** GDT slots the builder fills: ring-1 kernel code and data, base 0, largest limit Xen allows. */
export const KERNEL_CS_INDEX = 1;
export const KERNEL_DS_INDEX = 2;
/** Descriptors as two little-endian words: limit 0xFC3FF pages (ends at 0xFC3FFFFF), G=1, D=1,
 * access P|DPL1|S|type, accessed bit preset so the CPU never writes the read-only GDT. */
export const KERNEL_CS_DESCRIPTOR: readonly [number, number] = [0x0000c3ff, 0x00cfbb00];
export const KERNEL_DS_DESCRIPTOR: readonly [number, number] = [0x0000c3ff, 0x00cfb300];

/**
 * MINIX's setup information after Xen's start_info (report listing 5.2; guest twin
 * include/minix/bootinfo.h). Offsets from the start of the start-info page.
 */
export const MINIX_START_INFO = {
  msi_vaddr: 320, // VA of this page
  fmem_vaddr: 324, // VA of the first free page
  gdt_vaddr: 328, // VA of the GDT frames
  gdt_mfns: 332, // u32[16] MFNs of the GDT frames
  nr_procs: 396,
  processes: 400, // process_t[16]: { base VA, size bytes, entry }
  PROCESS_SIZE: 12,
  procheaders: 592, // image_header_t[16]: name[64] + 48-byte a.out header with a_syms = load VA
  PROCHEADER_SIZE: 112,
  shared_info: 2384, // VA of shared_info
  SIZE: 2388,
} as const;

/** L1 entries: P|A, RW unless the frame must stay read-only, US unless it is a kernel page. */
const PTE_BASE = _PAGE_PRESENT | _PAGE_ACCESSED;
/** L2 entries as Xen's builders write them: P|RW|US|A|D (the L1 entries decide). */
const L2_PROT = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;
/** EFLAGS as xc_linux_build sets them: IF and bit 2. */
const BUILDER_EFLAGS = (1 << 9) | (1 << 2);

const pagesFor = (bytes: number) => Math.ceil(bytes / PAGE_SIZE);

/** One boot process as placed in the domain. */
export interface PlacedProcess {
  name: string;
  /** VA (= pseudo-physical byte address) of its text; its segment base. */
  baseVa: number;
  /** Bytes reserved for it (aoutMemoryLayout): text pages then data pages for separate I&D. */
  sizeBytes: number;
  entry: number;
}

/** The domain's initial memory, figure 5.3, bottom up. Every region is page-aligned. */
export interface MinixLayout {
  nrPages: number;
  processes: PlacedProcess[];
  /** First page after the processes; the kernel's pages are [0, kernelEndVa). */
  kernelEndVa: number;
  gdtVa: number;
  pageDirectoryVa: number;
  pageTablesVa: number;
  nrL1Frames: number;
  p2mVa: number;
  startInfoVa: number;
  stackVa: number;
  /** Top of the boot stack page: the initial esp. */
  stackTopVa: number;
  freeVa: number;
  sharedInfoVa: number;
}

/**
 * MINIX boot parameters from the config's `extra`: one `name=value` per line (Appendix B's
 * triple-quoted form, spaces around '=' allowed) or separated by blanks on one line; returned
 * as `name=value` words joined by single spaces, what the kernel reads from cmd_line.
 */
export function normalizeBootParams(extra: string): string {
  const pieces = extra.includes("\n") ? extra.split("\n") : extra.split(/\s+/);
  return pieces
    .map((p) => p.replace(/\s+/g, ""))
    .filter((p) => p !== "")
    .join(" ");
}


/**
 * Plans figure 5.3 for a boot image in a domain of `nrPages` pages. Throws RangeError when it
 * does not fit or when memory would reach shared_info's fixed VA.
 */
export function planMinixLayout(entries: ImageEntry[], nrPages: number, what: string): MinixLayout {
  const fail = (why: string): never => {
    throw new RangeError(`Cannot build MINIX domain from "${what}": ${why}`);
  };
  if (nrPages * PAGE_SIZE > SHARED_INFO_VA) {
    fail(`${(nrPages * PAGE_SIZE) >> 20} MiB of memory would reach shared_info at VA 0x2000000; at most 32 MiB`);
  }
  let va = 0;
  const processes = entries.map((e) => {
    const sizeBytes = aoutMemoryLayout(e.aout.header, PAGE_SIZE).bytes;
    const p: PlacedProcess = { name: e.name, baseVa: va, sizeBytes, entry: e.aout.header.entry };
    va += sizeBytes;
    return p;
  });
  const kernelEndVa = processes[0].baseVa + processes[0].sizeBytes;
  const gdtVa = va;
  const pageDirectoryVa = gdtVa + NR_GDT_FRAMES * PAGE_SIZE;
  const pageTablesVa = pageDirectoryVa + PAGE_SIZE;
  // One L1 per 4 MiB of memory, plus the one holding shared_info's slot (memory stays below it).
  const nrL1Frames = Math.ceil(nrPages / L1_ENTRIES) + 1;
  const p2mVa = pageTablesVa + nrL1Frames * PAGE_SIZE;
  const startInfoVa = p2mVa + pagesFor(nrPages * 4) * PAGE_SIZE;
  const stackVa = startInfoVa + PAGE_SIZE;
  const freeVa = stackVa + PAGE_SIZE;
  if (freeVa > nrPages * PAGE_SIZE) {
    fail(`the boot image and the builder's structures need ${freeVa >> 10} KiB, the domain has ${(nrPages * PAGE_SIZE) >> 10} KiB`);
  }
  return {
    nrPages,
    processes,
    kernelEndVa,
    gdtVa,
    pageDirectoryVa,
    pageTablesVa,
    nrL1Frames,
    p2mVa,
    startInfoVa,
    stackVa,
    stackTopVa: stackVa + PAGE_SIZE,
    freeVa,
    sharedInfoVa: SHARED_INFO_VA,
  };
}

/** Pages the kernel alone may touch (user bit clear), and pages that must stay read-only. */
function pageRules(L: MinixLayout) {
  const kernelPfnEnd = L.kernelEndVa >>> PAGE_SHIFT;
  const builderStart = L.gdtVa >>> PAGE_SHIFT;
  const builderEnd = L.freeVa >>> PAGE_SHIFT;
  const readOnlyStart = L.gdtVa >>> PAGE_SHIFT;
  const readOnlyEnd = L.p2mVa >>> PAGE_SHIFT; // GDT frames, page directory, page tables
  return {
    isKernelPage: (pfn: number) => pfn < kernelPfnEnd || (pfn >= builderStart && pfn < builderEnd),
    isReadOnly: (pfn: number) => pfn >= readOnlyStart && pfn < readOnlyEnd,
  };
}

/** Builds a MINIX domain. Exported for tests; registered as the 'minix' builder. */
export function buildMinixDomain(req: BuildRequest): BuildResult {
  const what = req.kernelPath;
  const entries = readImage(req.kernel, `boot image "${what}"`);
  if (entries.length > PROCESS_MAX) {
    throw new RangeError(`Cannot build MINIX domain from "${what}": ${entries.length} programs, at most ${PROCESS_MAX}`);
  }
  for (const e of entries) {
    if (e.aout.header.cpu !== A_I80386) {
      throw new RangeError(`Cannot build MINIX domain from "${what}": program "${e.name}" is for cpu 0x${e.aout.header.cpu.toString(16)}, not i386 (0x10)`);
    }
  }
  const nrPages = req.p2mMfn.length;
  const L = planMinixLayout(entries, nrPages, what);
  const mem = req.memory;
  const maOf = (va: number) => req.p2mMfn[va >>> PAGE_SHIFT] * PAGE_SIZE + (va & (PAGE_SIZE - 1));
  const writeVa = (va: number, data: Uint8Array) => {
    for (let done = 0; done < data.length; ) {
      const n = Math.min(PAGE_SIZE - ((va + done) & (PAGE_SIZE - 1)), data.length - done);
      mem.writeBytes(maOf(va + done), data.subarray(done, done + n));
      done += n;
    }
  };
  const write32Va = (va: number, value: number) => mem.write32(maOf(va), value >>> 0);

  // All of the domain's memory starts zeroed: bss, stacks, tables, free memory.
  for (let pfn = 0; pfn < nrPages; pfn++) mem.fill(req.p2mMfn[pfn] * PAGE_SIZE, PAGE_SIZE, 0);

  // 5.2.1: each program where the plan put it, text then data (data on a page for separate I&D).
  entries.forEach((e, i) => {
    const base = L.processes[i].baseVa;
    const h = e.aout.header;
    writeVa(base, e.aout.text);
    writeVa(base + aoutMemoryLayout(h, PAGE_SIZE).dataOffset, e.aout.data);
  });

  // 5.2.3: the GDT with the ring-1 kernel code and data descriptors.
  write32Va(L.gdtVa + KERNEL_CS_INDEX * 8, KERNEL_CS_DESCRIPTOR[0]);
  write32Va(L.gdtVa + KERNEL_CS_INDEX * 8 + 4, KERNEL_CS_DESCRIPTOR[1]);
  write32Va(L.gdtVa + KERNEL_DS_INDEX * 8, KERNEL_DS_DESCRIPTOR[0]);
  write32Va(L.gdtVa + KERNEL_DS_INDEX * 8 + 4, KERNEL_DS_DESCRIPTOR[1]);

  // 5.2.2: every page mapped at VA = PFN*4096; then shared_info at its fixed VA.
  const rules = pageRules(L);
  const l2Ma = maOf(L.pageDirectoryVa);
  const l1Ma = (k: number) => maOf(L.pageTablesVa + k * PAGE_SIZE);
  for (let pfn = 0; pfn < nrPages; pfn++) {
    const slot = pfn >>> 10;
    if ((pfn & (L1_ENTRIES - 1)) === 0) mem.write32(l2Ma + slot * 4, (l1Ma(slot) | L2_PROT) >>> 0);
    let pte = req.p2mMfn[pfn] * PAGE_SIZE + PTE_BASE;
    if (!rules.isReadOnly(pfn)) pte |= _PAGE_RW | _PAGE_DIRTY;
    if (!rules.isKernelPage(pfn)) pte |= _PAGE_USER;
    mem.write32(l1Ma(slot) + (pfn & (L1_ENTRIES - 1)) * 4, pte >>> 0);
  }
  const siSlot = L.sharedInfoVa >>> 22;
  const siL1 = l1Ma(L.nrL1Frames - 1);
  mem.write32(l2Ma + siSlot * 4, (siL1 | L2_PROT) >>> 0);
  mem.write32(siL1 + ((L.sharedInfoVa >>> PAGE_SHIFT) & (L1_ENTRIES - 1)) * 4, (req.sharedInfoMa | PTE_BASE | _PAGE_RW | _PAGE_DIRTY) >>> 0);

  // The P2M list: u32 MFN per PFN.
  const p2m = new Uint8Array(nrPages * 4);
  const p2mView = new DataView(p2m.buffer);
  req.p2mMfn.forEach((mfn, pfn) => p2mView.setUint32(pfn * 4, mfn, true));
  writeVa(L.p2mVa, p2m);

  // 5.2.4: Xen's start_info, then MINIX's setup information.
  const si = L.startInfoVa;
  write32Va(si + START_INFO.nr_pages, nrPages);
  write32Va(si + START_INFO.shared_info, req.sharedInfoMa); // machine address
  write32Va(si + START_INFO.flags, req.startInfoFlags);
  mem.write16(maOf(si + START_INFO.domain_controller_evtchn), req.controlEvtchnPort);
  write32Va(si + START_INFO.pt_base, L.pageDirectoryVa);
  write32Va(si + START_INFO.nr_pt_frames, 1 + L.nrL1Frames);
  write32Va(si + START_INFO.mfn_list, L.p2mVa);
  const params = normalizeBootParams(req.config.extra !== "" ? req.config.extra : req.cmdline);
  writeVa(si + START_INFO.cmd_line, new TextEncoder().encode(params).subarray(0, MAX_CMDLINE - 1));
  const M = MINIX_START_INFO;
  write32Va(si + M.msi_vaddr, si);
  write32Va(si + M.fmem_vaddr, L.freeVa);
  write32Va(si + M.gdt_vaddr, L.gdtVa);
  const gdtMfns: number[] = [];
  for (let k = 0; k < NR_GDT_FRAMES; k++) {
    const mfn = req.p2mMfn[(L.gdtVa >>> PAGE_SHIFT) + k];
    gdtMfns.push(mfn);
    write32Va(si + M.gdt_mfns + 4 * k, mfn);
  }
  write32Va(si + M.nr_procs, entries.length);
  entries.forEach((e, i) => {
    const p = L.processes[i];
    const at = si + M.processes + i * M.PROCESS_SIZE;
    write32Va(at, p.baseVa);
    write32Va(at + 4, p.sizeBytes);
    write32Va(at + 8, p.entry);
    const hdrAt = si + M.procheaders + i * M.PROCHEADER_SIZE;
    writeVa(hdrAt, new TextEncoder().encode(e.name).subarray(0, 63));
    // As the boot monitor does, a_syms carries the load address.
    writeVa(hdrAt + 64, encodeAoutHeader({ ...e.aout.header, syms: p.baseVa }, true));
  });
  write32Va(si + M.shared_info, L.sharedInfoVa);

  // shared_info starts empty with upcalls masked; the control interface above SIZE is the controller's.
  mem.fill(req.sharedInfoMa, SHARED_INFO.SIZE, 0);
  mem.write8(req.sharedInfoMa + SHARED_INFO.evtchn_upcall_mask, 1);

  // 5.2.5: flat guest selectors, esi = start information, stack after it, general registers 0.
  const regs: InitialRegisters = {
    eax: 0, ebx: 0, ecx: 0, edx: 0, edi: 0, ebp: 0,
    esi: si,
    esp: L.stackTopVa,
    eip: L.processes[0].entry,
    eflags: BUILDER_EFLAGS,
    cs: FLAT_RING1_CS,
    ds: FLAT_RING1_DS, es: FLAT_RING1_DS, fs: FLAT_RING1_DS, gs: FLAT_RING1_DS, ss: FLAT_RING1_DS,
  };
  log("dom%d: %d programs, gdt %s pd %s si %s free %s", req.domid, entries.length, hex(L.gdtVa), hex(L.pageDirectoryVa), hex(si), hex(L.freeVa));
  return {
    regs,
    pageDirectoryMa: l2Ma,
    kernelStackSs: FLAT_RING1_DS,
    kernelStackVa: L.stackTopVa,
    writablePagetables: false,
    gdt: undefined, // the kernel enables its GDT itself at entry (report 5.2.3)
    layout: {
      kernelEndVa: L.kernelEndVa,
      gdtVa: L.gdtVa,
      gdtFirstMfn: gdtMfns[0],
      pageDirectoryVa: L.pageDirectoryVa,
      pageDirectoryMa: l2Ma,
      pageTablesVa: L.pageTablesVa,
      nrL1Frames: L.nrL1Frames,
      p2mVa: L.p2mVa,
      startInfoVa: si,
      startInfoMa: maOf(si),
      stackTopVa: L.stackTopVa,
      freeVa: L.freeVa,
      sharedInfoVa: L.sharedInfoVa,
      sharedInfoMa: req.sharedInfoMa,
    },
  };
}

export const minixBuilder: DomainBuilder = {
  name: "minix",
  description: "MINIX boot images: a.out programs, kernel first (the report's xc_minix_build)",
  build: buildMinixDomain,
};

/** Registers the 'minix' builder once; later calls do nothing. */
export function registerMinixBuilder(): void {
  if (!builderNames().includes(minixBuilder.name)) registerBuilder(minixBuilder);
}

function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16);
}
