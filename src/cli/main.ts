#!/usr/bin/env node
// minix-on-xen command line: one entry point, one module per subcommand.
// Each subcommand module exports `run(argv): Promise<number>` and parses its own flags with
// node's util.parseArgs; this file only dispatches and turns errors into one line.
import { commands } from "./commands.js";

const usage = `Usage: minix-on-xen <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join("\n")}

Run 'minix-on-xen <command> --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    console.error(`Cannot run command "${name}": unknown command\n\n${usage}`);
    return 2;
  }
  const mod = await command.load();
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (process.env.DEBUG) console.error(err);
    else console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
