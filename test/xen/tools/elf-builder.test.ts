import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { MachineMemory } from "../../../src/emu/memory.js";
import { FLAT_RING1_CS, FLAT_RING1_DS, START_INFO, SHARED_INFO, _PAGE_PRESENT, _PAGE_RW } from "../../../src/xen/abi.js";
import { buildElfDomain, planElfLayout } from "../../../src/xen/tools/elf-builder.js";
import { parseConfig } from "../../../src/xen/tools/config.js";
import type { BuildRequest } from "../../../src/xen/tools/builder.js";
import { findBuilder, registerBuilder } from "../../../src/xen/tools/builder.js";
import { registerStandardBuilders } from "../../../src/xen/tools/builders.js";

const kernel = (v = "") => new Uint8Array(readFileSync(`build/xen-tools/tiny-kernel${v}`));

/** A non-contiguous, reversed-and-interleaved frame list so PFN/MFN mix-ups show. */
function scatteredFrames(count: number, total: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(total - 1 - ((i * 7) % count) - (i % 2) * count);
  return out;
}

function request(pages: number, overrides: Partial<BuildRequest> = {}): { req: BuildRequest; mem: MachineMemory } {
  const totalFrames = pages * 2 + 64;
  const mem = new MachineMemory(totalFrames * 4096);
  mem.fill(0, mem.bytes, 0xaa); // stale data the builder must clear
  const p2mMfn = scatteredFrames(pages, totalFrames);
  expect(new Set(p2mMfn).size).toBe(pages);
  const req: BuildRequest = {
    domid: 3,
    kernel: kernel(),
    kernelPath: "tiny-kernel",
    ramdisk: undefined,
    cmdline: "console=xen hello",
    config: parseConfig("kernel='k'", "/x/t.cfg"),
    memory: mem,
    p2mMfn,
    sharedInfoMa: 5 * 4096,
    controlEvtchnPort: 1,
    startInfoFlags: 0,
    ...overrides,
  };
  return { req, mem };
}

/** Walks the bootstrap page tables from CR3 the way the MMU would. */
function translate(mem: MachineMemory, l2Ma: number, va: number): { ma: number; rw: boolean } | undefined {
  const pde = mem.read32(l2Ma + (va >>> 22) * 4);
  if ((pde & _PAGE_PRESENT) === 0) return undefined;
  const pte = mem.read32((pde & ~0xfff) + ((va >>> 12) & 1023) * 4);
  if ((pte & _PAGE_PRESENT) === 0) return undefined;
  return { ma: (pte & ~0xfff) + (va & 0xfff), rw: (pte & _PAGE_RW) !== 0 };
}

describe("planElfLayout()", () => {
  it("matches xc_linux_build's worked example for 64 MiB", () => {
    const L = planElfLayout(0xc0000000, 0xc0100000, 0, 16384, "k");
    expect(L.p2mStartVa).toBe(0xc0100000);
    expect(L.p2mEndVa).toBe(0xc0110000);
    expect(L.pageTablesStartVa).toBe(0xc0110000);
    expect(L.nrPtFrames).toBe(2);
    expect(L.startInfoVa).toBe(0xc0112000);
    expect(L.stackEndVa).toBe(0xc0114000);
    expect(L.vEndVa).toBe(0xc0400000);
  });

  it("adds 4 MiB when less than 512 KiB would follow the stack, and a page table for it", () => {
    const L = planElfLayout(0xc0000000, 0xc0390000, 0, 16384, "k");
    expect(L.stackEndVa).toBeGreaterThan(0xc0380000);
    expect(L.vEndVa).toBe(0xc0800000);
    expect(L.nrPtFrames).toBe(3);
  });

  it("refuses a region larger than the domain", () => {
    expect(() => planElfLayout(0xc0000000, 0xc0100000, 0, 512, "k")).toThrow(
      'Cannot build domain from "k": its bootstrap region needs 4 MiB, the domain has 2 MiB',
    );
  });
});

