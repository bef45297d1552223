// The seam where the testing computer (the Xen host with its guests) attaches to the serial
// line in `minix-on-xen run`. The Xen model is not built yet: for now nothing is attached, the
// line end has no receiver, and bytes typed on the console are discarded and counted by the
// line, as on a cable with nothing at the other end. The Xen side replaces this body.
import createDebug from "debug";
import type { SerialLineEnd } from "../emu/serial/index.js";

const log = createDebug("xen:host");

export interface TestingComputerOptions {
  /** The line's 8N1 rate (0 = unpaced), as given by --baud. */
  baud: number;
}

export interface TestingComputer {
  /** Stops the machine and releases the line end. */
  stop(): Promise<void>;
}

/** Attaches the testing computer to `line` (its UART goes there) and starts it. */
export async function startTestingComputer(line: SerialLineEnd, options: TestingComputerOptions): Promise<TestingComputer> {
  log("no hypervisor present: nothing attached to %s (baud %d)", line.description, options.baud);
  return { stop: async () => {} };
}
