// A test kernel's result lines under each peer: the raw runners in scripts/peers plus the
// BEGIN..END extraction. A peer run that does not reach END is tried once more (on a busy
// host a peer has been seen to stop early once); the peers are the oracle, so a retry there
// cannot hide a fault in our CPU.
import createDebug from "debug";
import { runUnderQemu } from "../../../scripts/peers/qemu-system.js";
import { runUnderBochs } from "../../../scripts/peers/bochs.js";
import { kernelLines } from "./console-text.js";

const log = createDebug("emu:peers");

async function twice(what: string, attempt: () => Promise<string[]>): Promise<string[]> {
  try {
    return await attempt();
  } catch (e) {
    log("%s failed once, trying again: %s", what, (e as Error).message);
    process.stderr.write(`peer run ${what} failed once, retrying: ${(e as Error).message.slice(0, 300)}\n`);
    return attempt();
  }
}

export function qemuLines(elfPath: string, kernel: string): Promise<string[]> {
  return twice(`qemu ${kernel}`, async () => kernelLines((await runUnderQemu(elfPath)).console, "qemu", kernel));
}

export function bochsLines(imgPath: string, kernel: string): Promise<string[]> {
  return twice(`bochs ${kernel}`, async () => {
    const r = await runUnderBochs(imgPath);
    try {
      return kernelLines(r.console, "bochs", kernel);
    } catch (e) {
      throw new Error(`${(e as Error).message}; bochs log: ${r.logErrors}`);
    }
  });
}