describe("buildElfDomain()", () => {
  it("loads text and data at their VAs through scattered frames and zeroes bss", () => {
    const { req, mem } = request(1024);
    const r = buildElfDomain(req);
    const at = (va: number) => translate(mem, r.pageDirectoryMa, va)!.ma;
    expect(mem.read8(at(0xc0000000))).toBe(0xb8); // mov $imm32, %eax
    expect(mem.read32(at(0xc0000001))).toBe(0x11111111);
    expect(mem.read32(at(0xc0001000))).toBe(0xfeedface);
    expect(mem.read32(at(0xc0002000))).toBe(0); // bss
    expect(at(0xc0000000)).toBe(req.p2mMfn[0] * 4096);
    expect(at(0xc0001000)).toBe(req.p2mMfn[1] * 4096);
  });

  it("sets the initial registers as Xen 2.0 does", () => {
    const { req } = request(1024);
    const r = buildElfDomain(req);
    expect(r.regs).toEqual({
      eax: 0, ebx: 0, ecx: 0, edx: 0, edi: 0, ebp: 0,
      esi: 0xc0007000, esp: 0xc0009000, eip: 0xc0000000, eflags: 0x204,
      cs: FLAT_RING1_CS, ds: FLAT_RING1_DS, es: FLAT_RING1_DS, fs: FLAT_RING1_DS, gs: FLAT_RING1_DS, ss: FLAT_RING1_DS,
    });
    expect(r.kernelStackVa).toBe(0xc0009000);
    expect(r.writablePagetables).toBe(true);
    expect(r.pageDirectoryMa).toBe(req.p2mMfn[5] * 4096);
  });

  it("fills start_info, the P2M list and masks upcalls in shared_info", () => {
    const { req, mem } = request(1024);
    const r = buildElfDomain(req);
    const si = translate(mem, r.pageDirectoryMa, r.regs.esi)!.ma;
    expect(mem.read32(si + START_INFO.nr_pages)).toBe(1024);
    expect(mem.read32(si + START_INFO.shared_info)).toBe(req.sharedInfoMa);
    expect(mem.read32(si + START_INFO.flags)).toBe(0);
    expect(mem.read16(si + START_INFO.domain_controller_evtchn)).toBe(1);
    expect(mem.read32(si + START_INFO.pt_base)).toBe(0xc0005000);
    expect(mem.read32(si + START_INFO.nr_pt_frames)).toBe(2);
    expect(mem.read32(si + START_INFO.mfn_list)).toBe(0xc0004000);
    expect(mem.read32(si + START_INFO.mod_start)).toBe(0);
    const cmd = mem.readBytes(si + START_INFO.cmd_line, 18);
    expect(new TextDecoder().decode(cmd)).toBe("console=xen hello\0");
    const p2m = mem.read32(si + START_INFO.mfn_list) >>> 0;
    for (const pfn of [0, 1, 511, 1023]) {
      expect(mem.read32(translate(mem, r.pageDirectoryMa, p2m + pfn * 4)!.ma)).toBe(req.p2mMfn[pfn]);
    }
    expect(mem.read8(req.sharedInfoMa + SHARED_INFO.evtchn_upcall_mask)).toBe(1);
    expect(mem.read8(req.sharedInfoMa + SHARED_INFO.evtchn_upcall_pending)).toBe(0);
    expect(mem.read32(req.sharedInfoMa + SHARED_INFO.evtchn_pending)).toBe(0);
  });

  it("maps exactly [v_start, v_end), page tables read-only, everything else writable", () => {
    const { req, mem } = request(1024);
    const r = buildElfDomain(req);
    expect(translate(mem, r.pageDirectoryMa, 0xbffff000)).toBeUndefined();
    expect(translate(mem, r.pageDirectoryMa, 0xc0400000)).toBeUndefined();
    for (let va = 0xc0000000; va < 0xc0400000; va += 4096) {
      const t = translate(mem, r.pageDirectoryMa, va)!;
      const pfn = (va - 0xc0000000) / 4096;
      expect(t.ma).toBe(req.p2mMfn[pfn] * 4096);
      expect(t.rw).toBe(!(va >= 0xc0005000 && va < 0xc0007000));
    }
    // The second page-table frame is the L1 the L2 points at.
    expect(mem.read32(r.pageDirectoryMa + (0xc0000000 >>> 22) * 4) & ~0xfff).toBe(req.p2mMfn[6] * 4096);
  });

  it("places a ramdisk after the kernel and reports it in start_info", () => {
    const ramdisk = new Uint8Array(5000).map((_, i) => i & 0xff);
    const { req, mem } = request(1024, { ramdisk });
    const r = buildElfDomain(req);
    const si = translate(mem, r.pageDirectoryMa, r.regs.esi)!.ma;
    expect(mem.read32(si + START_INFO.mod_start)).toBe(0xc0004000);
    expect(mem.read32(si + START_INFO.mod_len)).toBe(5000);
    expect(mem.read8(translate(mem, r.pageDirectoryMa, 0xc0004000 + 4097)!.ma)).toBe(4097 & 0xff);
    expect(mem.read32(si + START_INFO.mfn_list)).toBe(0xc0006000);
  });

  it("refuses kernels without a usable __xen_guest section", () => {
    expect(() => buildElfDomain(request(1024, { kernel: kernel("-nosection"), kernelPath: "n.elf" }).req)).toThrow(
      'Cannot load kernel "n.elf": it has no __xen_guest section, so it was not built for Xen',
    );
    expect(() => buildElfDomain(request(1024, { kernel: kernel("-wrongver") }).req)).toThrow(/expected XEN_VER=2.0 \(found "3.0"\)/);
    expect(() => buildElfDomain(request(1024, { kernel: kernel("-wrongos") }).req)).toThrow(/expected GUEST_OS=linux or LOADER=generic/);
    expect(() => buildElfDomain(request(1024, { kernel: new TextEncoder().encode("#!/bin/sh\n".repeat(8)) }).req)).toThrow(/no ELF magic/);
    expect(() => buildElfDomain(request(1024, { kernel: kernel().subarray(0, 10) }).req)).toThrow(/10 bytes is too short/);
  });

  it("refuses a domain too small for the bootstrap region", () => {
    expect(() => buildElfDomain(request(512).req)).toThrow(/needs 4 MiB, the domain has 2 MiB/);
  });
});

