// Boots a Xen-format ELF test guest the way xend's `create` does, through the dom0 tools' real
// 'linux' builder (src/xen/tools/elf-builder.ts): make the domain, bind its control channel,
// build, load the result into the hypervisor. The domain is left paused: each test unpauses it
// and talks to it through its own test controller (control-ring.ts).
import { readFileSync } from "node:fs";
import type { Domain } from "../../src/xen/domain.js";
import type { XenHost } from "../../src/xen/host.js";
import { buildConfiguredDomain } from "../../src/xen/tools/build-domain.js";
import { elfBuilder } from "../../src/xen/tools/elf-builder.js";
import { parseConfig } from "../../src/xen/tools/config.js";

export interface LoadedGuest {
  d: Domain;
  dom0Port: number;
  guestPort: number;
  startInfoVa: number;
  /** VA of the bootstrap page directory (start_info.pt_base). */
  ptBaseVa: number;
}

/** A config-file string literal holding `s` exactly. */
const quoted = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;

export function loadElfGuest(host: XenHost, path: string, opts: { name: string; memoryMiB: number; cmdline?: string }): LoadedGuest {
  const config = parseConfig(
    [`kernel = ${quoted(path)}`, `name = ${quoted(opts.name)}`, `memory = ${opts.memoryMiB}`, `cmdline = ${quoted(opts.cmdline ?? "")}`].join("\n"),
    "<inline>",
  );
  const kernel = new Uint8Array(readFileSync(config.kernel));
  const d = host.createDomain({ name: config.name, memoryMiB: config.memoryMiB });
  const { dom0Port, guestPort, result } = buildConfiguredDomain(host, d, elfBuilder, { config, kernel, ramdisk: undefined });
  return { d, dom0Port, guestPort, startInfoVa: result.layout.startInfoVa, ptBaseVa: result.layout.pageTablesStartVa };
}
