// npm run test:cpu-diff -- [--count N] [--seed S] [--corpus] [--record FILE] [--show K] [--only CODE,...]
//   [--engine interp|compiled|default|all]
// Large live differential runs of our CPU against the host processor (batches of generated
// cases run natively, then on the emulator), a run over the committed corpus, or recording a
// new corpus from the host CPU. Exits non-zero on any mismatch.
import { parseArgs } from "node:util";
import { generateCases } from "./generator.js";
import { hostCpuModel, nativeUnavailableReason, runNative } from "./native-runner.js";
import { diffCases, type DiffSummary } from "./diff-run.js";
import type { EmuEngine } from "./emu-runner.js";
import { CORPUS_FORMAT, readCorpus, writeCorpus } from "./corpus.js";

const BATCH = 20_000;

function parseIntArg(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Cannot run cpu-diff: --${name} is "${v}", expected a non-negative integer`);
  return n;
}

function printSummary(label: string, s: DiffSummary, show: number): void {
  for (const m of s.mismatches.slice(0, show)) console.log(`--- mismatch in case ${m.index}\n${m.report}`);
  const top = [...s.byMnemonic.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  if (top.length > 0) console.log(`${label}: mismatches by last mnemonic: ${top.map(([k, v]) => `${k} ${v}`).join(", ")}`);
  console.log(`${label}: ${s.cases} cases, ${s.mismatchCount} mismatches`);
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: "string" },
      seed: { type: "string" },
      corpus: { type: "boolean" },
      record: { type: "string" },
      show: { type: "string" },
      only: { type: "string" },
      engine: { type: "string" },
    },
  });
  const seed = parseIntArg("seed", values.seed, Date.now() % 1_000_000_007);
  const count = parseIntArg("count", values.count, 100_000);
  const show = parseIntArg("show", values.show, 5);
  const only = values.only?.split(",");
  const engine = values.engine ?? "all";
  if (!["interp", "compiled", "default", "all"].includes(engine)) {
    throw new RangeError(`Cannot run cpu-diff: --engine is "${engine}", expected interp, compiled, default or all`);
  }
  // Our CPU runs each case through its interpreter, its block compiler (every block compiled on
  // first execution), with its own hotness threshold (compiling part-way), or all three.
  const engines: EmuEngine[] = engine === "all" ? ["interp", "compiled", "default"] : [engine as EmuEngine];

  if (values.corpus) {
    const corpus = readCorpus();
    console.log(`corpus: ${corpus.header.count} cases recorded on "${corpus.header.cpu}"`);
    let bad = 0;
    for (const compiled of engines) {
      const s = diffCases(corpus.cases, corpus.results, show, compiled);
      printSummary(`corpus ${compiled}`, s, show);
      bad += s.mismatchCount;
    }
    return bad === 0 ? 0 : 1;
  }

  const why = nativeUnavailableReason();
  if (why !== null) {
    console.error(`Cannot run live differential test: ${why}`);
    return 2;
  }

  if (values.record !== undefined) {
    const cases = generateCases({ seed, count, only });
    const results = runNative(cases);
    const header = { format: CORPUS_FORMAT, cpu: hostCpuModel(), seed, count, recorded: new Date().toISOString() };
    writeCorpus(values.record, { header, cases, results });
    console.log(`recorded ${count} cases (seed ${seed}) on "${header.cpu}" into ${values.record}`);
    return 0;
  }

  console.log(`live: ${count} cases from seed ${seed} on "${hostCpuModel()}", engines: ${engines.join(" + ")}`);
  const t0 = performance.now();
  let total = 0;
  let bad = 0;
  const byMnemonic = new Map<string, number>();
  let shown = 0;
  for (let done = 0; done < count; done += BATCH) {
    const n = Math.min(BATCH, count - done);
    const cases = generateCases({ seed: (seed + done * 7919) >>> 0, count: n, only });
    const native = runNative(cases);
    for (const compiled of engines) {
      const s = diffCases(cases, native, Math.max(0, show - shown), compiled);
      for (const m of s.mismatches) {
        console.log(`--- mismatch (${compiled}, batch at ${done}, case ${m.index})\n${m.report}`);
      }
      shown += s.mismatches.length;
      for (const [k, v] of s.byMnemonic) byMnemonic.set(k, (byMnemonic.get(k) ?? 0) + v);
      bad += s.mismatchCount;
    }
    total += n;
    if (count > BATCH) {
      const rate = total / ((performance.now() - t0) / 1000);
      process.stdout.write(`  ${total}/${count} cases, ${bad} mismatches, ${Math.round(rate)} cases/s\n`);
    }
  }
  const top = [...byMnemonic.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  if (top.length > 0) console.log(`live: mismatches by last mnemonic: ${top.map(([k, v]) => `${k} ${v}`).join(", ")}`);
  console.log(`live: ${total} cases, ${bad} mismatches in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return bad === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  },
);
