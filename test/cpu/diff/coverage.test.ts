// docs/cpu-coverage.md is what scripts/cpu-coverage.ts generates today, and no form has lost
// its implemented or tested mark.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { COVERAGE_PATH, computeCoverage, parseCoverage, renderCoverage } from "./coverage-table.js";
import { readCorpus } from "./corpus.js";

describe("coverage table", () => {
  const corpus = readCorpus();
  const rows = computeCoverage(corpus);
  const committed = readFileSync(COVERAGE_PATH, "utf8");

  it("lists every form of the instruction set", () => {
    expect(parseCoverage(committed).size).toBe(rows.length);
    expect(rows.length).toBeGreaterThan(600);
  });

  it("has no form that lost its implemented or tested mark", () => {
    const before = parseCoverage(committed);
    const regressed: string[] = [];
    for (const r of rows) {
      const was = before.get(r.form.name);
      if (was?.implemented && !r.implemented) regressed.push(`${r.form.name} no longer implemented`);
      if (was?.tested && !(r.generated && r.corpusCases > 0)) regressed.push(`${r.form.name} no longer tested`);
    }
    expect(regressed).toEqual([]);
  });

  it("is current (regenerate with npm run cpu-coverage)", () => {
    expect(renderCoverage(rows, corpus)).toBe(committed);
  });
});
