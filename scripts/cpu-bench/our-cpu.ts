// Our CPU's side of the benchmark: the workload kernel (bench-kernel.elf) in bare mode with
// paging on. The kernel writes 1 and 2 to port 0x80 around the workload call; the CPU is
// stopped at each marker so the wall time and our own instruction counter are read exactly there.
import { loadMultiboot } from "../bare/multiboot.js";
import { StopReason } from "../../src/emu/cpu/index.js";
import { BENCH_DIR } from "./host-runs.js";

export const WORKLOAD_IDS: Record<string, number> = { reg: 0, mem: 1, call: 2, sort: 3 };

export interface OurRun {
  checksum: number;
  nanoseconds: number;
  /** instructions our CPU counted between the markers (a cross-check only) */
  ownCount: number;
  /** this process's CPU time (user + system) between the markers: less sensitive to a busy host */
  cpuNanoseconds: number;
}

/** compileThreshold: the CPU's default when undefined (-1 interprets only, 0 compiles at once) */
export function runOurCpu(workload: string, n: number, compileThreshold?: number): OurRun {
  const m = loadMultiboot(`${BENCH_DIR}/bench-kernel.elf`);
  if (compileThreshold !== undefined) m.cpu.compileThreshold = compileThreshold;
  const params = m.image.symbols.get("bench_params");
  if (params === undefined) throw new Error("Cannot run the benchmark kernel: it lacks bench_params");
  m.mem.write32(params, WORKLOAD_IDS[workload]);
  m.mem.write32(params + 4, n);
  let marker = 0;
  m.onPortWrite = (port, value) => {
    if (port === 0x80) {
      marker = value & 0xff;
      m.cpu.requestStop();
    }
  };
  let t0 = 0n;
  let t1 = 0n;
  let u0 = process.cpuUsage();
  let cpuNs = 0;
  let c0 = 0;
  let c1 = 0;
  for (;;) {
    const r = m.cpu.run(50_000_000);
    if (marker === 1 && t0 === 0n) {
      c0 = m.cpu.instructionCount;
      u0 = process.cpuUsage();
      t0 = process.hrtime.bigint();
    } else if (marker === 2 && t1 === 0n) {
      t1 = process.hrtime.bigint();
      const u = process.cpuUsage(u0);
      cpuNs = (u.user + u.system) * 1000;
      c1 = m.cpu.instructionCount;
    }
    if (m.exited()) break;
    if (r === StopReason.HALT || r === StopReason.SHUTDOWN) {
      throw new Error(`Cannot finish ${workload} on our CPU: stopped (${r}) at eip 0x${(m.cpu.eip >>> 0).toString(16)}, console ${JSON.stringify(m.console())}`);
    }
  }
  const match = /=([0-9a-f]{8})/.exec(m.console());
  if (!match || t1 === 0n) throw new Error(`Cannot read ${workload}'s result on our CPU: console ${JSON.stringify(m.console())}`);
  return { checksum: parseInt(match[1], 16) >>> 0, nanoseconds: Number(t1 - t0), ownCount: c1 - c0, cpuNanoseconds: cpuNs };
}
