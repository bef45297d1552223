// Host-side measurements for the CPU benchmark: the static i386 workload program run natively
// and under qemu-i386 (it times its own workload call with CLOCK_MONOTONIC), and its exact
// instruction count from stepcount, a ptrace single-stepper, between bench_call_begin and
// bench_call_end.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseElf32 } from "../bare/elf32.js";

export const BENCH_DIR = "build/bench/cpu";
const PROGRAM = `${BENCH_DIR}/bench32`;

export interface TimedRun {
  checksum: number;
  nanoseconds: number;
}

/** Runs `bench32 workload n`, directly or under qemu-i386. */
export function runProgram(engine: "native" | "qemu-i386", workload: string, n: number): TimedRun {
  const [cmd, args] = engine === "native" ? [PROGRAM, [workload, String(n)]] : ["qemu-i386", [PROGRAM, workload, String(n)]];
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 300_000 });
  if (r.error) throw new Error(`Cannot run ${engine} ${workload}: ${r.error.message}`);
  const parts = r.stdout.trim().split(" ");
  if (r.status !== 0 || parts.length !== 4 || parts[0] !== workload) {
    throw new Error(`Cannot run ${engine} ${workload}: exit ${r.status}, output ${JSON.stringify(r.stdout + r.stderr)}`);
  }
  return { checksum: Number(parts[2]) >>> 0, nanoseconds: Number(parts[3]) };
}

/** Best (shortest) of `times` runs. */
export function bestOf(times: number, run: () => TimedRun): TimedRun {
  let best: TimedRun | undefined;
  for (let i = 0; i < times; i++) {
    const r = run();
    if (!best || r.nanoseconds < best.nanoseconds) best = r;
  }
  return best as TimedRun;
}

function markers(): [string, string] {
  const img = parseElf32(new Uint8Array(readFileSync(PROGRAM)), PROGRAM);
  const b = img.symbols.get("bench_call_begin");
  const e = img.symbols.get("bench_call_end");
  if (b === undefined || e === undefined) throw new Error(`Cannot count instructions: ${PROGRAM} lacks bench_call_begin/end`);
  return [b.toString(16), e.toString(16)];
}

/** Instructions executed natively by the workload call for repetition count n. */
export function countInstructions(workload: string, n: number): number {
  const [b, e] = markers();
  const r = spawnSync(`${BENCH_DIR}/stepcount`, [b, e, PROGRAM, workload, String(n)], { encoding: "utf8", timeout: 600_000 });
  if (r.error || r.status !== 0) {
    throw new Error(`Cannot count instructions of ${workload} ${n}: ${r.error?.message ?? r.stderr.trim()}`);
  }
  const lines = r.stdout.trim().split("\n");
  return Number(lines[lines.length - 1]);
}

export interface LinearCount {
  /** instructions = fixed + perRep * n */
  fixed: number;
  perRep: number;
}

/** Counts at the given repetition counts and fits fixed + perRep*n; every point must lie on the line. */
export function fitCount(workload: string, ns: number[]): LinearCount {
  const counts = ns.map((n) => countInstructions(workload, n));
  const perRep = (counts[1] - counts[0]) / (ns[1] - ns[0]);
  const fixed = counts[0] - perRep * ns[0];
  ns.forEach((n, i) => {
    if (!Number.isInteger(perRep) || fixed + perRep * n !== counts[i]) {
      throw new Error(`Cannot use the instruction count of ${workload}: counts ${counts.join(", ")} at n = ${ns.join(", ")} are not linear`);
    }
  });
  return { fixed, perRep };
}
