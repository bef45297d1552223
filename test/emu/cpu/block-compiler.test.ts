import { describe, expect, it } from "vitest";
import { StopReason } from "../../../src/emu/cpu/index.js";
import { CODE, assemble, machine } from "./harness.js";

// A mix of compiled forms (ALU, flags into jcc, memory, push/pop, call/ret, movzx, shifts)
// and interpreter-only ones (adc, 16-bit ops, string ops) in the same loops.
const PROGRAM = `
  mov $200, %edi
  mov $0x9000, %esi
  xor %eax, %eax
  xor %ebx, %ebx
1:
  mov %edi, %ecx
  and $0xff, %ecx
  movzbl (%esi,%ecx), %edx
  add %edi, %edx
  mov %dl, (%esi,%ecx)
  push %edx
  call 2f
  pop %edx
  imul $7, %edx, %edx
  sub %edx, %eax
  sar $3, %eax
  adc %eax, %ebx
  cmp $100, %edi
  jl 3f
  test $1, %edi
  jz 3f
  xor %edx, %ebx
  addw $3, (0x9100)
3:
  shl $1, %ebx
  rol $5, %ebx
  dec %edi
  jnz 1b
  cld
  mov $0x9000, %esi
  mov $0x9200, %edi
  mov $64, %ecx
  rep movsl
  hlt
2:
  mov 4(%esp), %ecx
  lea 3(%ecx,%ecx,2), %ecx
  cmp %ecx, %eax
  setg %cl
  movsbl %cl, %ecx
  add %ecx, %eax
  ret
`;

function runWith(threshold: number) {
  const m = machine(assemble(PROGRAM));
  m.cpu.compileThreshold = threshold;
  for (let i = 0; i < 256; i++) m.mem.write8(0x9000 + i, (i * 37) & 0xff);
  const stop = m.cpu.run(1_000_000);
  return { stop, regs: Array.from(m.cpu.regs), flags: m.cpu.getEflags(), count: m.cpu.instructionCount,
    mem: Array.from(m.mem.readBytes(0x9000, 0x300)), eip: m.cpu.eip };
}

describe("block compiler", () => {
  it("gives exactly the interpreter's registers, flags, memory and instruction count", () => {
    const interpreted = runWith(-1);
    expect(interpreted.stop).toBe(StopReason.HALT);
    expect(runWith(0)).toEqual(interpreted);
    expect(runWith(3)).toEqual(interpreted);
  });

  it("notices a store that rewrites code inside the running block", () => {
    // The store patches the immediate of the add two instructions later, in the same block.
    const src = `
      mov $5, %ecx
      xor %eax, %eax
    1: movb %cl, (2f + 1)
      nop
    2: .byte 0x05
      .long 0 # add $imm32, %eax
      dec %ecx
      jnz 1b
      hlt`;
    for (const t of [-1, 0]) {
      const m = machine(assemble(src));
      m.cpu.compileThreshold = t;
      expect(m.cpu.run(10_000)).toBe(StopReason.HALT);
      expect(m.cpu.regs[0], `threshold ${t}`).toBe(5 + 4 + 3 + 2 + 1);
    }
  });

  it("compiles only blocks that run often within the compile window", () => {
    // The outer loop's blocks (first code frame) run once per ~200 instructions; the delay
    // loop (next frame) runs 100 times per call.
    const src = `
      mov $20, %esi
    1: call far
      dec %esi
      jnz 1b
      hlt
      .p2align 12
    far:
      mov $100, %ecx
    2: dec %ecx
      jnz 2b
      ret`;
    const compiledFrames = (window: number | undefined) => {
      const m = machine(assemble(src));
      m.cpu.compileThreshold = 16;
      if (window !== undefined) m.cpu.compileWindow = window;
      expect(m.cpu.run(100_000)).toBe(StopReason.HALT);
      expect(m.cpu.regs[1]).toBe(0);
      return [m.cpu.codeFrames[CODE >>> 12], m.cpu.codeFrames[(CODE >>> 12) + 1]];
    };
    expect(compiledFrames(undefined)).toEqual([1, 1]);
    expect(compiledFrames(128)).toEqual([0, 1]);
  });

  it("reports a fault inside a block at the faulting instruction with the right count", () => {
    const src = `
      mov $3, %ecx
    1: mov %ecx, %eax
      inc %ebx
      movl (%edx), %esi
      dec %ecx
      jnz 1b
      hlt`;
    const m = machine(assemble(src), "owned");
    m.cpu.compileThreshold = 0;
    m.cpu.regs[2] = 0x7ffffffc; // beyond the 4 MiB of memory is fine; make the limit fault instead
    m.cpu.setSegmentCache(3, 0x21, 0, 0xfffff, 0xc0b3);
    expect(m.cpu.run(100)).toBe(StopReason.EXCEPTION);
    expect(m.cpu.exception).toMatchObject({ vector: 13, errorCode: 0, eip: CODE + 8 });
    expect(m.cpu.instructionCount).toBe(3);
    expect(m.cpu.regs[3]).toBe(1);
  });
});
