// EmuRunner runs a case on our CPU in the same address space and privilege as the native harness.
import { describe, expect, it } from "vitest";
import type { DiffCase } from "./case-format.js";
import { EmuRunner, type EmuEngine } from "./emu-runner.js";
import { CODE_BASE, DATA_BASE, patternBytes } from "./layout.js";

function mk(code: number[], regs: number[] = [1, 2, 3, 4, 0x9800, 6, 7, 8]): DiffCase {
  return { regs: Uint32Array.from(regs), eflags: 0x202, sregs: [0x2b, 0x2b, 0, 0], codeOff: 0x800, code: Uint8Array.from(code), patches: [] };
}

describe.each(["interp", "compiled", "default"] as EmuEngine[])("EmuRunner (%s)", (engine) => {
  const emu = new EmuRunner(engine);

  it("runs add eax,ebx at CPL 3 and stops at the trailing int3", () => {
    const o = emu.run(mk([0x01, 0xd8]));
    expect([o.regs[0], o.vector, o.software, o.eip]).toEqual([5, 3, true, CODE_BASE + 0x803]);
    expect(o.sregs).toEqual([0x23, 0x2b, 0x2b, 0x2b, 0, 0]);
  });

  it("reports stored bytes that differ from the data pattern", () => {
    const pattern = patternBytes();
    const o = emu.run(mk([0x89, 0x03], [0, 0, 0, 0x8100, 0x9800, 0, 0, 0]));
    const want: Array<[number, number]> = [];
    for (let i = 0; i < 4; i++) if (pattern[0x100 + i] !== 0) want.push([DATA_BASE + 0x100 + i, 0]);
    expect(o.changes).toEqual(want);
  });

  it("faults on the read-only page with P|W|U and on an absent page with U", () => {
    const ro = emu.run(mk([0x89, 0x03], [0, 0, 0, 0xa010, 0x9800, 0, 0, 0]));
    expect([ro.vector, ro.errorCode, ro.cr2, ro.eip]).toEqual([14, 7, 0xa010, CODE_BASE + 0x800]);
    const absent = emu.run(mk([0x8b, 0x03], [0, 0, 0, 0x1000, 0x9800, 0, 0, 0]));
    expect([absent.vector, absent.errorCode, absent.cr2]).toEqual([14, 4, 0x1000]);
  });

  it("loads selectors from a GDT laid out like Linux's", () => {
    expect(emu.run(mk([0x8e, 0xd8], [0x18, 0, 0, 0, 0x9800, 0, 0, 0]))).toMatchObject({ vector: 13, errorCode: 0x18 });
    expect(emu.run(mk([0x8e, 0xd8], [0x23, 0, 0, 0, 0x9800, 0, 0, 0])).sregs[2]).toBe(0x23);
  });

  it("reports a loop that never ends as a hang", () => {
    expect(emu.run(mk([0xeb, 0xfe])).vector).toBe(-2);
  });
});