describe("builder registry", () => {
  it("finds the ELF builder under 'linux' and names the known builders otherwise", () => {
    registerStandardBuilders();
    registerStandardBuilders(); // idempotent
    expect(findBuilder("linux").name).toBe("linux");
    expect(() => findBuilder("plan9")).toThrow(/Cannot build domain: no builder "plan9" \(registered: .*linux/);
  });

  it("refuses a second builder under a taken name and accepts new ones", () => {
    registerStandardBuilders();
    expect(() => registerBuilder({ ...findBuilder("linux") })).toThrow(/already registered/);
    registerBuilder({ name: "test-null", description: "x", build: () => { throw new RangeError("nope"); } });
    expect(findBuilder("test-null").description).toBe("x");
  });
});

describe("buildElfDomain() on damaged images", () => {
  it("either builds or refuses with a 'Cannot' RangeError for 2000 corrupted kernels", () => {
    const good = kernel();
    const { req } = request(1024);
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    let built = 0;
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      const bad = good.slice();
      const flips = 1 + Math.floor(rnd() * 4);
      for (let f = 0; f < flips; f++) {
        // Mostly the headers, where damage matters; sometimes anywhere.
        const at = rnd() < 0.8 ? Math.floor(rnd() * 0x100) : Math.floor(rnd() * bad.length);
        bad[at] = Math.floor(rnd() * 256);
      }
      const cut = rnd() < 0.1 ? bad.subarray(0, Math.floor(rnd() * bad.length)) : bad;
      try {
        buildElfDomain({ ...req, kernel: cut });
        built++;
      } catch (err) {
        expect(err).toBeInstanceOf(RangeError);
        expect((err as Error).message).toMatch(/^Cannot (read ELF image|load kernel|build domain)/);
        refused++;
      }
    }
    expect(built).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});

describe("buildElfDomain() layout checks", () => {
  /** The tiny kernel with its __xen_guest VIRT_BASE value replaced (same length). */
  function withVirtBase(v: string): Uint8Array {
    const k = kernel().slice();
    const text = new TextDecoder("latin1").decode(k);
    const at = text.indexOf("VIRT_BASE=0xC0000000") + "VIRT_BASE=".length;
    k.set(new TextEncoder().encode(v), at);
    return k;
  }

  it("refuses a VIRT_BASE that is not page-aligned or lies above the kernel", () => {
    expect(() => buildElfDomain(request(1024, { kernel: withVirtBase("0xC0000800") }).req)).toThrow(
      'Cannot build domain from "tiny-kernel": VIRT_BASE 0xc0000800 is not page-aligned',
    );
    expect(() => buildElfDomain(request(1024, { kernel: withVirtBase("0xC0001000") }).req)).toThrow(
      /a segment starts at VA 0xc0000000, below VIRT_BASE 0xc0001000/,
    );
    expect(() => buildElfDomain(request(1024, { kernel: withVirtBase("0xC000000Z") }).req)).toThrow(/VIRT_BASE is "0xC000000Z"/);
  });

  it("refuses an entry point outside the kernel", () => {
    const k = kernel().slice();
    new DataView(k.buffer).setUint32(24, 0xd0000000, true); // e_entry
    expect(() => buildElfDomain(request(1024, { kernel: k }).req)).toThrow(/entry point 0xd0000000 lies outside the kernel/);
  });

  it("truncates the command line to MAX_CMDLINE-1 bytes plus NUL", () => {
    const { req, mem } = request(1024, { cmdline: "x".repeat(400) });
    const r = buildElfDomain(req);
    const si = translate(mem, r.pageDirectoryMa, r.regs.esi)!.ma;
    expect(mem.read8(si + START_INFO.cmd_line + 254)).toBe(0x78);
    expect(mem.read8(si + START_INFO.cmd_line + 255)).toBe(0);
  });
});
