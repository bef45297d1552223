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
  xm: { summary: "manage domains on a running host (create, list, console, ...)", load: () => import("./xm.js") },
};
