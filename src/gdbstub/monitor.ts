// `monitor` commands (qRcmd): one table whose `help` lists every command. The stub owns
// `help` and `mem` (the address space m/M use on this connection); every other command's body
// comes from the debug target (gdb-rsp.md section 7).
import { asciiText } from "./hex.js";
import type { AddressSpace, DebugTarget, MonitorCommand, MonitorContext } from "./target.js";

const SPACES: Record<string, AddressSpace> = { virt: "virtual", phys: "physical", machine: "machine" };

export interface MonitorSession {
  readonly target: DebugTarget;
  space: AddressSpace;
  /** Show eip/esp/ebp as linear addresses (segment base added). */
  linearView: boolean;
  monitorContext(): MonitorContext;
}

function stubCommands(session: MonitorSession, all: () => MonitorCommand[]): MonitorCommand[] {
  return [
    {
      name: "help",
      usage: "",
      summary: "list the monitor commands",
      run: () =>
        all()
          .map((c) => `${`${c.name} ${c.usage}`.trim().padEnd(24)} ${c.summary}`)
          .join("\n") + "\n",
    },
    {
      name: "mem",
      usage: "[virt|phys|machine]",
      summary: "show or set the address space of memory reads and writes",
      run: (args) => {
        if (args.length > 1) throw new RangeError("Cannot set memory mode: expected one of virt, phys, machine");
        if (args.length === 1) {
          const space = SPACES[args[0]];
          if (space === undefined) {
            throw new RangeError(`Cannot set memory mode "${args[0]}": expected one of virt, phys, machine`);
          }
          session.space = space;
        }
        return `memory mode: ${session.space}\n`;
      },
    },
    {
      name: "linear",
      usage: "[on|off]",
      summary: "show eip/esp/ebp as linear addresses (CS/SS base added; default on)",
      run: (args) => {
        if (args.length > 1 || (args.length === 1 && args[0] !== "on" && args[0] !== "off")) {
          throw new RangeError(`Cannot set linear view "${args.join(" ")}": expected on or off`);
        }
        if (args.length === 1) session.linearView = args[0] === "on";
        return `linear view: ${session.linearView ? "on" : "off"}\n`;
      },
    },
  ];
}

/** Runs one monitor command line; returns its output (errors become a line of output). */
export function runMonitorCommand(session: MonitorSession, line: string): string {
  const all = (): MonitorCommand[] => {
    const own = stubCommands(session, all);
    const ownNames = new Set(own.map((c) => c.name));
    return [...own, ...session.target.monitorCommands().filter((c) => !ownNames.has(c.name))];
  };
  const words = line.trim().split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return runMonitorCommand(session, "help");
  const [name, ...args] = words;
  const command = all().find((c) => c.name === name);
  if (command === undefined) {
    return `Cannot run monitor command "${asciiText(name)}": unknown command (try "monitor help")\n`;
  }
  try {
    const out = command.run(args, session.monitorContext());
    return out.endsWith("\n") || out.length === 0 ? out : `${out}\n`;
  } catch (err) {
    return `${err instanceof Error ? err.message : String(err)}\n`;
  }
}
