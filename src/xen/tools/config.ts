// Xen 2.0 domain config files (the files `xm create` reads), turned into a checked
// DomainConfig. Settings and defaults follow Xen 2.0's xm create (builder 'linux', memory
// 128 MiB, nics 1); paths are relative to the config file. The syntax is in config-syntax.ts.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { ConfigError, parseAssignments, type ConfigAssignment, type ConfigValue } from "./config-syntax.js";

export { ConfigError } from "./config-syntax.js";
export type { ConfigValue } from "./config-syntax.js";

/** A virtual block device from a `disk = [...]` entry such as 'file:minix.img,hda1,w'. */
export interface DiskSpec {
  /** 'phy' names a host device, 'file' a disk-image file (resolved against the config's folder). */
  kind: "phy" | "file";
  /** The host device or the absolute image path. */
  target: string;
  /** The device name the guest sees (hda1, sda1, ...). */
  vdev: string;
  /** 'r' read-only, 'w' writable. */
  mode: "r" | "w";
}

/** A domain as a config file describes it. */
export interface DomainConfig {
  /** The config file (absolute), or "<inline>" for text not read from a file. */
  file: string;
  /** Kernel image, absolute. */
  kernel: string;
  /** Initial ramdisk/module, absolute, if any. */
  ramdisk: string | undefined;
  /** Builder name: which registered domain builder lays out the kernel. @default "linux" */
  builder: string;
  /** Memory in MiB. @default 128 */
  memoryMiB: number;
  /** Domain name, unique among running domains. @default the config file's base name */
  name: string;
  /** Number of network interfaces. @default 1 */
  nics: number;
  /** The kernel command line: `cmdline` if set, else "root=<root>" and `extra` joined by a space. */
  cmdline: string;
  /** The `extra` setting alone (the MINIX builder reads boot parameters from it). */
  extra: string;
  disks: DiskSpec[];
  /** What xend does when the domain stops: restart it 'always', only 'onreboot' (the default) or 'never'. */
  restart: RestartPolicy;
  /** Settings Xen 2.0 accepts that this emulator reads but does not use (vif, ip, restart...). */
  ignored: Record<string, ConfigValue>;
  /** The line each setting was read from (0: a command-line override), for later errors. */
  lines: Readonly<Record<string, number>>;
}

/** " (FILE line N)" naming where `key` was set, or "" when it was not read from a file. */
export function configPlace(config: DomainConfig, key: string): string {
  if (config.file === "<inline>") return "";
  const line = config.lines[key];
  return line === undefined || line === 0 ? ` (${config.file})` : ` (${config.file} line ${line})`;
}

type Kind = "string" | "int" | "strings";

export type RestartPolicy = "always" | "onreboot" | "never";
const RESTART_POLICIES: readonly string[] = ["always", "onreboot", "never"];

/** Settings we use, with what their values must be. */
const SETTINGS: Record<string, { kind: Kind; expected: string }> = {
  kernel: { kind: "string", expected: "a quoted path to the kernel image" },
  ramdisk: { kind: "string", expected: "a quoted path to the ramdisk" },
  builder: { kind: "string", expected: "a quoted builder name such as 'linux'" },
  memory: { kind: "int", expected: "a number of MiB" },
  name: { kind: "string", expected: "a quoted domain name" },
  nics: { kind: "int", expected: "a number of network interfaces" },
  extra: { kind: "string", expected: "a quoted string" },
  cmdline: { kind: "string", expected: "a quoted kernel command line" },
  root: { kind: "string", expected: "a quoted root device such as '/dev/hda1 ro'" },
  disk: { kind: "strings", expected: "a list of quoted 'phy:dev,vdev,mode' or 'file:path,vdev,mode'" },
  restart: { kind: "string", expected: "'always', 'onreboot' or 'never'" },
};

/** Settings of Xen 2.0's xm create that we accept and ignore. */
const IGNORED = new Set([
  "vif", "ip", "netmask", "gateway", "hostname", "dhcp", "nfs_server", "nfs_root",
  "cpu", "console", "netif", "blkif", "vnet",
]);

export const DEFAULT_BUILDER = "linux";
export const DEFAULT_MEMORY_MIB = 128;
export const DEFAULT_NICS = 1;

/**
 * Parses config text. `file` names it in errors and anchors relative paths; `overrides` are
 * `key=value` strings (as after `xm create file`) applied after the file, in the file's syntax.
 */
