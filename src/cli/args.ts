// Shared helpers for subcommands: parse flags with util.parseArgs and print --help.
import { parseArgs, type ParseArgsConfig } from "node:util";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses argv against `options` (plus --help). Returns null after printing help, so the
 * caller returns 0. Unknown flags throw a TypeError naming the flag.
 */
export function parseCommandArgs<O extends OptionSpec>(
  argv: string[],
  options: O,
  help: string,
  allowPositionals = false,
) {
  const parsed = parseArgs({
    args: argv,
    options: { ...options, help: { type: "boolean", short: "h" } },
    allowPositionals,
    strict: true,
  });
  if ((parsed.values as Record<string, unknown>).help === true) {
    console.log(help);
    return null;
  }
  return parsed;
}
