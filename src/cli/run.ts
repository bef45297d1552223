// `minix-on-xen run` (what `npm start` runs): both computers in one process. An in-process
// serial cable joins the testing computer (attached through startTestingComputer) to the
// splitter, which serves the debugger on :4444 and the console on :4445.
import createDebug from "debug";
import { createSerialPair } from "../emu/serial/index.js";
import { MuxServer } from "../serial-mux/index.js";
import { parseCommandArgs } from "./args.js";
import { MUX_FLAGS_HELP, muxFlagSpec, readMuxFlags, stopSummary, untilStopSignal } from "./mux-flags.js";
import { startTestingComputer } from "./testing-computer.js";
import { HOST_FLAGS_HELP, hostFlagSpec, readHostFlags } from "./host-flags.js";

const log = createDebug("mux");

const help = `Usage: minix-on-xen run [options]

Runs the testing computer and the development computer in one process, joined by an
in-process serial line, and serves the debugger and the console on TCP.

${MUX_FLAGS_HELP}
${HOST_FLAGS_HELP}
  -h, --help            this text

Prints "gdb: HOST:PORT" and "console: HOST:PORT", then runs until SIGINT or SIGTERM.
Then: nc localhost 4445 (or minix-on-xen console), gdb -ex "target remote :4444".`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, { ...muxFlagSpec, ...hostFlagSpec }, help);
  if (parsed === null) return 0;
  const flags = readMuxFlags(parsed.values);
  const hostFlags = readHostFlags(parsed.values);
  const pair = createSerialPair({ baud: flags.baud });
  const mux = await MuxServer.start({
    line: pair.development,
    host: flags.host,
    gdbPort: flags.gdbPort,
    consolePort: flags.consolePort,
  });
  const testing = await startTestingComputer(pair.testing, {
    baud: flags.baud,
    configs: hostFlags.configs,
    memoryMiB: hostFlags.memoryMiB,
    timeMode: hostFlags.timeMode,
    controlPath: hostFlags.controlPath,
    inputScript: hostFlags.inputScript,
    // Only an explicit --control must be had; the default socket may belong to another host.
    controlOptional: parsed.values.control === undefined,
  });
  // Listen for the stop signal before saying we are up: a caller may stop us as soon as it
  // reads these lines.
  const stopSignal = untilStopSignal();
  console.log(`gdb: ${mux.host}:${mux.gdbPort}`);
  console.log(`console: ${mux.host}:${mux.consolePort}`);
  const sig = await stopSignal;
  log("%s: stopping; stats %o", sig, mux.stats);
  await testing.stop();
  await mux.close();
  console.error(stopSummary(mux.stats, pair.development.stats));
  await Promise.all([pair.testing.close(), pair.development.close()]);
  return 0;
}
