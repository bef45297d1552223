import { describe, expect, it } from "vitest";
import { runAsm, StopReason } from "./harness.js";

describe("Cpu basics", () => {
  it("runs a counted register loop to hlt", () => {
    const { cpu, stop } = runAsm(`
      mov $10, %ecx
      xor %eax, %eax
    1: add %ecx, %eax
      dec %ecx
      jnz 1b
      hlt`);
    expect(stop).toBe(StopReason.HALT);
    expect(cpu.regs[0]).toBe(55);
    expect(cpu.instructionCount).toBe(2 + 30 + 1);
  });
});
