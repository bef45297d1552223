// The table of subcommands. Modules load lazily so `minix-on-xen mux` does not pay for the CPU.
export interface CommandModule {
  /** Runs the command with its own arguments; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

export interface Command {
  summary: string;
  load(): Promise<CommandModule>;
}

export const commands: Record<string, Command> = {
  run: { summary: "run both computers in one process: splitter on :4444 (gdb) and :4445 (console)", load: () => import("./run.js") },
  mux: { summary: "run the serial splitter alone against a line served by another process", load: () => import("./mux.js") },
  console: { summary: "attach this terminal (raw) to the console port", load: () => import("./console.js") },
  host: { summary: "run the testing computer alone, its serial line on a socket or tty", load: () => import("./host.js") },
  xm: { summary: "manage domains on a running host (create, list, console, ...)", load: () => import("./xm.js") },
  mkimage: { summary: "pack MINIX programs into a boot image", load: () => import("./mkimage.js") },
};
