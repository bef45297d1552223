// Virtual-8086 mode as an owner drives it (owned mode: Xen's switch_vm86) and the bare-mode
// corners the peer kernel cannot reach: a hardware interrupt from V86 mode, a 16-bit gate, and a
// fault while the ring-0 frame is pushed.
import { describe, expect, it } from "vitest";
import { Cpu, Flags, SReg, StopReason, Vector } from "../../../src/emu/cpu/index.js";
import { MachineMemory } from "../../../src/emu/memory.js";

const VM = Flags.VM;
const IOPL3 = Flags.IOPL;

/** A CPU with 16-bit code at 1000:0000 (linear 0x10000) in V86 mode, SS:SP = 2000:FFF0. */
function v86Cpu(mode: "owned" | "bare", code: number[], eflags = 0x2): { cpu: Cpu; mem: MachineMemory } {
  const mem = new MachineMemory(4 << 20);
  mem.writeBytes(0x10000, new Uint8Array(code));
  const cpu = new Cpu(mem, { mode });
  cpu.setEflags(eflags | VM);
  for (const [s, sel] of [[SReg.CS, 0x1000], [SReg.SS, 0x2000], [SReg.DS, 0x3000], [SReg.ES, 0x4000], [SReg.FS, 0x5000], [SReg.GS, 0x6000]] as const) {
    cpu.setRealModeSegment(s, sel);
  }
  cpu.regs[4] = 0xfff0;
  cpu.eip = 0;
  return { cpu, mem };
}

describe("V86 mode entered by the owner", () => {
  it("runs at CPL 3 with selector * 16 bases and 16-bit defaults", () => {
    // mov ax,[0x10]; mov bx,es:[0x10]; 66 mov ecx,0x12345678; push ax; int3
    const { cpu, mem } = v86Cpu("owned", [0xa1, 0x10, 0x00, 0x26, 0x8b, 0x1e, 0x10, 0x00, 0x66, 0xb9, 0x78, 0x56, 0x34, 0x12, 0x50, 0xcc]);
    mem.write16(0x30010, 0xaaaa);
    mem.write16(0x40010, 0xbbbb);
    expect(cpu.cpl).toBe(3);
    expect(cpu.v86).toBe(true);
    expect(cpu.run(100)).toBe(StopReason.EXCEPTION);
    expect(cpu.exception).toMatchObject({ vector: Vector.BP, software: true, eip: 16 });
    expect([cpu.regs[0] & 0xffff, cpu.regs[3] & 0xffff, cpu.regs[1] >>> 0]).toEqual([0xaaaa, 0xbbbb, 0x12345678]);
    expect(mem.read16(0x2ffee)).toBe(0xaaaa); // pushed at SS*16 + SP-2
    expect(cpu.regs[4]).toBe(0xffee);
  });

  it("int n is #GP(0) at IOPL 0 and reported as a software interrupt at IOPL 3", () => {
    const iopl0 = v86Cpu("owned", [0xcd, 0x21]);
    expect(iopl0.cpu.run(10)).toBe(StopReason.EXCEPTION);
    expect(iopl0.cpu.exception).toMatchObject({ vector: Vector.GP, errorCode: 0, software: false, eip: 0 });
    const iopl3 = v86Cpu("owned", [0xcd, 0x21], 0x2 | IOPL3);
    expect(iopl3.cpu.run(10)).toBe(StopReason.EXCEPTION);
    expect(iopl3.cpu.exception).toMatchObject({ vector: 0x21, software: true, eip: 2 });
  });

  it("POPF at IOPL 3 changes IF but neither IOPL nor VM; pushf stores VM clear", () => {
    // push 0 (16-bit); popf; pushf; pop ax
    const { cpu } = v86Cpu("owned", [0x6a, 0x00, 0x9d, 0x9c, 0x58, 0xcc], 0x202 | IOPL3);
    expect(cpu.run(10)).toBe(StopReason.EXCEPTION);
    expect(cpu.getEflags() & (VM | IOPL3 | Flags.IF)).toBe(VM | IOPL3);
    expect(cpu.regs[0] & 0xffff).toBe(0x3002);
  });

  it("the owner leaves V86 mode by clearing VM: CPL follows CS again", () => {
    const { cpu } = v86Cpu("owned", [0x90]);
    cpu.setSegmentCache(SReg.CS, 0x19, 0, -1, 0xc0bb);
    expect(cpu.cpl).toBe(3); // still VM: CPL 3 whatever CS holds
    cpu.setEflags(0x2);
    expect(cpu.cpl).toBe(1);
    expect(cpu.v86).toBe(false);
  });
});

