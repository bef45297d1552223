// One differential pass: each case's native result (live or from the corpus) against our CPU.
import type { CaseResult, DiffCase } from "./case-format.js";
import { compareOutcomes, describeMismatch, nativeOutcome } from "./compare.js";
import { EmuRunner, type EmuEngine } from "./emu-runner.js";
import { decodeSequence } from "./undefined-masks.js";

export interface Mismatch {
  index: number;
  report: string;
}

export interface DiffSummary {
  cases: number;
  mismatchCount: number;
  /** The first mismatches in full. */
  mismatches: Mismatch[];
  /** Mismatch count per mnemonic of the case's last decoded instruction, to spot a broken form. */
  byMnemonic: Map<string, number>;
}

const shared = new Map<EmuEngine, EmuRunner>();

/** Compares each case's native result with our CPU's, run by the given engine. */
export function diffCases(cases: readonly DiffCase[], native: readonly CaseResult[], keep = 50, engine: EmuEngine = "interp"): DiffSummary {
  const mismatches: Mismatch[] = [];
  const byMnemonic = new Map<string, number>();
  let mismatchCount = 0;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const expected = nativeOutcome(c, native[i]);
    let diffs: string[];
    try {
      let emu = shared.get(engine);
      if (!emu) shared.set(engine, (emu = new EmuRunner(engine)));
      diffs = compareOutcomes(c, expected, emu.run(c));
    } catch (e) {
      diffs = [`emulator threw: ${(e as Error).stack ?? String(e)}`];
      shared.delete(engine);
    }
    if (diffs.length === 0) continue;
    mismatchCount++;
    const steps = decodeSequence(c.code, c.codeOff);
    const key = steps.length > 0 ? steps[steps.length - 1].mnemonic : "?";
    byMnemonic.set(key, (byMnemonic.get(key) ?? 0) + 1);
    if (mismatches.length < keep) mismatches.push({ index: i, report: describeMismatch(c, expected, diffs) });
  }
  return { cases: cases.length, mismatchCount, mismatches, byMnemonic };
}
