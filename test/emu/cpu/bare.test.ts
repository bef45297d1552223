import { describe, expect, it } from "vitest";
import { SReg, StopReason } from "../../../src/emu/cpu/index.js";
import { assemble, machine } from "./harness.js";

const GDT = 0x2000;
const IDT = 0x3000;
const TSS = 0x4000;

/** Flat descriptor dwords for base 0, limit 4 GiB with the given access byte. */
function flat(access: number): [number, number] {
  return [0x0000ffff, 0x00cf0000 | (access << 8)];
}

// Ring 0 enters ring 3 with iret; ring 3 runs `int $0x40` (the handler records its frame and
// irets back), then hlt at CPL 3 raises #GP, whose ring-0 handler halts.
const SRC = `
  push $0x23          # ss (ring-3 data)
  push $0x70000       # esp
  push $0x202         # eflags, IF
  push $0x1b          # cs (ring-3 code)
  push $user
  iret
user:
  mov $0x1234, %eax
  int $0x40
  mov %eax, %ebx
  hlt
handler:
  mov %esp, %esi
  mov 4(%esp), %ecx   # pushed cs
  mov 16(%esp), %edx  # pushed ss
  add $1, %eax
  iret
gp_handler:
  hlt
`;

describe("Cpu in bare mode", () => {
  it("int from ring 3 switches to the ring-0 stack from the TSS and iret returns to ring 3", () => {
    const { cpu, mem } = machine(assemble(SRC));
    const desc: Array<[number, number]> = [[0, 0], flat(0x9b), flat(0x93), flat(0xfb), flat(0xf3)];
    desc.forEach(([lo, hi], i) => { mem.write32(GDT + i * 8, lo); mem.write32(GDT + i * 8 + 4, hi); });
    // 32-bit available TSS at index 5.
    mem.write32(GDT + 40, (TSS << 16) | 0x67);
    mem.write32(GDT + 44, 0x00008900);
    mem.write32(TSS + 4, 0x60000); // esp0
    mem.write32(TSS + 8, 0x10); // ss0
    cpu.gdtrBase = GDT;
    cpu.gdtrLimit = 6 * 8 - 1;
    /** Address of a label: assemble the same source with the label's value appended. */
    const sym = (label: string): number => {
      const full = assemble(`${SRC}\n.long ${label}`);
      return new DataView(full.buffer, full.byteOffset).getUint32(full.length - 4, true);
    };
    const gate = (vector: number, target: number, dpl: number): void => {
      mem.write32(IDT + vector * 8, (0x08 << 16) | (target & 0xffff));
      mem.write32(IDT + vector * 8 + 4, (target & 0xffff0000) | 0x8e00 | (dpl << 13));
    };
    gate(0x40, sym("handler"), 3);
    gate(13, sym("gp_handler"), 0);
    cpu.idtrBase = IDT;
    cpu.idtrLimit = 0x7ff;
    cpu.tr.selector = 0x28; cpu.tr.base = TSS; cpu.tr.limit = 0x67; cpu.tr.access = 0x8b;
    cpu.setSegmentCache(SReg.CS, 0x08, 0, -1, 0xc09b);
    cpu.setSegmentCache(SReg.SS, 0x10, 0, -1, 0xc093);
    expect(cpu.run(1000)).toBe(StopReason.HALT);
    expect(cpu.regs[1] & 0xffff).toBe(0x1b); // cs pushed by int from ring 3
    expect(cpu.regs[2] & 0xffff).toBe(0x23); // ss pushed (stack switch)
    expect(cpu.regs[6]).toBe(0x60000 - 20); // handler ran on the TSS ring-0 stack
    expect(cpu.regs[3]).toBe(0x1235); // back in ring 3 with the handler's eax
    expect(cpu.cpl).toBe(0); // the final hlt at CPL 3 raised #GP into ring 0
  });
});

describe("Cpu interrupts in bare mode", () => {
  const IRQ_SRC = `
    cli
    mov $1, %eax
    sti
    hlt
    mov $3, %ecx
    hlt
  irq:
    mov (%esp), %edx    # return address
    mov $2, %ebx
    iret
  `;
  it("delivers a pending interrupt after the instruction following sti, waking hlt", () => {
    const { cpu, mem } = machine(assemble(IRQ_SRC));
    const full = assemble(`${IRQ_SRC}\n.long irq`);
    const irq = new DataView(full.buffer, full.byteOffset).getUint32(full.length - 4, true);
    const gdt = 0x2000;
    mem.write32(gdt + 8, 0x0000ffff); mem.write32(gdt + 12, 0x00cf9b00);
    mem.write32(gdt + 16, 0x0000ffff); mem.write32(gdt + 20, 0x00cf9300);
    cpu.gdtrBase = gdt; cpu.gdtrLimit = 23;
    mem.write32(0x3000 + 0x20 * 8, (0x08 << 16) | (irq & 0xffff));
    mem.write32(0x3000 + 0x20 * 8 + 4, (irq & 0xffff0000) | 0x8e00);
    cpu.idtrBase = 0x3000; cpu.idtrLimit = 0x7ff;
    cpu.setSegmentCache(SReg.CS, 0x08, 0, -1, 0xc09b);
    cpu.setSegmentCache(SReg.SS, 0x10, 0, -1, 0xc093);
    cpu.raiseIrq(0x20);
    expect(cpu.run(100)).toBe(StopReason.HALT);
    expect(cpu.regs[3]).toBe(2); // the handler ran
    expect(cpu.regs[1]).toBe(3); // and returned past the first hlt
    // The interrupt came after `hlt` (the instruction after sti), so it returned past it.
    expect(cpu.regs[2]).toBe(0x10000 + 1 + 5 + 1 + 1);
  });
});
