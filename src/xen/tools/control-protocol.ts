// The local control protocol between `minix-on-xen xm` and a running host (the part of Xen
// 2.0's xend HTTP interface we need): one request per connection over a Unix socket, one JSON
// object per line each way. After a successful `console` reply the connection carries the
// domain's console as raw bytes in both directions, as Xen 2.0's per-domain console port did.
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DomainInfo } from "./xend.js";

export type ControlRequest =
  | { op: "create"; config: string; overrides: string[] }
  | { op: "list" }
  | { op: "destroy" | "pause" | "unpause"; domain: string }
  | { op: "shutdown"; domain: string; reason: "poweroff" | "reboot" }
  | { op: "console"; domain: string }
  | { op: "dmesg" };

export type ControlReply =
  | { ok: true; domains?: DomainInfo[]; domain?: DomainInfo; text?: string }
  | { ok: false; error: string };

/** Where a host listens unless told otherwise: $MINIX_ON_XEN_CONTROL or one path per user in the temp dir. */
export function defaultControlPath(): string {
  const env = process.env.MINIX_ON_XEN_CONTROL;
  if (env !== undefined && env !== "") return env;
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  return join(tmpdir(), `minix-on-xen-${uid}.sock`);
}

const DOMAIN_OPS = new Set(["destroy", "pause", "unpause", "shutdown", "console"]);

/** Checks one request line from a client; throws TypeError naming what is wrong. */
export function parseControlRequest(line: string): ControlRequest {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new TypeError(`Cannot read control request: not JSON: ${JSON.stringify(line.slice(0, 80))}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new TypeError("Cannot read control request: not a JSON object");
  const o = v as Record<string, unknown>;
  const op = o.op;
  if (op === "list" || op === "dmesg") return { op };
  if (op === "create") {
    if (typeof o.config !== "string" || o.config === "") throw new TypeError("Cannot read control request: create needs a config path");
    const overrides = o.overrides ?? [];
    if (!Array.isArray(overrides) || !overrides.every((x) => typeof x === "string")) {
      throw new TypeError("Cannot read control request: overrides must be a list of strings");
    }
    return { op, config: o.config, overrides: overrides as string[] };
  }
  if (typeof op === "string" && DOMAIN_OPS.has(op)) {
    const d = o.domain;
    if (typeof d !== "string" && typeof d !== "number") throw new TypeError(`Cannot read control request: ${op} needs a domain id or name`);
    const domain = String(d);
    if (op === "shutdown") {
      const reason = o.reason ?? "poweroff";
      if (reason !== "poweroff" && reason !== "reboot") throw new TypeError(`Cannot read control request: shutdown reason "${String(reason)}"`);
      return { op, domain, reason };
    }
    return { op: op as "destroy" | "pause" | "unpause" | "console", domain };
  }
  throw new TypeError(`Cannot read control request: unknown op ${JSON.stringify(op)}`);
}

/** Checks a reply line from the host. */
export function parseControlReply(line: string): ControlReply {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new TypeError(`Cannot read reply from host: not JSON: ${JSON.stringify(line.slice(0, 80))}`);
  }
  if (typeof v !== "object" || v === null || typeof (v as { ok?: unknown }).ok !== "boolean") {
    throw new TypeError("Cannot read reply from host: no ok field");
  }
  const r = v as ControlReply;
  if (!r.ok && typeof r.error !== "string") throw new TypeError("Cannot read reply from host: error without a message");
  return r;
}

/** Xen 2.0's five-letter state column: running, blocked, paused, shutdown, crashed. */
function stateFlags(state: string): string {
  const on = (letter: string, when: boolean) => (when ? letter : "-");
  return (
    on("r", state === "runnable" || state === "running") +
    on("b", state === "blocked") +
    on("p", state === "paused") +
    on("s", state === "shutdown" || state === "dying") +
    on("c", state === "crashed")
  );
}

/** Formats rows the way Xen 2.0's `xm list` printed them; `long` adds the builder and kernel. */
export function formatDomainList(domains: DomainInfo[], long = false): string {
  const row = (name: string, id: string, mem: string, state: string, time: string, extra: string) =>
    `${name.padEnd(16)} ${id.padStart(3)}  ${mem.padStart(7)}  ${"0".padStart(3)}  ${state}  ${time.padStart(7)}${long ? `  ${extra}` : ""}`;
  return [
    `Name              Id  Mem(MB)  CPU  State  Time(s)${long ? "  Builder Kernel" : ""}`,
    row("Domain-0", "0", "0", "r----", "0.0", "native dom0"),
    ...domains.map((d) => row(d.name, String(d.id), String(d.memoryMiB), stateFlags(d.state), d.cpuSeconds.toFixed(1), `${d.builder.padEnd(7)} ${d.kernel}`)),
  ].join("\n");
}

/** Buffer.concat for two chunks; the cast is because @types/node 20.9's Buffer is not a TS 5.9 Uint8Array. */
export function appendBuffer(a: Buffer, b: Buffer): Buffer {
  return Buffer.concat([a, b] as unknown as Uint8Array[]);
}
