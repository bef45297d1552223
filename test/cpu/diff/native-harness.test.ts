// The native snippet harness runs cases on the host CPU and reports what the processor did:
// known instructions give known results, faults map to their vectors, and reruns agree.
import { describe, expect, it } from "vitest";
import type { DiffCase } from "./case-format.js";
import { nativeOutcome, type Outcome } from "./compare.js";
import { generateCases } from "./generator.js";
import { CODE_BASE, DATA_BASE, EFLAGS, patternBytes } from "./layout.js";
import { nativeUnavailableReason, runNative } from "./native-runner.js";
import { decodeSequence } from "./undefined-masks.js";

function mk(code: number[], regs: number[] = [1, 2, 3, 4, 0x9800, 6, 7, 8], eflags = 0x202, patches: DiffCase["patches"] = []): DiffCase {
  return { regs: Uint32Array.from(regs), eflags, sregs: [0x2b, 0x2b, 0, 0], codeOff: 0x800, code: Uint8Array.from(code), patches };
}

function run1(c: DiffCase): Outcome {
  return nativeOutcome(c, runNative([c])[0]);
}

const start = CODE_BASE + 0x800;

describe("native harness", () => {
  it("can run on this host", () => {
    expect(nativeUnavailableReason()).toBeNull();
  });

  it("add eax, ebx ends at the int3 after it with the sum and flags", () => {
    const o = run1(mk([0x01, 0xd8], [0xffffffff, 0, 0, 1, 0x9800, 0, 0, 0]));
    expect(o.vector).toBe(3);
    expect(o.eip).toBe(start + 3);
    expect(o.regs[0]).toBe(0);
    expect(o.eflags & (EFLAGS.CF | EFLAGS.ZF | EFLAGS.AF | EFLAGS.PF)).toBe(EFLAGS.CF | EFLAGS.ZF | EFLAGS.AF | EFLAGS.PF);
  });

  it("mov [ebx], eax reports the four changed bytes", () => {
    const o = run1(mk([0x89, 0x03], [0x11223344, 0, 0, 0x8100, 0x9800, 0, 0, 0]));
    expect(o.changes).toEqual([
      [0x8100, 0x44],
      [0x8101, 0x33],
      [0x8102, 0x22],
      [0x8103, 0x11],
    ]);
  });

  it("push [ebx] reads a patched dword onto the stack", () => {
    const o = run1(mk([0xff, 0x33], [0, 0, 0, 0x8100, 0x9800, 0, 0, 0], 0x202, [{ addr: 0x8100, bytes: Uint8Array.from([1, 2, 3, 4]) }]));
    expect(o.regs[4]).toBe(0x97fc);
    const pattern = patternBytes();
    const want: Array<[number, number]> = [];
    [1, 2, 3, 4].forEach((v, i) => {
      if (pattern[0x97fc + i - DATA_BASE] !== v) want.push([0x97fc + i, v]);
    });
    expect(o.changes).toEqual(want);
  });

  it("div by zero is #DE at the div", () => {
    const o = run1(mk([0xf7, 0xf3], [1, 0, 0, 0, 0x9800, 0, 0, 0]));
    expect([o.vector, o.eip]).toEqual([0, start]);
  });

  it("ud2 is #UD, cli is #GP(0), into with OF set is #OF after it", () => {
    expect(run1(mk([0x0f, 0x0b])).vector).toBe(6);
    const gp = run1(mk([0xfa]));
    expect([gp.vector, gp.errorCode, gp.eip]).toEqual([13, 0, start]);
    const of = run1(mk([0xce], undefined, 0x202 | EFLAGS.OF));
    expect([of.vector, of.eip]).toEqual([4, start + 1]);
  });

  it("a write to the read-only page is #PF with P|W|U and cr2", () => {
    const o = run1(mk([0x89, 0x03], [0, 0, 0, 0xa010, 0x9800, 0, 0, 0]));
    expect([o.vector, o.errorCode, o.cr2, o.eip]).toEqual([14, 7, 0xa010, start]);
  });

  it("a read of an unmapped page is #PF with U only", () => {
    const o = run1(mk([0x8b, 0x03], [0, 0, 0, 0x1000, 0x9800, 0, 0, 0]));
    expect([o.vector, o.errorCode, o.cr2]).toEqual([14, 4, 0x1000]);
  });

  it("int 0x41 through Linux's DPL-0 gate is reported as software interrupt 0x41", () => {
    const o = run1(mk([0xcd, 0x41]));
    expect([o.vector, o.errorCode, o.eip]).toEqual([0x41, -1, start + 2]);
  });

  it("mov ds, ax with a kernel selector is #GP(selector)", () => {
    const o = run1(mk([0x8e, 0xd8], [0x18, 0, 0, 0, 0x9800, 0, 0, 0]));
    expect([o.vector, o.errorCode]).toEqual([13, 0x18]);
  });

  it("a loop that never ends is stopped and reported as a hang", () => {
    const o = run1(mk([0xeb, 0xfe]));
    expect(o.vector).toBe(-2);
  });

  it("gives the same result twice for 5000 generated cases (rdtsc and cpuid outputs aside)", () => {
    const cases = generateCases({ seed: 99, count: 5000 });
    const a = runNative(cases);
    const b = runNative(cases);
    let differ = 0;
    for (let i = 0; i < cases.length; i++) {
      // rdtsc reads the time-stamp counter and cpuid's ebx holds the APIC ID of whichever CPU
      // ran it: those outputs differ by design (and are masked in every comparison).
      const steps = decodeSequence(cases[i].code, cases[i].codeOff);
      const varying = new Set<number>();
      if (steps.some((s) => s.mnemonic === "Rdtsc")) [0, 2].forEach((k) => varying.add(k));
      if (steps.some((s) => s.mnemonic === "Cpuid")) [0, 1, 2, 3].forEach((k) => varying.add(k));
      const keep = (r: (typeof a)[number]): Uint32Array => r.regs.map((v, k) => (varying.has(k) ? 0 : v));
      // cr2 is only meaningful after a page fault; otherwise it is whatever the last one left.
      const x = { ...a[i], regs: keep(a[i]), cr2: a[i].trapno === 14 ? a[i].cr2 : 0 };
      const y = { ...b[i], regs: keep(b[i]), cr2: b[i].trapno === 14 ? b[i].cr2 : 0 };
      if (JSON.stringify({ ...x, regs: [...x.regs] }) !== JSON.stringify({ ...y, regs: [...y.regs] })) differ++;
    }
    expect(differ).toBe(0);
  });
});
