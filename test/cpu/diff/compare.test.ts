// The comparison's interpretation of native results and its per-instruction masks.
import { describe, expect, it } from "vitest";
import type { CaseResult, DiffCase } from "./case-format.js";
import { compareOutcomes, executedSteps, nativeOutcome, type Outcome } from "./compare.js";
import { EFLAGS } from "./layout.js";
import { decodeSequence, masksFor } from "./undefined-masks.js";

function mk(code: number[], regs: number[] = [0, 0, 0, 0, 0x9800, 0, 0, 0]): DiffCase {
  return { regs: Uint32Array.from(regs), eflags: 0x202, sregs: [0x2b, 0x2b, 0, 0], codeOff: 0x100, code: Uint8Array.from(code), patches: [] };
}

function result(over: Partial<CaseResult>): CaseResult {
  return {
    regs: new Uint32Array(8),
    eflags: 0x202,
    eip: 0,
    sregs: [0x23, 0x2b, 0x2b, 0x2b, 0, 0],
    signo: 5,
    trapno: 3,
    err: 0,
    cr2: 0,
    changes: [],
    ...over,
  };
}

const flagsOf = (code: number[], regs?: number[]): number => {
  const c = mk(code, regs);
  return masksFor(decodeSequence(c.code, c.codeOff), c.regs, c.regs, 0).flags;
};

describe("nativeOutcome()", () => {
  it("turns Linux's #GP(n*8+2) at an int n into software interrupt n after the instruction", () => {
    const c = mk([0xcd, 0x41]);
    const o = nativeOutcome(c, result({ signo: 11, trapno: 13, err: 0x41 * 8 + 2, eip: 0xc100, eflags: 0x10202 }));
    expect([o.vector, o.software, o.eip, o.errorCode, o.eflags]).toEqual([0x41, true, 0xc102, -1, 0x202]);
  });

  it("keeps a page fault's P/W/U bits and cr2", () => {
    const o = nativeOutcome(mk([0x89, 0x03]), result({ signo: 11, trapno: 14, err: 0x17, cr2: 0xa000, eip: 0xc100 }));
    expect([o.vector, o.software, o.errorCode, o.cr2]).toEqual([14, false, 7, 0xa000]);
  });

  it("rejects a signal that does not match its trap number", () => {
    expect(() => nativeOutcome(mk([0x90]), result({ signo: 4, trapno: 13 }))).toThrow(/Cannot interpret native result/);
  });
});

describe("executedSteps()", () => {
  it("stops before a faulting instruction and after a trapping one", () => {
    const c = mk([0x90, 0x0f, 0x0b, 0x90]); // nop ; ud2 ; nop
    const steps = (eip: number, vector: number): string[] =>
      executedSteps(c, { eip, vector } as Outcome).map((s) => s.mnemonic);
    expect(steps(0xc101, 6)).toEqual(["Nop"]);
    expect(steps(0xc105, 3)).toEqual(["Nop", "Ud2", "Nop"]);
  });
});

describe("masksFor()", () => {
  it("masks OF after a rotate by more than one but not by one", () => {
    expect(flagsOf([0xc1, 0xc0, 0x03]) & EFLAGS.OF).toBe(EFLAGS.OF); // rol eax,3
    expect(flagsOf([0xd1, 0xc0]) & EFLAGS.OF).toBe(0); // rol eax,1
  });

  it("masks nothing for a shift by CL = 0 and AF for a shift by CL = 5", () => {
    expect(flagsOf([0xd3, 0xe0], [0, 0, 0, 0, 0x9800, 0, 0, 0])).toBe(0); // shl eax,cl
    expect(flagsOf([0xd3, 0xe0], [0, 5, 0, 0, 0x9800, 0, 0, 0])).toBe(EFLAGS.AF | EFLAGS.OF);
  });

  it("masks SF ZF AF PF after mul and all six after div, then clears what add defines", () => {
    const six = EFLAGS.CF | EFLAGS.PF | EFLAGS.AF | EFLAGS.ZF | EFLAGS.SF | EFLAGS.OF;
    expect(flagsOf([0xf7, 0xe3])).toBe(EFLAGS.SF | EFLAGS.ZF | EFLAGS.AF | EFLAGS.PF); // mul ebx
    expect(flagsOf([0xf7, 0xf3])).toBe(six); // div ebx
    expect(flagsOf([0xf7, 0xf3, 0x01, 0xd8])).toBe(0); // div ebx ; add eax,ebx
  });

  it("masks a bsf destination only when the source was zero", () => {
    const c = mk([0x0f, 0xbc, 0xc3]); // bsf eax,ebx
    const steps = decodeSequence(c.code, c.codeOff);
    expect(masksFor(steps, c.regs, c.regs, EFLAGS.ZF).regs[0]).toBe(0xffffffff);
    expect(masksFor(steps, c.regs, c.regs, 0).regs[0]).toBe(0);
  });
});

describe("masksFor() on memory", () => {
  it("masks the base's top byte of a 16-bit sgdt, at the operand's address", () => {
    const c = mk([0x66, 0x0f, 0x01, 0x03], [0, 0, 0, 0x8100, 0x9800, 0, 0, 0]); // o16 sgdt [ebx]
    expect([...masksFor(decodeSequence(c.code, c.codeOff), c.regs, c.regs, 0).memory]).toEqual([0x8105]);
    const c32 = mk([0x0f, 0x01, 0x03], [0, 0, 0, 0x8100, 0x9800, 0, 0, 0]); // sgdt [ebx]
    expect(masksFor(decodeSequence(c32.code, c32.codeOff), c32.regs, c32.regs, 0).memory.size).toBe(0);
  });
});

describe("compareOutcomes()", () => {
  it("reports a register difference and ignores a masked flag", () => {
    const c = mk([0xf7, 0xe3]); // mul ebx: SF ZF AF PF undefined
    const base: Outcome = {
      regs: new Uint32Array(8),
      eflags: 0x202,
      eip: 0xc103,
      sregs: [0x23, 0x2b, 0x2b, 0x2b, 0, 0],
      vector: 3,
      software: true,
      errorCode: -1,
      cr2: 0,
      changes: [],
    };
    expect(compareOutcomes(c, base, { ...base, eflags: 0x202 | EFLAGS.ZF })).toEqual([]);
    const diffs = compareOutcomes(c, base, { ...base, regs: Uint32Array.from([1, 0, 0, 0, 0, 0, 0, 0]) });
    expect(diffs).toEqual(["eax: expected 00000000 got 00000001"]);
  });
});
