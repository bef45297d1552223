// Each Xen 2.0 hypercall with valid and invalid arguments and its exact result, as a domU sees it.
import { describe, expect, it } from "vitest";
import {
  CONSOLEIO_write, EFAULT, EINVAL, ENOSYS, EPERM, FIRST_RESERVED_GDT_ENTRY, FLAT_RING1_CS,
  PGT_gdt_page, SHUTDOWN_reboot, XEN_VERSION,
} from "../../src/xen/abi.js";
import { BufferConsole } from "../../src/xen/console-sink.js";
import { S_DS } from "../../src/xen/domain.js";
import { canLoadDataSegment } from "../../src/xen/segments.js";
import { Guest, PTE_RO } from "./fixture.js";

// A ring-1 flat data descriptor with the accessed bit set, and variants.
const DATA_R1: [number, number] = [0x0000ffff, 0x00cfb300];
const DATA_R0: [number, number] = [0x0000ffff, 0x00cf9300];
// Base 0xFC3FE000, byte-granular limit 0xFFFFF: reaches Xen and cannot be truncated (G=0).
const DATA_BYTES_INTO_XEN: [number, number] = [0xe000ffff, 0xfc0fb33f];

function makeGdtFrame(g: Guest, pfn: number, entries: Array<[number, number, number]>): number {
  for (const [i, lo, hi] of entries) g.write32(g.va(pfn) + i * 8, lo, hi);
  expect(g.call(14, g.va(pfn) >>> 12, g.mfn(pfn) * 4096 + PTE_RO, 2)).toBe(0); // read-only mapping
  return g.mfn(pfn);
}

describe("small hypercalls", () => {
  it("xen_version(0) is 2.0; other commands and missing numbers give -ENOSYS; numbers alias mod 32", () => {
    const g = Guest.create();
    expect(g.call(17, 0)).toBe(XEN_VERSION);
    expect(g.call(17, 1)).toBe(-ENOSYS);
    expect(g.call(24)).toBe(-ENOSYS);
    expect(g.call(31)).toBe(-ENOSYS);
    expect(g.call(32 + 17, 0)).toBe(XEN_VERSION);
    expect(g.call(7, 0)).toBe(-EPERM);
    expect(g.call(19, 0)).toBe(-EPERM);
    expect(g.call(22, 0, 0, 0, 0)).toBe(-EPERM);
  });

  it("set/get_debugreg check register numbers, addresses and DR7 bits", () => {
    const g = Guest.create();
    expect(g.call(8, 0, 0x401000)).toBe(0);
    expect(g.call(9, 0)).toBe(0x401000);
    expect(g.call(8, 1, 0xfc400000)).toBe(-EPERM);
    expect(g.call(8, 4, 0)).toBe(-EINVAL);
    expect(g.call(8, 7, 1 << 13)).toBe(-EPERM);
    expect(g.call(8, 7, (2 << 16) | 1)).toBe(-EPERM);
    expect(g.call(8, 7, (1 << 16) | 1)).toBe(0);
    expect(g.call(9, 8)).toBe(-EINVAL);
    expect(g.call(8, 6, 0) >>> 0).toBe(0);
    expect(g.call(9, 6) >>> 0).toBe(0xffff0ff0);
  });

  it("vm_assist, fpu_taskswitch, set_fast_trap, set_timer_op", () => {
    const g = Guest.create();
    expect(g.call(21, 0, 2)).toBe(0);
    expect(g.d.vmAssist).toBe(4);
    expect(g.call(21, 1, 2)).toBe(0);
    expect(g.call(21, 0, 3)).toBe(-EINVAL);
    expect(g.call(21, 5, 0)).toBe(-ENOSYS);
    expect(g.call(5)).toBe(0);
    expect(g.d.vcpu.cr0Ts).toBe(true);
    expect(g.call(11, 0x80)).toBe(0);
    expect(g.call(11, 0x30)).toBe(-1);
    expect(g.call(11, 0)).toBe(0);
    expect(g.call(15, 1, 5)).toBe(0);
    expect(g.d.timerDeadlineNs).toBe(0x1_0000_0005);
  });

  it("console_io writes up to a NUL from any domain here; bad buffers give -EFAULT", () => {
    const console = new BufferConsole();
    const g = Guest.create({ console });
    g.write(g.va(6), new Uint8Array([...Buffer.from("hi\nthere"), 0, 65]));
    expect(g.call(18, CONSOLEIO_write, 10, g.va(6))).toBe(10);
    expect(console.textOf(g.d.id)).toBe("hi\nthere");
    expect(g.call(18, CONSOLEIO_write, 10, 0xfc001000)).toBe(-EFAULT);
    console.type("ab");
    expect(g.call(18, 1, 8, g.va(7))).toBe(2);
    expect(g.read32(g.va(7)) & 0xffff).toBe(0x6261);
    expect(g.call(18, 9, 0, 0)).toBe(-ENOSYS);
  });

  it("sched_op: unknown commands -ENOSYS, shutdown stops the domain with its reason", () => {
    const g = Guest.create();
    const exits: number[] = [];
    g.host.onDomainExit((_d, r) => exits.push(r));
    g.host.unpause(g.d);
    expect(g.call(6, 7)).toBe(-ENOSYS);
    expect(g.call(6, 2 | (SHUTDOWN_reboot << 8))).toBe(0);
    expect(g.d.runState).toBe("shutdown");
    expect(g.d.shutdownReason).toBe(SHUTDOWN_reboot);
    expect(exits).toEqual([SHUTDOWN_reboot]);
  });

  it("multicall stores each result in args[5] and refuses nesting", () => {
    const g = Guest.create();
    const va = g.va(8);
    const e = (op: number, ...args: number[]) => [op, ...args, 0, 0, 0, 0, 0, 0, 0].slice(0, 8);
    g.write32(va, ...e(17, 0), ...e(17, 1), ...e(13, va, 1), ...e(3, 0x0820, 0));
    expect(g.call(13, va, 4)).toBe(0);
    expect([g.read32(va + 24), g.read32(va + 32 + 24) | 0, g.read32(va + 64 + 24) | 0, g.read32(va + 96 + 24) | 0]).toEqual([XEN_VERSION, -ENOSYS, -EINVAL, -EPERM]);
    expect(g.call(13, 0xfc000000, 1)).toBe(-EFAULT);
  });
});

