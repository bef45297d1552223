// Runs a CPU test kernel on our CPU in bare mode (ring 0, IDT, TSS) through the multiboot
// loader in scripts/bare, and returns its result lines.
import { loadMultiboot, runBare } from "../../../scripts/bare/multiboot.js";
import { kernelLines } from "./console-text.js";

const MAX_INSTRUCTIONS = 200_000_000;

/** compileThreshold: the CPU's default when undefined; -1 interprets only; 0 compiles every block at once */
export function runOnOurCpu(elfPath: string, kernel: string, compileThreshold?: number): string[] {
  const m = loadMultiboot(elfPath);
  if (compileThreshold !== undefined) m.cpu.compileThreshold = compileThreshold;
  const why = runBare(m, MAX_INSTRUCTIONS);
  const text = m.console();
  if (why !== "exit") {
    throw new Error(`Cannot finish kernel "${kernel}" on our CPU: stopped by ${why} at eip 0x${(m.cpu.eip >>> 0).toString(16)}; console so far ${JSON.stringify(text.slice(-400))}`);
  }
  return kernelLines(text, "our CPU", kernel);
}
