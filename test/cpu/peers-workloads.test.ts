// The benchmark workloads (scripts/bench/workloads) compute the same checksums natively, under
// qemu-i386 and on our CPU in bare mode with paging on: the figures `npm run bench -- cpu`
// reports are for correct runs. Small repetition counts; nothing here is timed.
import { describe, expect, it } from "vitest";
import { runProgram } from "../../scripts/cpu-bench/host-runs.js";
import { runOurCpu } from "../../scripts/cpu-bench/our-cpu.js";

const CASES: [string, number][] = [["reg", 30_000], ["mem", 20_000], ["call", 20_000], ["sort", 5]];

describe.each(CASES)("workload %s", (workload, n) => {
  it("gives the native checksum under qemu-i386 and on our CPU", () => {
    const native = runProgram("native", workload, n).checksum;
    expect(runProgram("qemu-i386", workload, n).checksum).toBe(native);
    expect(runOurCpu(workload, n).checksum).toBe(native);
  });

  it("depends on the repetition count", () => {
    expect(runProgram("native", workload, n + 1).checksum).not.toBe(runProgram("native", workload, n).checksum);
  });
});
