// Our CPU against the real processor: the committed corpus (recorded natively) plus a live batch
// of fresh cases run on this host. Registers, flags, eip, selectors, the exception and touched
// memory must agree, with only per-instruction undefined results masked. Cases reaching a form
// the committed coverage table does not yet mark implemented are counted as pending.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import type { CaseResult, DiffCase } from "./case-format.js";
import { executedSteps, nativeOutcome } from "./compare.js";
import { COVERAGE_PATH, parseCoverage } from "./coverage-table.js";
import { readCorpus } from "./corpus.js";
import { diffCases } from "./diff-run.js";
import { listForms } from "./forms.js";
import { generateCases } from "./generator.js";
import { nativeUnavailableReason, runNative } from "./native-runner.js";
import { decodeSequence } from "./undefined-masks.js";

const LIVE_CASES = 10_000;

const table = parseCoverage(readFileSync(COVERAGE_PATH, "utf8"));
const implementedCodes = new Set(listForms().filter((f) => table.get(f.name)?.implemented).map((f) => f.code));

/** Splits cases into those whose reached instructions are all implemented, and the rest. */
function split(cases: DiffCase[], results: CaseResult[]): { ready: number[]; pending: number } {
  const ready: number[] = [];
  let pending = 0;
  for (let i = 0; i < cases.length; i++) {
    const o = nativeOutcome(cases[i], results[i]);
    const steps = executedSteps(cases[i], o);
    const stop = decodeSequence(cases[i].code, cases[i].codeOff).find((s) => s.start === o.eip);
    if (stop) steps.push(stop);
    if (steps.every((s) => implementedCodes.has(s.code) || s.mnemonic === "INVALID")) ready.push(i);
    else pending++;
  }
  return { ready, pending };
}

function check(label: string, cases: DiffCase[], results: CaseResult[]): number {
  const { ready, pending } = split(cases, results);
  const s = diffCases(
    ready.map((i) => cases[i]),
    ready.map((i) => results[i]),
    10,
  );
  console.log(`${label}: ${s.cases} cases compared, ${s.mismatchCount} mismatches, ${pending} pending unimplemented forms`);
  expect(s.mismatches.map((m) => m.report)).toEqual([]);
  expect(s.mismatchCount).toBe(0);
  return s.cases;
}

describe("differential test against the real CPU", () => {
  it("the corpus holds at least 20,000 cases recorded on a named CPU", () => {
    const corpus = readCorpus();
    expect(corpus.header.count).toBeGreaterThanOrEqual(20_000);
    expect(corpus.header.cpu.length).toBeGreaterThan(0);
  });

  it("agrees with the corpus recorded from the real CPU", () => {
    const corpus = readCorpus();
    check("corpus", corpus.cases, corpus.results);
  }, 120_000);

  it("agrees with the host CPU on a live batch of fresh cases", () => {
    expect(nativeUnavailableReason()).toBeNull();
    const cases = generateCases({ seed: (Date.now() & 0x7fffffff) >>> 0, count: LIVE_CASES });
    check("live", cases, runNative(cases));
  }, 120_000);
});
