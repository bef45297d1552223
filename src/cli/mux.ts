// `minix-on-xen mux`: the development computer alone. The splitter runs against a serial line
// whose other end (the testing computer) is another process: a socket, or a tty/pty device.
import createDebug from "debug";
import { openSerialTransport, TRANSPORT_HELP } from "../emu/serial/index.js";
import { MuxServer } from "../serial-mux/index.js";
import { parseCommandArgs } from "./args.js";
import { MUX_FLAGS_HELP, muxFlagSpec, readMuxFlags, stopSummary, untilStopSignal } from "./mux-flags.js";

const log = createDebug("mux");

const help = `Usage: minix-on-xen mux --serial TRANSPORT [options]

Runs the serial splitter against a line served by another process: serial bytes with bit 7
set go to the debugger port, the rest to the console port.

  --serial TRANSPORT    the serial line: ${TRANSPORT_HELP}
                        (tcp:/unix: keep retrying until the peer is there; a tty is set raw)
${MUX_FLAGS_HELP}
                        (with --baud, also what stty sets on a tty device)
  --scrollback BYTES    console bytes replayed to each new console client (default 65536)
  -h, --help            this text

Prints "serial: ADDRESS", "gdb: HOST:PORT" and "console: HOST:PORT", then runs until
SIGINT or SIGTERM.`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, { ...muxFlagSpec, serial: { type: "string" }, scrollback: { type: "string" } }, help);
  if (parsed === null) return 0;
  const { values } = parsed;
  if (values.serial === undefined) throw new TypeError(`Cannot start the splitter: --serial is required (${TRANSPORT_HELP})`);
  const flags = readMuxFlags(values);
  const scrollback = values.scrollback === undefined ? undefined : Number(values.scrollback);
  if (scrollback !== undefined && !(Number.isInteger(scrollback) && scrollback >= 0)) {
    throw new RangeError(`Cannot use --scrollback "${values.scrollback}": expected a byte count`);
  }

  const line = await openSerialTransport(values.serial, { baud: flags.baud });
  let mux: MuxServer;
  try {
    mux = await MuxServer.start({
      line,
      host: flags.host,
      gdbPort: flags.gdbPort,
      consolePort: flags.consolePort,
      ...(scrollback === undefined ? {} : { scrollbackBytes: scrollback }),
    });
  } catch (err) {
    await line.close();
    throw err;
  }
  // Listen for the stop signal before saying we are up: a caller may stop us as soon as it
  // reads these lines.
  const stopSignal = untilStopSignal();
  console.log(`serial: ${line.address} (${line.baud === 0 ? "unpaced" : `${line.baud} baud`})`);
  console.log(`gdb: ${mux.host}:${mux.gdbPort}`);
  console.log(`console: ${mux.host}:${mux.consolePort}`);
  const sig = await stopSignal;
  log("%s: stopping; stats %o; line %o", sig, mux.stats, line.stats);
  await mux.close();
  console.error(stopSummary(mux.stats, line.stats));
  await line.close();
  return 0;
}
