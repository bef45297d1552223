// Our CPU against the real processor: the committed corpus (recorded natively, so it also runs
// where no native oracle exists) plus a live batch of fresh cases run on this host. Registers,
// flags, eip, selectors, the exception and touched memory must agree, with only what the manuals
// leave undefined for each executed instruction masked. Our CPU runs every case twice: through
// its interpreter and through its block compiler (each block compiled on first execution).
import { describe, expect, it } from "vitest";
import type { CaseResult, DiffCase } from "./case-format.js";
import { readCorpus } from "./corpus.js";
import { diffCases } from "./diff-run.js";
import type { EmuEngine } from "./emu-runner.js";
import { generateCases } from "./generator.js";
import { nativeUnavailableReason, runNative } from "./native-runner.js";

const LIVE_CASES = 10_000;

function expectAgreement(label: string, cases: DiffCase[], results: CaseResult[], compiled: EmuEngine): void {
  const s = diffCases(cases, results, 5, compiled);
  const tally = [...s.byMnemonic.entries()].map(([k, v]) => `${k} ${v}`).join(", ");
  expect({ label, mismatches: s.mismatchCount, byMnemonic: tally, first: s.mismatches.map((m) => m.report) }).toEqual({
    label,
    mismatches: 0,
    byMnemonic: "",
    first: [],
  });
}

describe("differential test against the real CPU", () => {
  it("the corpus holds at least 20,000 cases recorded on a named CPU", () => {
    const corpus = readCorpus();
    expect(corpus.header.count).toBeGreaterThanOrEqual(20_000);
    expect(corpus.header.cpu).toMatch(/\w/);
  });

  it.each([
    ["interpreted", "interp"],
    ["compiled", "compiled"],
  ] as Array<[string, EmuEngine]>)("agrees with every case of the corpus recorded from the real CPU (%s)", (_name, compiled) => {
    const corpus = readCorpus();
    expectAgreement("corpus", corpus.cases, corpus.results, compiled);
  }, 120_000);

  it("agrees with the host CPU on a live batch of fresh cases, interpreted, compiled and mixed", () => {
    expect(nativeUnavailableReason()).toBeNull();
    const seed = Date.now() % 1_000_000_007;
    const cases = generateCases({ seed, count: LIVE_CASES });
    const native = runNative(cases);
    expectAgreement(`live seed ${seed} interpreted`, cases, native, "interp");
    expectAgreement(`live seed ${seed} compiled`, cases, native, "compiled");
    // The CPU's own threshold: blocks compile part-way and are invalidated as cases rewrite code.
    expectAgreement(`live seed ${seed} default`, cases, native, "default");
  }, 120_000);
});
