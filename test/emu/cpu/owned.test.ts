import { describe, expect, it } from "vitest";
import { SReg, StopReason, Vector } from "../../../src/emu/cpu/index.js";
import { CODE, assemble, machine } from "./harness.js";

describe("Cpu in owned mode", () => {
  it("run() reports int $0x82 as a software interrupt with the next eip", () => {
    const { cpu } = machine(assemble(`mov $7, %eax\n int $0x82\n mov $9, %ebx`), "owned");
    expect(cpu.cpl).toBe(1);
    expect(cpu.run(100)).toBe(StopReason.EXCEPTION);
    expect(cpu.exception).toMatchObject({ vector: 0x82, errorCode: -1, software: true, eip: CODE + 7 });
    expect(cpu.eip).toBe(CODE + 7);
    expect(cpu.regs[0]).toBe(7);
    // The owner resumes the guest after handling it.
    expect(cpu.run(1)).toBe(StopReason.BUDGET);
    expect(cpu.regs[3]).toBe(9);
  });

  it("run() reports a fault at the faulting instruction with state unchanged", () => {
    const { cpu } = machine(assemble(`xor %ecx, %ecx\n push %eax\n div %ecx`), "owned");
    cpu.regs[0] = 100;
    expect(cpu.run(100)).toBe(StopReason.EXCEPTION);
    expect(cpu.exception).toMatchObject({ vector: Vector.DE, errorCode: -1, software: false, eip: CODE + 3 });
    expect(cpu.eip).toBe(CODE + 3);
    expect(cpu.regs[0]).toBe(100);
    expect(cpu.instructionCount).toBe(2);
  });

  it("privileged instructions at CPL 1 raise #GP(0) to the owner", () => {
    for (const src of ["hlt", "mov %cr3, %eax", "lgdt (%eax)", "cli", "out %al, $0x80", "invlpg (%eax)"]) {
      const { cpu } = machine(assemble(src), "owned");
      expect(cpu.run(10), src).toBe(StopReason.EXCEPTION);
      expect(cpu.exception.vector, src).toBe(Vector.GP);
      expect(cpu.exception.errorCode, src).toBe(0);
    }
  });

  it("a segment limit of 0xFC3FFFFF faults above it with #GP(0) and allows the last byte", () => {
    const { cpu, mem } = machine(assemble(`movb (%eax), %bl\n movl (%ecx), %edx`), "owned");
    cpu.setSegmentCache(SReg.DS, 0x21, 0, 0xfc3fffff, 0xc0b3);
    cpu.regs[0] = 0x1000; // inside
    cpu.regs[1] = 0xfc3ffffd; // 4 bytes cross the limit
    mem.write8(0x1000, 0x5a);
    expect(cpu.run(10)).toBe(StopReason.EXCEPTION);
    expect(cpu.regs[3] & 0xff).toBe(0x5a);
    expect(cpu.exception).toMatchObject({ vector: Vector.GP, errorCode: 0, eip: CODE + 2 });
  });

  it("the owner can load data segments with checks and reads back the caches", () => {
    const { cpu, mem } = machine(assemble("nop"), "owned");
    const gdt = 0x3000;
    // 0x21: ring-1 flat data; 0x29: ring-0 data (not loadable at CPL 1); 0x31: not present.
    mem.write32(gdt + 0x20, 0x0000ffff); mem.write32(gdt + 0x24, 0x00cfb300);
    mem.write32(gdt + 0x28, 0x0000ffff); mem.write32(gdt + 0x2c, 0x00cf9300);
    mem.write32(gdt + 0x30, 0x0000ffff); mem.write32(gdt + 0x34, 0x00cf3300);
    cpu.gdtrBase = gdt;
    cpu.gdtrLimit = 0x3f;
    expect(cpu.loadSegment(SReg.ES, 0x21)).toBe(true);
    expect(cpu.getSegment(SReg.ES)).toEqual({ selector: 0x21, base: 0, limit: 0xffffffff, access: 0xc0b3 });
    expect(cpu.loadSegment(SReg.ES, 0x29)).toBe(false);
    expect(cpu.exception).toMatchObject({ vector: Vector.GP, errorCode: 0x28 });
    expect(cpu.loadSegment(SReg.ES, 0x31)).toBe(false);
    expect(cpu.exception).toMatchObject({ vector: Vector.NP, errorCode: 0x30 });
    expect(cpu.loadSegment(SReg.ES, 0x41)).toBe(false); // beyond the GDT limit
    expect(cpu.exception).toMatchObject({ vector: Vector.GP, errorCode: 0x40 });
    expect(cpu.getSegment(SReg.ES).selector).toBe(0x21);
  });
});

describe("Cpu instruction length", () => {
  it("raises #GP(0) for an instruction longer than 15 bytes and runs one of exactly 15", () => {
    // 0x66 0x05 imm16 is add $imm16, %ax (4 bytes) after the ds: prefixes.
    const long = machine(assemble(`.rept 12\n .byte 0x3e\n .endr\n .byte 0x66, 0x05, 0x01, 0x00\n nop`), "owned");
    expect(long.cpu.run(10)).toBe(StopReason.EXCEPTION);
    expect(long.cpu.exception).toMatchObject({ vector: Vector.GP, errorCode: 0, eip: CODE });
    const ok = machine(assemble(`.rept 11\n .byte 0x3e\n .endr\n .byte 0x66, 0x05, 0x01, 0x00\n int3`), "owned");
    expect(ok.cpu.run(10)).toBe(StopReason.EXCEPTION);
    expect(ok.cpu.exception).toMatchObject({ vector: Vector.BP, eip: CODE + 16 });
    expect(ok.cpu.regs[0]).toBe(1);
  });
});

describe("Cpu input checks", () => {
  it("rejects an unknown mode and a bad budget with clear errors", async () => {
    const { MachineMemory } = await import("../../../src/emu/memory.js");
    const { Cpu } = await import("../../../src/emu/cpu/index.js");
    const mem = new MachineMemory(4096);
    expect(() => new Cpu(mem, { mode: "ring0" as "bare" })).toThrow(/Cannot create CPU: mode is "ring0"/);
    const cpu = new Cpu(mem, { mode: "bare" });
    expect(() => cpu.run(-1)).toThrow(RangeError);
    expect(() => cpu.run(1.5)).toThrow(/Cannot run CPU/);
  });
});
