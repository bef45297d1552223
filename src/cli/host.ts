// `minix-on-xen host`: the testing computer alone. Its serial line is a transport served to (or
// by) a splitter in another process (`minix-on-xen mux`), as the report's two machines were
// joined by a null-modem cable.
import createDebug from "debug";
import { openSerialTransport, TRANSPORT_HELP } from "../emu/serial/index.js";
import { parseCommandArgs } from "./args.js";
import { HOST_FLAGS_HELP, hostFlagSpec, readHostFlags } from "./host-flags.js";
import { untilStopSignal } from "./mux-flags.js";
import { startTestingComputer } from "../xen/tools/testing-computer.js";

const log = createDebug("xen:machine");

const help = `Usage: minix-on-xen host --serial TRANSPORT [options]

Runs the testing computer alone: Xen with the domains of its configs, its serial console on
TRANSPORT (for a splitter in another process: minix-on-xen mux --serial ...).

  --serial TRANSPORT    the serial line: ${TRANSPORT_HELP}
  --no-wait             boot at once, without waiting for the other end of the line
                        (what Xen prints before the splitter is there is lost, as on a real cable)
  --baud RATE           pace the serial line at RATE bit/s, 8N1 (default 0 = unpaced)
${HOST_FLAGS_HELP}
  -h, --help            this text

Prints "serial: ADDRESS", waits for the splitter on the line, boots, prints "control: PATH",
then runs until SIGINT or SIGTERM.
Manage domains with: minix-on-xen xm --control PATH list|create|console|...`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, { ...hostFlagSpec, serial: { type: "string" }, baud: { type: "string" }, "no-wait": { type: "boolean" } }, help);
  if (parsed === null) return 0;
  const { values } = parsed;
  if (values.serial === undefined) throw new TypeError(`Cannot start the host: --serial is required (${TRANSPORT_HELP})`);
  const flags = readHostFlags(values);
  const baudText = values.baud ?? "0";
  if (!/^\d+$/.test(baudText)) throw new RangeError(`Cannot use --baud "${baudText}": expected an integer bit rate`);
  const baud = Number(baudText);
  const line = await openSerialTransport(values.serial, { baud });
  console.log(`serial: ${line.address} (${line.baud === 0 ? "unpaced" : `${line.baud} baud`})`);
  if (values["no-wait"] !== true && !line.peerPresent) {
    console.error("Waiting for the other end of the serial line (minix-on-xen mux --serial ...)");
    await new Promise<void>((res) => {
      const off = line.onPeerChange((present) => {
        if (!present) return;
        off();
        res();
      });
    });
  }
  let computer;
  try {
    computer = await startTestingComputer(line, {
      baud,
      configs: flags.configs,
      memoryMiB: flags.memoryMiB,
      timeMode: flags.timeMode,
      controlPath: flags.controlPath,
      inputScript: flags.inputScript,
    });
  } catch (err) {
    await line.close();
    throw err;
  }
  // Listen for the stop signal before saying we are up, so a caller that stops us as soon as
  // it reads the line does not kill us before the handler exists.
  const stopSignal = untilStopSignal();
  console.log(`control: ${computer.controlPath}`);
  const sig = await stopSignal;
  log("%s: stopping", sig);
  await computer.stop();
  await line.close();
  return 0;
}