describe("set_gdt and update_descriptor", () => {
  it("needs more than 295 entries and read-only frames; then Xen's entries appear in slots 256-295", () => {
    const g = Guest.create();
    const pfn = 60;
    g.write32(g.va(pfn) + 8 * 8, ...DATA_R1);
    g.write32(g.va(9), g.mfn(pfn));
    expect(g.call(2, g.va(9), 295)).toBe(-EINVAL);
    expect(g.call(2, g.va(9), 8193)).toBe(-EINVAL);
    expect(g.call(2, g.va(9), 512)).toBe(-EINVAL); // still mapped writable
    makeGdtFrame(g, pfn, []);
    expect(g.call(2, g.va(9), 512)).toBe(0);
    expect(g.host.core.frames.type[g.mfn(pfn)]).toBe(PGT_gdt_page);
    const ma = g.mfn(pfn) * 4096;
    expect(g.host.mem.read32(ma + 259 * 8 + 4)).toBe(0x00cfba00);
    // Slot 8 is now usable as a data selector with RPL 1.
    expect(canLoadDataSegment(g.host.core, g.host.addressSpace(g.d), g.d, 0x41, 1)).toBe(true);
    // The frame can no longer be mapped writable.
    expect(g.call(14, g.va(pfn) >>> 12, g.mfn(pfn) * 4096 + 0x27, 0)).toBe(-EINVAL);
  });

  it("refuses GDT frames holding DPL-0 descriptors", () => {
    const g = Guest.create();
    makeGdtFrame(g, 61, [[5, ...DATA_R0]]);
    g.write32(g.va(9), g.mfn(61));
    expect(g.call(2, g.va(9), 512)).toBe(-EINVAL);
  });

  it("update_descriptor checks alignment, ownership, DPL, Xen's slots and truncates limits", () => {
    const g = Guest.create();
    const other = Guest.create({}, g.host);
    const mfn = makeGdtFrame(g, 62, []);
    g.write32(g.va(9), mfn);
    expect(g.call(2, g.va(9), 512)).toBe(0);
    const ma = mfn * 4096;
    expect(g.call(10, ma + 8 * 8, ...DATA_R1)).toBe(0);
    expect(g.call(10, ma + 8 * 8 + 4, ...DATA_R1)).toBe(-EINVAL);
    expect(g.call(10, ma + 9 * 8, ...DATA_R0)).toBe(-EINVAL);
    expect(g.call(10, ma + FIRST_RESERVED_GDT_ENTRY * 8, ...DATA_R1)).toBe(-EINVAL);
    expect(g.call(10, other.mfn(3) * 4096, ...DATA_R1)).toBe(-EINVAL);
    expect(g.call(10, ma + 10 * 8, 0x0000ffff, 0x000ff300 | (0xff << 24) >>> 0)).toBe(-EINVAL); // base above Xen
    // A 4 GiB ring-1 segment is cut to end at 0xFC3FFFFF.
    expect(g.call(10, ma + 11 * 8, 0x0000ffff, 0x00cfb300)).toBe(0);
    expect(g.host.mem.read32(ma + 11 * 8) & 0xffff).toBe(0xc3ff);
    // A byte-granular segment that reaches Xen is refused outright.
    expect(g.call(10, ma + 12 * 8, ...DATA_BYTES_INTO_XEN)).toBe(-EINVAL);
    // Call gates must target ring-1 code; other system descriptors are refused.
    expect(g.call(10, ma + 13 * 8, (FLAT_RING1_CS << 16) | 0x1000, 0x0000ec00)).toBe(0);
    expect(g.call(10, ma + 14 * 8, (0x0808 << 16) | 0x1000, 0x0000ec00)).toBe(-EINVAL);
    expect(g.call(10, ma + 15 * 8, 0x00000067, 0x0000e900)).toBe(-EINVAL); // TSS
    // Ordinary owned pages take descriptors too (an LDT being prepared).
    expect(g.call(10, g.mfn(63) * 4096, ...DATA_R1)).toBe(0);
  });

  it("a descriptor changed under a loaded selector sends the guest to its failsafe callback", () => {
    const g = Guest.create();
    const mfn = makeGdtFrame(g, 64, [[8, ...DATA_R1]]);
    g.write32(g.va(9), mfn);
    expect(g.call(2, g.va(9), 512)).toBe(0);
    g.d.vcpu.regs.seg[S_DS] = 0x41;
    expect(canLoadDataSegment(g.host.core, g.host.addressSpace(g.d), g.d, 0x41, 1)).toBe(true);
    expect(g.call(10, mfn * 4096 + 8 * 8, 0, 0)).toBe(0);
    expect(canLoadDataSegment(g.host.core, g.host.addressSpace(g.d), g.d, 0x41, 1)).toBe(false);
  });
});