describe("delivery from V86 mode in bare mode", () => {
  const GDT = 0x1000;
  const IDT = 0x1800;
  const TSS = 0x2000;
  const HANDLER = 0x8000;

  function bare(code: number[], eflags: number, gateType: number): { cpu: Cpu; mem: MachineMemory } {
    const m = v86Cpu("bare", code, eflags);
    const { cpu, mem } = m;
    mem.write32(GDT + 8, 0x0000ffff); mem.write32(GDT + 12, 0x00cf9b00); // 0x08 ring-0 code
    mem.write32(GDT + 16, 0x0000ffff); mem.write32(GDT + 20, 0x00cf9300); // 0x10 ring-0 data
    cpu.gdtrBase = GDT;
    cpu.gdtrLimit = 0x17;
    for (let v = 0; v < 256; v++) {
      mem.write32(IDT + v * 8, (0x08 << 16) | HANDLER);
      mem.write32(IDT + v * 8 + 4, (gateType << 8) | 0x8000);
    }
    cpu.idtrBase = IDT;
    cpu.idtrLimit = 0x7ff;
    mem.write32(TSS + 4, 0x9000); // esp0
    mem.write32(TSS + 8, 0x10); // ss0
    cpu.tr.selector = 0x28; cpu.tr.base = TSS; cpu.tr.limit = 0x67; cpu.tr.access = 0x8b;
    mem.write8(HANDLER, 0xf4); // hlt
    return m;
  }

  it("a hardware interrupt pushes GS FS DS ES SS ESP EFLAGS CS EIP and nulls the data segments", () => {
    const { cpu, mem } = bare([0x90, 0x90, 0x90], 0x202, 0x0e);
    cpu.raiseIrq(0x30);
    expect(cpu.run(10)).toBe(StopReason.HALT);
    const w = (i: number): number => mem.read32(0x9000 - 36 + i * 4);
    expect(Array.from({ length: 9 }, (_, i) => w(i))).toEqual([0, 0x1000, 0x202 | VM, 0xfff0, 0x2000, 0x4000, 0x3000, 0x5000, 0x6000]);
    expect(cpu.v86).toBe(false);
    expect(cpu.cpl).toBe(0);
    expect([SReg.DS, SReg.ES, SReg.FS, SReg.GS].map((s) => cpu.getSegment(s).selector)).toEqual([0, 0, 0, 0]);
    expect(cpu.getEflags() & Flags.IF).toBe(0);
  });

  it("a 16-bit gate pushes the same slots as words", () => {
    const { cpu, mem } = bare([0x0f, 0x0b], 0x2, 0x06); // ud2 -> #UD through a 16-bit interrupt gate
    expect(cpu.run(10)).toBe(StopReason.HALT);
    const w = (i: number): number => mem.read16(0x9000 - 18 + i * 2);
    expect(Array.from({ length: 9 }, (_, i) => w(i))).toEqual([0, 0x1000, 0x0002, 0xfff0, 0x2000, 0x4000, 0x3000, 0x5000, 0x6000]);
  });

  it("a fault while pushing the ring-0 frame is taken from the V86 state (here: to a triple fault)", () => {
    const { cpu, mem } = bare([0x0f, 0x0b], 0x2, 0x0e);
    // SS0 = 0x18, a ring-0 stack whose limit (0x8fff) is below ESP0 (0x9100): the first push raises #SS,
    // after SS, ESP, CPL and VM were switched; so does every later delivery, then #DF, shutdown.
    mem.write32(GDT + 24, 0x00008fff); mem.write32(GDT + 28, 0x00409300);
    cpu.gdtrLimit = 0x1f;
    mem.write32(TSS + 8, 0x18);
    mem.write32(TSS + 4, 0x9100);
    expect(cpu.run(10)).toBe(StopReason.SHUTDOWN);
    expect(cpu.v86).toBe(true);
    expect(cpu.cpl).toBe(3);
    expect(cpu.getSegment(SReg.SS)).toMatchObject({ selector: 0x2000, base: 0x20000 });
    expect(cpu.getSegment(SReg.DS)).toMatchObject({ selector: 0x3000, base: 0x30000 });
    expect(cpu.regs[4]).toBe(0xfff0);
    expect(cpu.eip).toBe(0);
  });
});
