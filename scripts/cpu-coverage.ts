// npm run cpu-coverage [-- --check]: regenerates docs/cpu-coverage.md, the table of integer
// opcode forms with whether our CPU implements them and whether the differential corpus tests
// them. --check only compares and exits 1 when the committed table is stale.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { COVERAGE_PATH, computeCoverage, renderCoverage } from "../test/cpu/diff/coverage-table.js";
import { readCorpus } from "../test/cpu/diff/corpus.js";

const check = process.argv.includes("--check");
const corpus = readCorpus();
const rows = computeCoverage(corpus);
const md = renderCoverage(rows, corpus);
if (check) {
  const old = existsSync(COVERAGE_PATH) ? readFileSync(COVERAGE_PATH, "utf8") : "";
  if (old !== md) {
    console.error(`Cannot confirm ${COVERAGE_PATH}: it is stale; run npm run cpu-coverage`);
    process.exit(1);
  }
  console.log(`${COVERAGE_PATH} is current`);
} else {
  writeFileSync(COVERAGE_PATH, md);
  const impl = rows.filter((r) => r.implemented).length;
  const tested = rows.filter((r) => r.generated && r.corpusCases > 0).length;
  console.log(`wrote ${COVERAGE_PATH}: ${rows.length} forms, ${impl} implemented, ${tested} tested`);
}
