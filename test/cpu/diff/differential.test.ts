// Our CPU against the real processor: the committed corpus (recorded natively, so it also runs
// where no native oracle exists) plus a live batch of fresh cases run on this host. Registers,
// flags, eip, selectors, the exception and touched memory must agree, with only what the manuals
// leave undefined for each executed instruction masked.
import { describe, expect, it } from "vitest";
import type { CaseResult, DiffCase } from "./case-format.js";
import { readCorpus } from "./corpus.js";
import { diffCases } from "./diff-run.js";
import { generateCases } from "./generator.js";
import { nativeUnavailableReason, runNative } from "./native-runner.js";

const LIVE_CASES = 10_000;

function expectAgreement(label: string, cases: DiffCase[], results: CaseResult[]): void {
  const s = diffCases(cases, results, 5);
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

  it("agrees with every case of the corpus recorded from the real CPU", () => {
    const corpus = readCorpus();
    expectAgreement("corpus", corpus.cases, corpus.results);
  }, 120_000);

  it("agrees with the host CPU on a live batch of fresh cases", () => {
    expect(nativeUnavailableReason()).toBeNull();
    const seed = Date.now() % 1_000_000_007;
    const cases = generateCases({ seed, count: LIVE_CASES });
    expectAgreement(`live seed ${seed}`, cases, runNative(cases));
  }, 120_000);
});
