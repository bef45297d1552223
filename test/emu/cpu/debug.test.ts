import { describe, expect, it } from "vitest";
import { StopReason, WatchKind, Flags, Vector } from "../../../src/emu/cpu/index.js";
import { CODE, assemble, machine } from "./harness.js";

const LOOP = `
  mov $3, %ecx
1: incl (0x9000)
  dec %ecx
  jnz 1b
  hlt`;

describe("Cpu debug support", () => {
  it("stops before an execution breakpoint without patching memory, and resumes past it", () => {
    const { cpu, mem } = machine(assemble(LOOP));
    const before = mem.readBytes(CODE, 16);
    cpu.addBreakpoint(CODE + 5);
    expect(cpu.run(1000)).toBe(StopReason.BREAKPOINT);
    expect(cpu.eip).toBe(CODE + 5);
    expect(mem.read32(0x9000)).toBe(0);
    cpu.skipBreakpointOnce = true;
    expect(cpu.run(1000)).toBe(StopReason.BREAKPOINT);
    expect(mem.read32(0x9000)).toBe(1);
    expect(Array.from(mem.readBytes(CODE, 16))).toEqual(Array.from(before));
    expect(cpu.removeBreakpoint(CODE + 5)).toBe(true);
    expect(cpu.run(1000)).toBe(StopReason.HALT);
    expect(mem.read32(0x9000)).toBe(3);
  });

  it("reports a write watchpoint after the writing instruction", () => {
    const { cpu } = machine(assemble(LOOP));
    cpu.addWatchpoint(0x9000, 4, WatchKind.WRITE);
    expect(cpu.run(1000)).toBe(StopReason.WATCHPOINT);
    expect(cpu.watchHit).toEqual({ linear: 0x9000, size: 4, kind: WatchKind.WRITE });
    expect(cpu.eip).toBe(CODE + 11); // after incl
    expect(cpu.instructionCount).toBe(2);
  });

  it("ignores reads for a write watchpoint and catches them for an access watchpoint", () => {
    const { cpu } = machine(assemble(`movl (0x9002), %eax\n movl %eax, (0x9100)\n hlt`));
    cpu.addWatchpoint(0x9003, 1, WatchKind.WRITE);
    expect(cpu.run(1000)).toBe(StopReason.HALT);
    const m2 = machine(assemble(`movl (0x9002), %eax\n movl %eax, (0x9100)\n hlt`));
    m2.cpu.addWatchpoint(0x9003, 1, WatchKind.ACCESS);
    expect(m2.cpu.run(1000)).toBe(StopReason.WATCHPOINT);
    expect(m2.cpu.watchHit?.kind).toBe(WatchKind.ACCESS);
  });

  it("single-steps one instruction per run()", () => {
    const { cpu } = machine(assemble(LOOP));
    cpu.singleStep = true;
    const eips: number[] = [];
    for (let i = 0; i < 4; i++) {
      expect(cpu.run(1000)).toBe(StopReason.STEP);
      eips.push(cpu.eip - CODE);
    }
    expect(eips).toEqual([5, 11, 12, 5]);
    expect(cpu.instructionCount).toBe(4);
  });

  it("EFLAGS.TF raises a #DB trap to the owner after one instruction", () => {
    const { cpu } = machine(assemble(`nop\n nop`), "owned");
    cpu.setEflags(cpu.getEflags() | Flags.TF);
    expect(cpu.run(100)).toBe(StopReason.EXCEPTION);
    expect(cpu.exception).toMatchObject({ vector: Vector.DB, eip: CODE + 1, software: false });
  });

  it("requestStop() from an I/O hook ends the run after the instruction", () => {
    const { cpu } = machine(assemble(`out %al, $0x80\n nop\n hlt`));
    cpu.ioWrite = () => cpu.requestStop();
    expect(cpu.run(100)).toBe(StopReason.STOP_REQUESTED);
    expect(cpu.eip).toBe(CODE + 2);
  });

  it("executes code the program itself just rewrote", () => {
    // Overwrites the immediate of the following mov before running it.
    const { cpu } = machine(assemble(`movb $0x42, (2f + 1)\n 2: mov $0x11, %al\n hlt`));
    expect(cpu.run(100)).toBe(StopReason.HALT);
    expect(cpu.regs[0] & 0xff).toBe(0x42);
  });

  it("sees code written by the owner through MachineMemory between runs", () => {
    const { cpu, mem } = machine(assemble(`1: mov $1, %eax\n jmp 1b`));
    expect(cpu.run(2)).toBe(StopReason.BUDGET);
    mem.write8(CODE + 1, 7);
    expect(cpu.run(1)).toBe(StopReason.BUDGET);
    expect(cpu.regs[0]).toBe(7);
  });
});

describe("Cpu single-step over rep", () => {
  it("stops after every iteration of a rep string instruction", () => {
    const { cpu } = machine(assemble(`cld\n rep stosb\n hlt`));
    cpu.regs[1] = 3;
    cpu.regs[7] = 0x9000;
    cpu.singleStep = true;
    const seen: Array<[number, number]> = [];
    for (let i = 0; i < 4; i++) {
      expect(cpu.run(100)).toBe(StopReason.STEP);
      seen.push([cpu.eip - CODE, cpu.regs[1]]);
    }
    // cld, then three iterations of the 2-byte rep stosb (eip stays on it until the last).
    expect(seen).toEqual([[1, 3], [1, 2], [1, 1], [3, 0]]);
  });
});
