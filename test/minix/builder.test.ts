// The MINIX builder against the real Xen core: the layout of report figure 5.3 in a fresh
// domain, Xen's own validation of its page tables (host.buildDomain) and GDT frames
// (installGdt, what the kernel's set_gdt at entry does), and the start information.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { XenHost } from "../../src/xen/host.js";
import { installGdt } from "../../src/xen/gdt.js";
import { parseConfig, readConfigFile } from "../../src/xen/tools/config.js";
import { FLAT_RING1_CS, FLAT_RING1_DS, START_INFO, _PAGE_RW, _PAGE_USER, _PAGE_PRESENT } from "../../src/xen/abi.js";
import {
  BOOT_GDT_ENTRIES,
  buildMinixDomain,
  KERNEL_CS_DESCRIPTOR,
  MINIX_START_INFO,
  normalizeBootParams,
  NR_GDT_FRAMES,
  SHARED_INFO_VA,
} from "../../src/minix/builder.js";
import { readImage } from "../../src/minix/image.js";
import { A_SEP } from "../../src/minix/aout.js";
import type { BuildResult } from "../../src/xen/tools/builder.js";

const IMAGE_PATH = "build/minix/image";
const image = new Uint8Array(readFileSync(IMAGE_PATH));
const extra = "rootdev=0x0301 ramimagedev=0x0301 ramsize=0";

function build(memoryMiB: number, kernel = image) {
  const host = new XenHost({ memoryMiB: 64, seed: 7 });
  const d = host.createDomain({ name: "minix", memoryMiB });
  const { guestPort } = host.bindControlChannel(d);
  const config = parseConfig(`kernel = "${IMAGE_PATH}"\nbuilder = "minix"\nmemory = ${memoryMiB}\nextra = "${extra}"\n`, "<inline>");
  const result = buildMinixDomain({
    domid: d.id,
    kernel,
    kernelPath: IMAGE_PATH,
    ramdisk: undefined,
    cmdline: config.cmdline,
    config,
    memory: host.mem,
    p2mMfn: d.frameList,
    sharedInfoMa: d.sharedInfoMfn * 4096,
    controlEvtchnPort: guestPort,
    startInfoFlags: 0,
  });
  return { host, d, guestPort, result };
}

/** Reads the guest's view: VA -> PTE through the builder's own page tables. */
function pteOf(host: XenHost, r: BuildResult, va: number): number {
  const pde = host.mem.read32(r.pageDirectoryMa + (va >>> 22) * 4);
  expect(pde & _PAGE_PRESENT).toBe(1);
  return host.mem.read32((pde & ~0xfff) + ((va >>> 12) & 1023) * 4);
}

function readVa(host: XenHost, r: BuildResult, va: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let done = 0; done < len; ) {
    const at = va + done;
    const n = Math.min(4096 - (at & 0xfff), len - done);
    const ma = (pteOf(host, r, at) & ~0xfff) + (at & 0xfff);
    out.set(host.mem.u8.subarray(ma, ma + n), done);
    done += n;
  }
  return out;
}

const u32 = (host: XenHost, r: BuildResult, va: number) => new DataView(readVa(host, r, va, 4).buffer).getUint32(0, true);

describe("normalizeBootParams()", () => {
  it("turns Appendix B's one-per-line parameters into name=value words", () => {
    const config = readConfigFile("test/fixtures/xen-tools/appendix-b.cfg");
    expect(normalizeBootParams(config.extra)).toBe(
      "rootdev=896 ramimagedev=896 ramsize=0 processor=686 bus=xen video=xen chrome=color memory=930000:a00000 label=XEN controller=c0 image=xenimage",
    );
  });

  it("keeps a one-line list as it is", () => {
    expect(normalizeBootParams(" rootdev=896  ramsize=0 ")).toBe("rootdev=896 ramsize=0");
  });
});

