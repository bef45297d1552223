// The seam where the testing computer (the Xen host with its guests) attaches to the serial
// line in `minix-on-xen run`: the Xen side (src/xen/tools/testing-computer.ts) fills it.
// Options not given take the host flags' defaults (boot configs/hello.cfg, the default xm socket).
import type { SerialLineEnd } from "../emu/serial/index.js";
import {
  startTestingComputer as startXenTestingComputer,
  type TestingComputer,
  type TestingComputerOptions,
} from "../xen/tools/testing-computer.js";
import { readHostFlags } from "./host-flags.js";

export type { TestingComputer, TestingComputerOptions };

/** Attaches the testing computer to `line` (its UART goes there) and starts it. */
export async function startTestingComputer(line: SerialLineEnd, options: TestingComputerOptions): Promise<TestingComputer> {
  const d = readHostFlags({});
  return startXenTestingComputer(line, {
    configs: d.configs,
    memoryMiB: d.memoryMiB,
    timeMode: d.timeMode,
    controlPath: d.controlPath,
    // `run` on a default socket another host holds still runs, without xm.
    controlOptional: options.controlPath === undefined,
    ...options,
  });
}
