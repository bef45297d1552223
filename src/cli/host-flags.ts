// Flags of the testing computer, shared by `minix-on-xen host` (alone) and `run` (with the
// splitter in the same process): which config to boot, machine memory, time mode, xm socket.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultControlPath } from "../xen/tools/control-protocol.js";
import type { OptionSpec } from "./args.js";

export const TIME_MODES = ["interactive", "deterministic", "realtime"] as const;
export type TimeMode = (typeof TIME_MODES)[number];

/** The config `run` and `host` boot when given none: MINIX (configs/hello.cfg boots the Xen test guest). */
export const DEFAULT_BOOT_CONFIG = "configs/minix.cfg";

/** The repository root (where package.json is), found from this module in src/ or dist/src/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
export const DEFAULT_MACHINE_MEMORY_MIB = 64;

export const hostFlagSpec = {
  config: { type: "string", multiple: true },
  "no-domain": { type: "boolean" },
  memory: { type: "string" },
  time: { type: "string" },
  control: { type: "string" },
  "input-script": { type: "string" },
} satisfies OptionSpec;

export const HOST_FLAGS_HELP = `Testing computer:
  --config FILE         domain config to create at boot (repeatable; default ${DEFAULT_BOOT_CONFIG})
  --no-domain           boot Xen with no domain (create them with xm create)
  --memory MiB          machine memory (default ${DEFAULT_MACHINE_MEMORY_MIB})
  --time MODE           interactive (default), deterministic or realtime
  --control PATH        xm control socket (default $MINIX_ON_XEN_CONTROL or ${defaultControlPath()})
  --input-script FILE   type console input as output appears: lines "expect TEXT" / "send TEXT"
                        (\\r \\n \\xHH escapes); with --time deterministic, runs replay byte for byte`;

export interface HostFlags {
  configs: string[];
  memoryMiB: number;
  timeMode: TimeMode;
  controlPath: string;
  inputScript: string | undefined;
}

/** Checks the values parsed with hostFlagSpec; bad values throw a TypeError naming the flag. */
export function readHostFlags(values: {
  config?: string[];
  "no-domain"?: boolean;
  memory?: string;
  time?: string;
  control?: string;
  "input-script"?: string;
}): HostFlags {
  const memText = values.memory ?? String(DEFAULT_MACHINE_MEMORY_MIB);
  // The hypervisor checks the range it supports; here only the form.
  if (!/^\d+$/.test(memText) || Number(memText) < 1) {
    throw new TypeError(`Cannot use --memory "${memText}": expected a positive number of MiB`);
  }
  const time = values.time ?? "interactive";
  if (!(TIME_MODES as readonly string[]).includes(time)) {
    throw new TypeError(`Cannot use --time "${time}": expected ${TIME_MODES.join(", ")}`);
  }
  if (values["no-domain"] === true && values.config !== undefined) {
    throw new TypeError("Cannot use --no-domain with --config: choose one");
  }
  return {
    configs: values["no-domain"] === true ? [] : (values.config ?? [join(packageRoot(), DEFAULT_BOOT_CONFIG)]),
    memoryMiB: Number(memText),
    timeMode: time as TimeMode,
    controlPath: values.control ?? defaultControlPath(),
    inputScript: values["input-script"],
  };
}
