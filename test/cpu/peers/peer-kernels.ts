// A test kernel's result lines under each peer: the raw runners in scripts/peers plus the
// BEGIN..END extraction.
import { runUnderQemu } from "../../../scripts/peers/qemu-system.js";
import { runUnderBochs } from "../../../scripts/peers/bochs.js";
import { kernelLines } from "./console-text.js";

export async function qemuLines(elfPath: string, kernel: string): Promise<string[]> {
  return kernelLines((await runUnderQemu(elfPath)).console, "qemu", kernel);
}

export async function bochsLines(imgPath: string, kernel: string): Promise<string[]> {
  const r = await runUnderBochs(imgPath);
  try {
    return kernelLines(r.console, "bochs", kernel);
  } catch (e) {
    throw new Error(`${(e as Error).message}; bochs log: ${r.logErrors}`);
  }
}
