// npm run bench -- cpu [--ours-minstr 200] [--native-minstr 3000] [--qemu-minstr 1500]
//                      [--qemu-system-minstr 1500] [--bochs-minstr 300]
// CPU-bound integer workloads (scripts/bench/workloads, gcc -m32 -O2) in one run: natively and
// under qemu-i386 (user mode), and with paging on as full systems: our CPU in bare mode,
// qemu-system-i386 and Bochs. MIPS always divides the workload's instruction count, counted
// natively by single-stepping, by the time; our CPU's own counter is shown only as a
// cross-check. Last line: one JSON object.
import { parseArgs } from "node:util";
import { bestOf, fitCount, runProgram, type LinearCount } from "../cpu-bench/host-runs.js";
import { runOurCpu } from "../cpu-bench/our-cpu.js";
import { runSystemPeer, type SystemPeer } from "../cpu-bench/system-peers.js";

interface Workload {
  name: string;
  what: string;
  /** repetition counts at which the native instruction count is measured */
  countAt: number[];
  /** MIPS our CPU should reach (issue 3) */
  target?: number;
}

const WORKLOADS: Workload[] = [
  { name: "reg", what: "register ALU loop", countAt: [100, 200, 300], target: 100 },
  { name: "mem", what: "byte load/store loop over 64 KiB", countAt: [100, 200, 300], target: 100 },
  { name: "call", what: "call/ret loop", countAt: [100, 200, 300], target: 70 },
  { name: "sort", what: "quicksort of 256 words", countAt: [1, 2] },
];

interface EngineFigure {
  n: number;
  instructions: number;
  seconds: number;
  mips: number;
}

function figure(count: LinearCount, n: number, ns: number): EngineFigure {
  const instructions = count.fixed + count.perRep * n;
  return { n, instructions, seconds: ns / 1e9, mips: instructions / (ns / 1e3) };
}

function repsFor(count: LinearCount, instructions: number): number {
  return Math.max(1, Math.round((instructions - count.fixed) / count.perRep));
}

const fmt = (v: number | null, d = 1) => (v === null ? "-" : v.toFixed(d));

