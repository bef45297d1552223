import { describe, expect, it } from "vitest";
import { CR0_PG, CR0_WP, CR4_PSE, StopReason, Vector, PF_P, PF_W, PF_U } from "../../../src/emu/cpu/index.js";
import { CODE, assemble, machine } from "./harness.js";

const PD = 0x200000;
const PT = 0x201000;

/** Identity-maps the first 4 MiB with `flags` on every PTE, then turns paging on. */
function paged(src: string, mode: "bare" | "owned" = "owned", flags = 7) {
  const m = machine(assemble(src), mode, 8 << 20);
  m.mem.write32(PD, PT | 7);
  for (let i = 0; i < 1024; i++) m.mem.write32(PT + i * 4, (i << 12) | flags);
  m.cpu.cr3 = PD;
  m.cpu.cr0 = m.cpu.cr0 | CR0_PG | CR0_WP;
  return m;
}

describe("Cpu paging", () => {
  it("sets accessed and dirty bits in the PDE and PTE", () => {
    const { cpu, mem } = paged(`movl (0x5000), %eax\n movl %eax, (0x6000)`);
    expect(cpu.run(2)).toBe(StopReason.BUDGET);
    expect(mem.read32(PD) & 0x20).toBe(0x20);
    expect(mem.read32(PT + 5 * 4) & 0x60).toBe(0x20);
    expect(mem.read32(PT + 6 * 4) & 0x60).toBe(0x60);
  });

  it("raises #PF with cr2 and the error code for a not-present page", () => {
    const { cpu, mem } = paged(`movl $1, (0x7004)`);
    mem.write32(PT + 7 * 4, 0);
    expect(cpu.run(5)).toBe(StopReason.EXCEPTION);
    expect(cpu.exception).toMatchObject({ vector: Vector.PF, errorCode: PF_W, cr2: 0x7004, eip: CODE });
    expect(cpu.cr2).toBe(0x7004);
  });

  it("honours CR0.WP for supervisor writes and U/S for ring 3", () => {
    const { cpu, mem } = paged(`movl $1, (0x7000)`);
    mem.write32(PT + 7 * 4, (7 << 12) | 5); // user, read-only
    expect(cpu.run(5)).toBe(StopReason.EXCEPTION);
    expect(cpu.exception).toMatchObject({ vector: Vector.PF, errorCode: PF_P | PF_W });
    cpu.cr0 = cpu.cr0 & ~CR0_WP;
    cpu.eip = CODE;
    expect(cpu.run(1)).toBe(StopReason.BUDGET);
    expect(mem.read32(0x7000)).toBe(1);
    // Ring 3 on a supervisor page.
    mem.write32(PT + 7 * 4, (7 << 12) | 3);
    cpu.flushTlb();
    cpu.setSegmentCache(1, 0x2b, 0, -1, 0xc0fb);
    cpu.setSegmentCache(3, 0x33, 0, -1, 0xc0f3);
    cpu.setSegmentCache(2, 0x33, 0, -1, 0xc0f3);
    cpu.eip = CODE;
    expect(cpu.run(1)).toBe(StopReason.EXCEPTION);
    expect(cpu.exception.errorCode).toBe(PF_P | PF_W | PF_U);
  });

  it("keeps a stale translation until the TLB is flushed", () => {
    const { cpu, mem } = paged(`movl (0x8000), %eax\n movl (0x8000), %ebx\n movl (0x8000), %ecx`);
    mem.write32(0x8000, 0x11);
    mem.write32(0x9000, 0x22);
    expect(cpu.run(1)).toBe(StopReason.BUDGET);
    mem.write32(PT + 8 * 4, (9 << 12) | 7); // remap 0x8000 -> 0x9000 without a flush
    expect(cpu.run(1)).toBe(StopReason.BUDGET);
    cpu.flushTlbPage(0x8000);
    expect(cpu.run(1)).toBe(StopReason.BUDGET);
    expect([cpu.regs[0], cpu.regs[3], cpu.regs[1]]).toEqual([0x11, 0x11, 0x22]);
  });

  it("maps 4 MiB pages when CR4.PSE is set", () => {
    const { cpu, mem } = paged(`movl (0x400010), %eax`);
    mem.write32(PD + 4, 0x000000 | 0x87); // 4 MiB page at 4 MiB -> machine 0
    mem.write32(0x10, 0xabcd);
    cpu.cr4 = CR4_PSE;
    expect(cpu.run(1)).toBe(StopReason.BUDGET);
    expect(cpu.regs[0]).toBe(0xabcd);
    expect(mem.read32(PD + 4) & 0x20).toBe(0x20);
  });

  it("translate() and readLinear() serve the debugger without faulting the CPU", () => {
    const { cpu, mem } = paged("nop");
    mem.write32(PT + 0x12 * 4, (0x30 << 12) | 7);
    mem.write32(0x30004, 0xfeedf00d);
    expect(cpu.translate(0x12004, false)).toBe(0x30004);
    expect(Array.from(cpu.readLinear(0x12004, 4) ?? [])).toEqual([0x0d, 0xf0, 0xed, 0xfe]);
    mem.write32(PT + 0x13 * 4, 0);
    expect(cpu.translate(0x13000, true)).toBe(-1);
    expect(cpu.pfCode).toBe(PF_W);
    expect(cpu.readLinear(0x12ffe, 4)).toBeNull();
    expect(cpu.writeLinear(0x12008, new Uint8Array([1, 2]))).toBe(true);
    expect(mem.read16(0x30008)).toBe(0x0201);
  });

  it("a rep movsb that faults mid-way restarts where it stopped", () => {
    const { cpu, mem } = paged(`cld\n rep movsb\n hlt`, "owned");
    mem.write32(PT + 0x21 * 4, 0); // destination 0x20ff8.. crosses into a missing page
    for (let i = 0; i < 16; i++) mem.write8(0x10000 + 0x1000 + i, i + 1);
    cpu.regs[6] = 0x11000; cpu.regs[7] = 0x20ff8; cpu.regs[1] = 16;
    expect(cpu.run(100)).toBe(StopReason.EXCEPTION);
    expect(cpu.exception).toMatchObject({ vector: Vector.PF, cr2: 0x21000, eip: CODE + 1 });
    expect(cpu.regs[1]).toBe(8);
    mem.write32(PT + 0x21 * 4, (0x21 << 12) | 7);
    expect(cpu.run(100)).toBe(StopReason.EXCEPTION); // hlt at CPL 1
    expect(cpu.regs[1]).toBe(0);
    expect(Array.from(mem.readBytes(0x20ff8, 16))).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });
});