describe("buildMinixDomain()", () => {
  it("lays out processes, 16 GDT frames, page directory, page tables, P2M, start info, stack, free memory in that order", () => {
    const { result } = build(16);
    const L = result.layout;
    const entries = readImage(image);
    expect(L.kernelEndVa).toBe(Math.ceil(entries[0].aout.header.total / 4096) * 4096);
    expect(L.gdtVa % 4096).toBe(0);
    expect(L.pageDirectoryVa).toBe(L.gdtVa + NR_GDT_FRAMES * 4096);
    expect(L.pageTablesVa).toBe(L.pageDirectoryVa + 4096);
    expect(L.nrL1Frames).toBe(4 + 1); // 16 MiB of memory plus shared_info's 4 MiB slot
    expect(L.p2mVa).toBe(L.pageTablesVa + L.nrL1Frames * 4096);
    expect(L.startInfoVa).toBe(L.p2mVa + 4096 * Math.ceil((4096 * 4) / 4096));
    expect(L.stackTopVa).toBe(L.startInfoVa + 2 * 4096);
    expect(L.freeVa).toBe(L.stackTopVa);
    expect(L.sharedInfoVa).toBe(0x2000000);
  });

  it("passes Xen's page-table validation and the kernel's set_gdt of its 16 read-only frames", () => {
    const { host, d, result } = build(16);
    expect(() => host.buildDomain(d, { regs: result.regs, l2Mfn: result.pageDirectoryMa / 4096, fillM2p: true })).not.toThrow();
    const gdtMfns = Array.from({ length: NR_GDT_FRAMES }, (_, k) => d.frameList[(result.layout.gdtVa >>> 12) + k]);
    expect(installGdt(host.core, d, gdtMfns, BOOT_GDT_ENTRIES)).toBe(0);
    // Xen copied its reserved descriptors in; ours at slot 1 survived.
    const gdt0 = gdtMfns[0] * 4096;
    expect([host.mem.read32(gdt0 + 8), host.mem.read32(gdt0 + 12)]).toEqual([...KERNEL_CS_DESCRIPTOR]);
  });

  it("maps all memory from VA 0: kernel pages supervisor, other processes user, tables read-only, shared_info at 0x2000000", () => {
    const { host, d, result } = build(16);
    const L = result.layout;
    const entries = readImage(image);
    for (let pfn = 0; pfn < d.frameList.length; pfn += 97) {
      expect(pteOf(host, result, pfn * 4096) >>> 12).toBe(d.frameList[pfn]);
    }
    expect(pteOf(host, result, 0) & _PAGE_USER).toBe(0);
    expect(pteOf(host, result, L.kernelEndVa) & _PAGE_USER).toBe(_PAGE_USER); // tty
    expect(pteOf(host, result, L.freeVa) & _PAGE_USER).toBe(_PAGE_USER);
    for (const va of [L.gdtVa, L.gdtVa + 15 * 4096, L.pageDirectoryVa, L.pageTablesVa + 4 * 4096]) {
      expect(pteOf(host, result, va) & (_PAGE_RW | _PAGE_USER)).toBe(0);
    }
    expect(pteOf(host, result, L.startInfoVa) & (_PAGE_RW | _PAGE_USER)).toBe(_PAGE_RW);
    expect(pteOf(host, result, SHARED_INFO_VA) >>> 12).toBe(d.sharedInfoMfn);
    expect(readVa(host, result, 0, entries[0].aout.text.length)).toEqual(entries[0].aout.text);
    expect(readVa(host, result, entries[0].aout.header.text, 2)).toEqual(new Uint8Array([0x6f, 0x52]));
    const tty = entries[1];
    expect(readVa(host, result, L.kernelEndVa, 64)).toEqual(tty.aout.text.subarray(0, 64));
  });

  it("fills start_info and MINIX's setup information, saying which address is which", () => {
    const { host, d, guestPort, result } = build(16);
    const L = result.layout;
    const si = L.startInfoVa;
    const entries = readImage(image);
    expect(u32(host, result, si + START_INFO.nr_pages)).toBe(16 * 256);
    expect(u32(host, result, si + START_INFO.shared_info)).toBe(d.sharedInfoMfn * 4096); // machine address
    expect(readVa(host, result, si + START_INFO.domain_controller_evtchn, 2)).toEqual(new Uint8Array([guestPort, 0]));
    expect(u32(host, result, si + START_INFO.pt_base)).toBe(L.pageDirectoryVa);
    expect(u32(host, result, si + START_INFO.nr_pt_frames)).toBe(1 + L.nrL1Frames);
    expect(u32(host, result, si + START_INFO.mfn_list)).toBe(L.p2mVa);
    expect(u32(host, result, L.p2mVa + 4 * 100)).toBe(d.frameList[100]);
    expect(new TextDecoder().decode(readVa(host, result, si + START_INFO.cmd_line, extra.length + 1))).toBe(extra + "\0");
    const M = MINIX_START_INFO;
    expect(u32(host, result, si + M.msi_vaddr)).toBe(si);
    expect(u32(host, result, si + M.fmem_vaddr)).toBe(L.freeVa);
    expect(u32(host, result, si + M.gdt_vaddr)).toBe(L.gdtVa);
    for (let k = 0; k < 16; k++) expect(u32(host, result, si + M.gdt_mfns + 4 * k)).toBe(d.frameList[(L.gdtVa >>> 12) + k]);
    expect(u32(host, result, si + M.nr_procs)).toBe(entries.length);
    expect(entries.some((e) => e.aout.header.flags & A_SEP)).toBe(true); // the PM stand-in
    let base = 0;
    entries.forEach((e, i) => {
      const p = si + M.processes + i * M.PROCESS_SIZE;
      // Separate I&D: a_total does not count the text, which gets pages of its own.
      const hd = e.aout.header;
      const textPages = hd.flags & A_SEP ? Math.ceil(hd.text / 4096) : 0;
      const size = textPages * 4096 + Math.ceil(hd.total / 4096) * 4096;
      expect([u32(host, result, p), u32(host, result, p + 4), u32(host, result, p + 8)]).toEqual([base, size, e.aout.header.entry]);
      if (hd.flags & A_SEP) {
        // Text at the load address, data on the first page after the text.
        expect(readVa(host, result, base, 16)).toEqual(e.aout.text.subarray(0, 16));
        expect(readVa(host, result, base + textPages * 4096, hd.data)).toEqual(e.aout.data);
      }
      const h = si + M.procheaders + i * M.PROCHEADER_SIZE;
      expect(new TextDecoder().decode(readVa(host, result, h, e.name.length + 1))).toBe(e.name + "\0");
      expect(readVa(host, result, h + 64, 2)).toEqual(new Uint8Array([1, 3]));
      expect(u32(host, result, h + 64 + 28)).toBe(base); // a_syms = load address
      base += size;
    });
    expect(u32(host, result, si + M.shared_info)).toBe(SHARED_INFO_VA);
  });

  it("starts the kernel as report 5.2.5 says: flat ring-1 selectors, esi = start info, stack after it", () => {
    const { result } = build(16);
    expect(result.regs).toMatchObject({
      cs: FLAT_RING1_CS, ds: FLAT_RING1_DS, ss: FLAT_RING1_DS, es: FLAT_RING1_DS,
      eip: 0, esi: result.layout.startInfoVa, esp: result.layout.stackTopVa, eax: 0, ebx: 0,
    });
    expect(result.gdt).toBeUndefined();
  });

  it("refuses memory that reaches shared_info, and images that are not MINIX boot images", () => {
    expect(() => build(48)).toThrow(/48 MiB of memory would reach shared_info at VA 0x2000000; at most 32 MiB/);
    expect(() => build(16, new Uint8Array(1024))).toThrow(/Cannot read boot image/);
  });
});
