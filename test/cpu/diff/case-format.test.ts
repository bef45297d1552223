// Case and result records survive encoding, and the corpus file round-trips.
import { describe, expect, it } from "vitest";
import { encodeCases, readCase, readResult, writeResult, resultRecordSize, type CaseResult } from "./case-format.js";
import { decodeCorpus, encodeCorpus, CORPUS_FORMAT } from "./corpus.js";
import { generateCases } from "./generator.js";

function sampleResult(i: number): CaseResult {
  return {
    regs: Uint32Array.from([i, 0xffffffff, 2, 3, 0x9800, 5, 6, 0x80000000]),
    eflags: 0x246,
    eip: 0xc123,
    sregs: [0x23, 0x2b, 0x2b, 0x2b, 0, 0],
    signo: 5,
    trapno: 3,
    err: 0,
    cr2: 0,
    changes: [
      [0x8000 + i, 0xab],
      [0x9fff, 1],
    ],
  };
}

describe("case records", () => {
  it("readCase() returns what encodeCases() wrote", () => {
    const cases = generateCases({ seed: 42, count: 200 });
    const buf = encodeCases(cases);
    let at = 0;
    for (const c of cases) {
      const r = readCase(buf, at);
      expect(r.value.regs).toEqual(c.regs);
      expect(r.value.eflags).toBe(c.eflags);
      expect(r.value.sregs).toEqual(c.sregs);
      expect(r.value.codeOff).toBe(c.codeOff);
      expect(r.value.code).toEqual(c.code);
      expect(r.value.patches).toEqual(c.patches);
      at = r.next;
    }
    expect(at).toBe(buf.length);
  });

  it("readResult() returns what writeResult() wrote", () => {
    const r = sampleResult(7);
    const buf = Buffer.alloc(resultRecordSize(r));
    writeResult(r, buf, 0);
    expect(readResult(buf, 0).value).toEqual(r);
  });

  it("readCase() rejects a truncated record", () => {
    const buf = encodeCases(generateCases({ seed: 1, count: 1 }));
    expect(() => readCase(buf.subarray(0, buf.length - 1), 0)).toThrow(/Cannot read case/);
  });

  it("decodeCorpus() round-trips encodeCorpus()", () => {
    const cases = generateCases({ seed: 3, count: 50 });
    const results = cases.map((_, i) => sampleResult(i));
    const header = { format: CORPUS_FORMAT, cpu: "test", seed: 3, count: 50, recorded: "now" };
    const back = decodeCorpus(encodeCorpus(header, cases, results));
    expect(back.header).toEqual(header);
    expect(back.results).toEqual(results);
    expect(back.cases.map((c) => c.code)).toEqual(cases.map((c) => c.code));
  });
});