/** A full-system peer's MIPS: (n repetitions - 1 repetition) over the time difference, best of two. */
async function systemFigure(peer: SystemPeer, w: string, count: LinearCount, n: number): Promise<EngineFigure> {
  let best = Infinity;
  for (let i = 0; i < 2; i++) {
    const base = await runSystemPeer(peer, w, 1);
    const full = await runSystemPeer(peer, w, n);
    const ref = runProgram("native", w, n).checksum;
    if (full.checksum !== ref) throw new Error(`checksum ${full.checksum.toString(16)} differs from native ${ref.toString(16)}`);
    best = Math.min(best, full.nanoseconds - base.nanoseconds);
  }
  if (!(best > 0)) throw new Error(`the run with n=${n} was not slower than the boot-only run; raise --${peer}-minstr`);
  const instructions = count.perRep * (n - 1);
  return { n, instructions, seconds: best / 1e9, mips: instructions / (best / 1e3) };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      "ours-minstr": { type: "string", default: "200" },
      "native-minstr": { type: "string", default: "3000" },
      "qemu-minstr": { type: "string", default: "1500" },
      "qemu-system-minstr": { type: "string", default: "1500" },
      "bochs-minstr": { type: "string", default: "300" },
    },
  });
  type Key = "ours-minstr" | "native-minstr" | "qemu-minstr" | "qemu-system-minstr" | "bochs-minstr";
  const target = (k: Key) => {
    const v = Number(values[k]);
    if (!(v > 0)) throw new RangeError(`Cannot run the cpu benchmark: --${k} is "${values[k]}", expected a positive number of millions`);
    return v * 1e6;
  };
  const results: Record<string, unknown> = {};
  const rows: string[] = [];
  console.log("cpu benchmark: MIPS = natively counted instructions / wall time of the workload call");
  for (const w of WORKLOADS) {
    const count = fitCount(w.name, w.countAt);
    console.log(`${w.name} (${w.what}): ${count.perRep} instructions per repetition + ${count.fixed} (ptrace single-step count)`);

    const nNative = repsFor(count, target("native-minstr"));
    const native = bestOf(3, () => runProgram("native", w.name, nNative));
    const nativeFig = figure(count, nNative, native.nanoseconds);

    const nQemu = repsFor(count, target("qemu-minstr"));
    let qemuFig: EngineFigure | null = null;
    try {
      const qemu = bestOf(2, () => runProgram("qemu-i386", w.name, nQemu));
      const qemuRef = runProgram("native", w.name, nQemu).checksum;
      if (qemu.checksum !== qemuRef) throw new Error(`checksum ${qemu.checksum} differs from native ${qemuRef}`);
      qemuFig = figure(count, nQemu, qemu.nanoseconds);
    } catch (e) {
      console.log(`  qemu-i386: not measured: ${(e as Error).message.split("\n")[0]}`);
    }

    const system: Record<SystemPeer, EngineFigure | null> = { "qemu-system": null, bochs: null };
    for (const peer of ["qemu-system", "bochs"] as SystemPeer[]) {
      try {
        system[peer] = await systemFigure(peer, w.name, count, repsFor(count, target(`${peer}-minstr`)));
      } catch (e) {
        console.log(`  ${peer}: not measured: ${(e as Error).message.split("\n")[0]}`);
      }
    }

    const nOurs = repsFor(count, target("ours-minstr"));
    let oursFig: EngineFigure | null = null;
    let oursError: string | null = null;
    let ownCount: number | null = null;
    let oursCpuMips: number | null = null;
    try {
      const ours = runOurCpu(w.name, nOurs);
      const ref = runProgram("native", w.name, nOurs).checksum;
      if (ours.checksum !== ref) throw new Error(`checksum ${ours.checksum.toString(16)} differs from native ${ref.toString(16)}`);
      oursFig = figure(count, nOurs, ours.nanoseconds);
      ownCount = ours.ownCount;
      oursCpuMips = oursFig.instructions / (ours.cpuNanoseconds / 1e3);
    } catch (e) {
      oursError = (e as Error).message.split("\n")[0].slice(0, 300);
    }
    const ratioNative = oursFig ? oursFig.mips / nativeFig.mips : null;
    const ratioQemu = oursFig && qemuFig ? oursFig.mips / qemuFig.mips : null;
    const ratioBochs = oursFig && system.bochs ? oursFig.mips / system.bochs.mips : null;
    const ratioQemuSystem = oursFig && system["qemu-system"] ? oursFig.mips / system["qemu-system"].mips : null;
    const met = w.target === undefined || !oursFig ? null : oursFig.mips >= w.target;
    rows.push(`${w.name.padEnd(5)} ${fmt(nativeFig.mips, 0).padStart(9)} ${fmt(qemuFig?.mips ?? null, 0).padStart(10)} ` +
      `${fmt(system["qemu-system"]?.mips ?? null, 0).padStart(11)} ${fmt(system.bochs?.mips ?? null).padStart(7)} ` +
      `${fmt(oursFig?.mips ?? null).padStart(8)} ${fmt(ratioNative, 4).padStart(11)} ${fmt(ratioQemu, 4).padStart(10)} ` +
      `${fmt(ratioQemuSystem, 4).padStart(12)} ${fmt(ratioBochs, 3).padStart(10)}  ` +
      `${w.target === undefined ? "" : `target ${w.target}: ${met === null ? "not measured" : met ? "met" : "NOT met"}`}`);
    if (oursError) console.log(`  our CPU: failed: ${oursError}`);
    else if (ownCount !== null && oursFig) {
      console.log(`  our CPU counted ${ownCount} instructions between its markers (native count ${oursFig.instructions}; the markers add the call set-up)`);
      console.log(`  our CPU: ${fmt(oursFig.mips)} MIPS by wall time, ${fmt(oursCpuMips)} MIPS by this process's CPU time`);
    }
    results[w.name] = {
      instructionsPerRep: count.perRep, fixedInstructions: count.fixed,
      native: nativeFig, qemuI386: qemuFig, qemuSystem: system["qemu-system"], bochs: system.bochs,
      ours: oursFig, oursCpuTimeMips: oursCpuMips, oursError, oursOwnCount: ownCount,
      oursOverNative: ratioNative, oursOverQemu: ratioQemu, oursOverQemuSystem: ratioQemuSystem, oursOverBochs: ratioBochs, targetMips: w.target ?? null, targetMet: met,
    };
  }
  console.log("");
  console.log("MIPS: native and qemu-i386 run the workload as a Linux program; qemu-system, bochs and ours as a kernel with paging");
  console.log("work     native  qemu-i386 qemu-system   bochs     ours ours/native  ours/qemu ours/qsystem ours/bochs");
  for (const r of rows) console.log(r);
  console.log("(wall time throughout; targets are judged on wall time. The host is shared, so repeat runs vary.)");
  console.log(JSON.stringify({ bench: "cpu", paging: true, workloads: results }));
  return 0;
}

main().then((c) => process.exit(c), (e: Error) => {
  console.error(e.message);
  process.exit(1);
});
