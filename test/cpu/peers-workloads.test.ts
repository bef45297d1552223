// The benchmark workloads (scripts/bench/workloads) compute the same checksums natively, under
// qemu-i386 and on our CPU in bare mode with paging on: the figures `npm run bench -- cpu`
// reports are for correct runs. Small repetition counts; nothing here is timed.
import { describe, expect, it } from "vitest";
import { countInstructions, runProgram } from "../../scripts/cpu-bench/host-runs.js";
import { runOurCpu } from "../../scripts/cpu-bench/our-cpu.js";

const CASES: [string, number][] = [["reg", 30_000], ["mem", 20_000], ["call", 20_000], ["sort", 5]];
/** repetition counts small enough for the ptrace single-stepper */
const STEP_COUNTS: Record<string, [number, number]> = { reg: [100, 300], mem: [100, 300], call: [100, 300], sort: [1, 2] };

describe.each(CASES)("workload %s", (workload, n) => {
  it("gives the native checksum under qemu-i386 and on our CPU", () => {
    const native = runProgram("native", workload, n).checksum;
    expect(runProgram("qemu-i386", workload, n).checksum).toBe(native);
    expect(runOurCpu(workload, n).checksum).toBe(native);
  });

  it("gives the native checksum on our CPU's interpreter alone and with every block compiled", () => {
    const native = runProgram("native", workload, n).checksum;
    expect(runOurCpu(workload, n, -1).checksum).toBe(native);
    expect(runOurCpu(workload, n, 0).checksum).toBe(native);
  });

  it("executes on our CPU as many instructions per repetition as the host CPU does", () => {
    const [a, b] = STEP_COUNTS[workload];
    const native = countInstructions(workload, b) - countInstructions(workload, a);
    const ours = runOurCpu(workload, b).ownCount - runOurCpu(workload, a).ownCount;
    expect(ours).toBe(native);
  });

  it("depends on the repetition count", () => {
    expect(runProgram("native", workload, n + 1).checksum).not.toBe(runProgram("native", workload, n).checksum);
  });
});
