// Flags shared by `run` and `mux`: where the splitter listens and how fast the line goes.
// Values arrive as strings from util.parseArgs and are checked here with one error grammar.
import type { SerialLineStats } from "../emu/serial/index.js";
import type { MuxStats } from "../serial-mux/index.js";
import type { OptionSpec } from "./args.js";

export const muxFlagSpec = {
  "gdb-port": { type: "string" },
  "console-port": { type: "string" },
  listen: { type: "string" },
  baud: { type: "string" },
} as const satisfies OptionSpec;

export const MUX_FLAGS_HELP = `  --gdb-port PORT       debugger port (default 4444; 0 = any free port)
  --console-port PORT   console port (default 4445; 0 = any free port)
  --listen ADDR         address both ports bind (default 127.0.0.1)
  --baud RATE           pace the serial line at RATE bit/s, 8N1 (default 0 = unpaced)`;

export interface MuxFlags {
  gdbPort: number;
  consolePort: number;
  host: string;
  baud: number;
}

function integerFlag(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) > max) {
    throw new RangeError(`Cannot use --${name} "${text}": expected an integer from 0 to ${max}`);
  }
  return Number(text);
}

export function readMuxFlags(values: { [K in keyof typeof muxFlagSpec]?: string }): MuxFlags {
  return {
    gdbPort: integerFlag("gdb-port", values["gdb-port"], 4444, 65535),
    consolePort: integerFlag("console-port", values["console-port"], 4445, 65535),
    host: values.listen ?? "127.0.0.1",
    baud: integerFlag("baud", values.baud, 0, 100_000_000),
  };
}

/** Resolves on the first SIGINT or SIGTERM (the normal way to stop a long-running command). */
export function untilStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (sig: string) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(sig);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** One line on stderr when run or mux stops: what crossed the splitter and what was lost. */
export function stopSummary(mux: MuxStats, line: SerialLineStats): string {
  return (
    `mux: console ${mux.consoleFromLine} B out, ${mux.consoleToLine} B in, ${mux.consoleMissed} B skipped for slow clients, ` +
    `${mux.consoleHighDropped} high byte(s) dropped; debugger ${mux.debugFromLine} B out (${mux.debugDiscarded} with nobody connected), ` +
    `${mux.debugToLine} B in, ${mux.debuggersRefused} refused; line ${line.txDiscarded} B sent to nobody, ${line.txOverrun} B overrun`
  );
}