export function parseConfig(text: string, file: string, overrides: string[] = []): DomainConfig {
  const expected = (key: string) => SETTINGS[key]?.expected;
  const assignments = parseAssignments(text, file, expected);
  for (const o of overrides) {
    let parsed: ConfigAssignment[];
    try {
      parsed = parseAssignments(o, file, expected);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      // As xm did, NAME=VALUE on the command line may leave a string setting unquoted.
      const eq = o.indexOf("=");
      const key = o.slice(0, eq).trim();
      if (eq > 0 && SETTINGS[key]?.kind === "string") parsed = [{ key, value: o.slice(eq + 1), line: 0, raw: o.slice(eq + 1) }];
      else throw new ConfigError(file, 0, `override "${o}": ${err.problem}`, err.value);
    }
    for (const a of parsed) assignments.push({ ...a, line: 0 });
  }
  const base = file === "<inline>" ? process.cwd() : dirname(resolve(file));
  const got = new Map<string, ConfigAssignment>();
  const ignored: Record<string, ConfigValue> = {};
  for (const a of assignments) {
    const where = a.line;
    if (IGNORED.has(a.key)) {
      ignored[a.key] = a.value;
      continue;
    }
    const spec = SETTINGS[a.key];
    if (spec === undefined) {
      throw new ConfigError(file, where, `unknown setting "${a.key}" (known: ${[...Object.keys(SETTINGS)].join(", ")})`, a.key);
    }
    checkKind(file, a, spec.kind, spec.expected);
    got.set(a.key, a);
  }

  const str = (k: string): string | undefined => got.get(k)?.value as string | undefined;
  const int = (k: string, dflt: number, min: number): number => {
    const a = got.get(k);
    if (a === undefined) return dflt;
    const n = a.value as number;
    if (!Number.isSafeInteger(n) || n < min) {
      throw new ConfigError(file, lineOf(a), `${k} is ${a.raw}, expected ${SETTINGS[k].expected} of at least ${min}`, a.raw);
    }
    return n;
  };
  const path = (k: string): string | undefined => {
    const p = str(k);
    if (p === undefined) return undefined;
    if (p === "") throw new ConfigError(file, lineOf(got.get(k)!), `${k} is an empty path`, p);
    return isAbsolute(p) ? p : resolve(base, p);
  };

  const kernel = path("kernel");
  if (kernel === undefined) throw new ConfigError(file, 0, "kernel is not set, expected kernel = 'path/to/image'");
  const nameSetting = str("name");
  const name = nameSetting ?? defaultName(file);
  if (name === "" || /\s/.test(name)) {
    throw new ConfigError(file, got.has("name") ? lineOf(got.get("name")!) : 0, `name is "${name}", expected a name without spaces`, name);
  }
  const builder = str("builder") ?? DEFAULT_BUILDER;
  if (builder === "") throw new ConfigError(file, lineOf(got.get("builder")!), "builder is empty", builder);
  const extra = str("extra") ?? "";
  const root = str("root");
  const cmdline = str("cmdline") ?? [root === undefined ? "" : `root=${root}`, extra].filter((s) => s !== "").join(" ");
  const restart = str("restart") ?? "onreboot";
  if (!RESTART_POLICIES.includes(restart)) {
    throw new ConfigError(file, lineOf(got.get("restart")!), `restart is "${restart}", expected ${SETTINGS.restart.expected}`, restart);
  }
  const diskAssignment = got.get("disk");
  const disks = diskAssignment === undefined ? [] : (diskAssignment.value as string[]).map((d) => parseDisk(file, diskAssignment, d, base));

  return {
    file: file === "<inline>" ? file : resolve(file),
    kernel,
    ramdisk: path("ramdisk"),
    builder,
    memoryMiB: int("memory", DEFAULT_MEMORY_MIB, 1),
    name,
    nics: int("nics", DEFAULT_NICS, 0),
    cmdline,
    extra,
    disks,
    restart: restart as RestartPolicy,
    ignored,
    lines: Object.fromEntries([...got].map(([k, a]) => [k, a.line])),
  };
}

/** Reads and parses a config file; errors name the path as given. */
export function readConfigFile(path: string, overrides: string[] = []): DomainConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
    throw new ConfigError(path, 0, why);
  }
  return parseConfig(text, path, overrides);
}

function lineOf(a: ConfigAssignment): number {
  return a.line;
}

function checkKind(file: string, a: ConfigAssignment, kind: Kind, expected: string): void {
  const ok =
    kind === "string" ? typeof a.value === "string"
    : kind === "int" ? typeof a.value === "number"
    : Array.isArray(a.value) && a.value.every((v) => typeof v === "string");
  if (!ok) throw new ConfigError(file, lineOf(a), `${a.key} is ${a.raw}, expected ${expected}`, a.raw);
}

function defaultName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.[^.]*$/, "") || "domain";
}

function parseDisk(file: string, a: ConfigAssignment, entry: string, base: string): DiskSpec {
  const fail = (why: string): never => {
    throw new ConfigError(file, lineOf(a), `disk entry "${entry}" ${why}, expected 'phy:dev,vdev,mode' or 'file:path,vdev,mode'`, entry);
  };
  const parts = entry.split(",").map((s) => s.trim());
  if (parts.length !== 3) fail(`has ${parts.length} parts`);
  const [where, vdev, mode] = parts;
  const colon = where.indexOf(":");
  if (colon < 0) fail("has no 'phy:' or 'file:' prefix");
  const kind = where.slice(0, colon);
  let target = where.slice(colon + 1);
  if (kind !== "phy" && kind !== "file") fail(`has kind "${kind}"`);
  if (target === "") fail("names no device or file");
  if (vdev === "") fail("names no guest device");
  if (mode !== "r" && mode !== "w") fail(`has mode "${mode}"`);
  if (kind === "file" && !isAbsolute(target)) target = resolve(base, target);
  return { kind: kind as DiskSpec["kind"], target, vdev, mode: mode as DiskSpec["mode"] };
}
