// The testing computer, assembled: the Xen host, its serial console on a UART attached to the
// serial line (the GDB stub on the line's bit-7 half), xend with its xm control socket, and the
// domains of the boot config files (as the report's setup ran `xm create` once Xen was up).
// Used by `minix-on-xen run` (line from an in-process pair) and `host` (line from a socket).
import debug from "debug";
import type { SerialLineEnd } from "../../emu/serial/index.js";
import { Uart } from "../../emu/uart.js";
import { readFileSync } from "node:fs";
import { SerialConsole } from "../console.js";
import { ConsoleScript, parseConsoleScript } from "../console-script.js";
import { CpuPort } from "../cpu-port.js";
import { XenHost } from "../host.js";
import { XenDebugTarget } from "../debug-target.js";
import { GdbSession, type MonitorCommand } from "../../gdbstub/index.js";
import type { TimeMode } from "../time.js";
import { readConfigFile } from "./config.js";
import { startControlServer, type ControlServer } from "./control-server.js";
import { Xend } from "./xend.js";

const log = debug("xen:machine");

export interface TestingComputerOptions {
  /** The line's 8N1 rate (0 = unpaced), for the boot log. */
  baud: number;
  /** Config files whose domains are created at boot, in order. @default none */
  configs?: string[];
  /** Machine memory in MiB. @default 64 */
  memoryMiB?: number;
  timeMode?: TimeMode;
  /** The xm control socket; null runs without one. @default null */
  controlPath?: string | null;
  /** When the control socket cannot be had (another host holds it), run without it instead of failing. */
  controlOptional?: boolean;
  /** A console input script (expect/send lines) typed as the console prints what it waits for. */
  inputScript?: string;
  /** Puts a CPU into the host. @default the emulated i386 through Xen's CPU port */
  attachCpu?: (host: XenHost) => void;
}

export interface TestingComputer {
  readonly host: XenHost;
  /** The GDB stub serving the debug half of the serial line (bytes with bit 7 set). */
  readonly gdb: GdbSession;
  readonly xend: Xend;
  readonly console: SerialConsole;
  readonly uart: Uart;
  /** Where xm reaches this host, or null. */
  readonly controlPath: string | null;
  /** Stops the machine, the control socket and detaches from the line (the line stays open). */
  stop(): Promise<void>;
}

/** Builds the testing computer on `line`, creates the boot domains and starts running. */
export async function startTestingComputer(line: SerialLineEnd, options: TestingComputerOptions): Promise<TestingComputer> {
  const uart = new Uart(line);
  const console = new SerialConsole((bytes) => uart.writeOwned(bytes));
  if (options.inputScript !== undefined) {
    const path = options.inputScript;
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw new Error(`Cannot read input script "${path}": ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`);
    }
    console.setScript(new ConsoleScript(parseConsoleScript(text, path)));
  }
  const host = new XenHost({ memoryMiB: options.memoryMiB ?? 64, timeMode: options.timeMode ?? "interactive", console });
  host.xenLog(`Serial console on ${line.description}${options.baud > 0 ? ` at ${options.baud} baud` : ""}; bit 7 set = debugger`);
  (options.attachCpu ?? ((h: XenHost) => h.attachCpu(new CpuPort(h.core))))(host);
  if (host.cpu === null) host.xenLog("No CPU attached: domains are built but do not run");
  const xend = new Xend(host, console);
  // The pervasive debugger on the "com1H" half of the line, as Xen 2.0's pdb was: it outlives
  // debuggers (a gdb leaving is invisible on a serial line), so the first packet attaches.
  const gdb = new GdbSession({
    target: new XenDebugTarget(host, [consoleMonitorCommand(xend)]),
    lossless: line.lossless,
    ...(line.baud > 0 ? { lineBytesPerSecond: line.baud / 10 } : {}),
    reattach: true,
    write: (bytes) => console.debugTransmit(bytes),
  });
  console.setDebugEndpoint((bytes) => gdb.receive(bytes));
  uart.onReceive((chunk) => {
    console.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    // A host the debugger holds has nothing to run (resuming it kicks it): every gdb packet
    // would otherwise wake the run loop for nothing.
    if (!host.isStopped) host.kick();
  });
  let control: ControlServer | null = null;
  if (options.controlPath !== undefined && options.controlPath !== null) {
    try {
      control = await startControlServer(xend, options.controlPath);
      host.xenLog(`xm control socket: ${control.path}`);
    } catch (err) {
      if (options.controlOptional !== true) throw err;
      host.xenLog(`${(err as Error).message}; running without xm control`);
    }
  }
  for (const cfg of options.configs ?? []) {
    try {
      xend.create(readConfigFile(cfg));
    } catch (err) {
      // A bad boot config must not take the host down: say so on the console, xm can retry.
      const msg = err instanceof Error ? err.message : String(err);
      host.xenLog(msg);
      log("boot domain from %s failed: %O", cfg, err);
    }
  }
  host.start();
  return {
    host,
    gdb,
    xend,
    console,
    uart,
    controlPath: control?.path ?? null,
    stop: async () => {
      host.stop();
      uart.detach();
      await control?.close();
    },
  };
}

/** `monitor console [DOM]`: the tail of a domain's console output, from xend's history. */
function consoleMonitorCommand(xend: Xend): MonitorCommand {
  return {
    name: "console",
    usage: "[DOM] [BYTES]",
    summary: "recent console output of a domain (default: the selected one, last 2048 bytes)",
    run: (args, ctx) => {
      const dom = args[0] ?? (ctx.vcpu === null ? undefined : String(ctx.vcpu.domain));
      if (dom === undefined) throw new RangeError("Cannot show a console: no domain selected or named");
      const limit = args[1] === undefined ? 2048 : Number(args[1]);
      if (!Number.isInteger(limit) || limit <= 0) throw new RangeError(`Cannot show a console: byte count "${args[1]}" is not a positive integer`);
      const history = xend.recentConsole(/^\d+$/.test(dom) ? Number(dom) : dom);
      // Plain 7-bit text for the serial line: CRs dropped, other controls and high bytes as '.'.
      let text = "";
      for (const b of history.subarray(Math.max(0, history.length - limit))) {
        if (b === 0x0d) continue;
        text += b === 0x0a || b === 0x09 || (b >= 0x20 && b < 0x7f) ? String.fromCharCode(b) : ".";
      }
      return text;
    },
  };
}
