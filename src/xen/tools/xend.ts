// xend: dom0's domain lifecycle, native. `create` follows Xen 2.0's xend (xen2-abi.md §5.5):
// make the domain and its memory, bind the control event channel, run the builder named by the
// config, start the domain controller on the control rings, then unpause. It also keeps each
// domain's recent console output for `xm console`, as xend's console server buffered it.
import debug from "debug";
import { readFileSync } from "node:fs";
import {
  CMSG_BLKIF_FE,
  CMSG_SHUTDOWN_POWEROFF,
  DOMID_SELF,
  PGT_writable_page,
  CMSG_SHUTDOWN_REBOOT,
  SHUTDOWN_crash,
  SHUTDOWN_poweroff,
  SHUTDOWN_reboot,
  SHUTDOWN_suspend,
} from "../abi.js";
import type { SerialConsole } from "../console.js";
import type { Domain } from "../domain.js";
import { closePort } from "../evtchn.js";
import type { XenHost } from "../host.js";
import { getPageType, ownsFrame, putPageType } from "../page-types.js";
import { NS_PER_INSTRUCTION } from "../time.js";
import { BlockBackend } from "./block-backend.js";
import { buildConfiguredDomain } from "./build-domain.js";
import { findBuilder } from "./builder.js";
import { registerStandardBuilders } from "./builders.js";
import { configPlace, type DomainConfig } from "./config.js";
import { DomainController } from "./domain-controller.js";

const log = debug("xen:xend");

/** Console output kept per domain for a late `xm console` (xend kept a buffer too). */
export const CONSOLE_HISTORY_BYTES = 16 * 1024;

/** One row of `xm list`. */
export interface DomainInfo {
  id: number;
  name: string;
  memoryMiB: number;
  state: string;
  /** CPU time used, in seconds of the host's virtual time. */
  cpuSeconds: number;
  builder: string;
  kernel: string;
  /** The config's disks as "vdev:image:mode". */
  disks: string[];
}

interface DomainRecord {
  info: Omit<DomainInfo, "state" | "cpuSeconds">;
  config: DomainConfig;
  domain: Domain;
  controller: DomainController;
  block: BlockBackend;
  dom0Port: number;
  history: Uint8Array[];
  historyBytes: number;
  listeners: Set<(bytes: Uint8Array) => void>;
}

/** A live `xm console` attachment. */
export interface ConsoleAttachment {
  /** Output the domain printed before the attachment (up to CONSOLE_HISTORY_BYTES). */
  history: Uint8Array;
  /** Typed bytes for the domain. */
  write(bytes: Uint8Array): void;
  close(): void;
}

const SHUTDOWN_NAMES: Record<number, string> = {
  [SHUTDOWN_poweroff]: "poweroff",
  [SHUTDOWN_reboot]: "reboot",
  [SHUTDOWN_suspend]: "suspend",
  [SHUTDOWN_crash]: "crash",
};

export class Xend {
  private readonly domains = new Map<number, DomainRecord>();
  private readonly exitListeners = new Set<(id: number, reason: string) => void>();

  constructor(
    private readonly hv: XenHost,
    private readonly console: SerialConsole,
    private readonly readFile: (path: string) => Uint8Array = (p) => new Uint8Array(readFileSync(p)),
  ) {
    registerStandardBuilders();
    hv.onDomainExit((d, reason) => this.domainExited(d, reason));
    console.registerKey({ key: "q", description: "dump domain (and guest debug) info", run: () => this.printDomains() });
  }

  /** Creates, builds and starts a domain from a config; returns its row. */
  create(config: DomainConfig): DomainInfo {
    for (const r of this.domains.values()) {
      if (r.info.name === config.name) throw new RangeError(`Cannot create domain "${config.name}": a domain of that name exists (id ${r.info.id})`);
    }
    // Errors found now still say where in the config file the setting at fault was made.
    const builder = blame(config, "builder", () => findBuilder(config.builder));
    const kernel = blame(config, "kernel", () => this.read(config.kernel, "kernel"));
    const ramdisk = config.ramdisk === undefined ? undefined : blame(config, "ramdisk", () => this.read(config.ramdisk!, "ramdisk"));
    const d = blame(config, "memory", () => this.hv.createDomain({ name: config.name, memoryMiB: config.memoryMiB }));
    try {
      const { dom0Port, sharedInfoMa } = blame(config, "kernel", () => buildConfiguredDomain(this.hv, d, builder, { config, kernel, ramdisk }));
      const controller: DomainController = new DomainController({
        domid: d.id,
        memory: this.hv.mem,
        sharedInfoMa,
        notifyGuest: () => this.hv.notifyFromDom0(dom0Port),
        onConsoleOutput: (bytes) => this.consoleOutput(rec, bytes),
      });
      const rec: DomainRecord = {
        info: {
          id: d.id,
          name: config.name,
          memoryMiB: config.memoryMiB,
          builder: config.builder,
          kernel: config.kernel,
          disks: config.disks.map((k) => `${k.vdev}:${k.target}:${k.mode}`),
        },
        config,
        domain: d,
        dom0Port,
        history: [],
        historyBytes: 0,
        listeners: new Set(),
        controller,
        block: blame(config, "disk", () => this.blockBackend(d, config, controller)),
      };
      controller.setHandler(CMSG_BLKIF_FE, (req) => rec.block.handle(req));
      this.domains.set(d.id, rec);
      this.hv.onDom0Event(dom0Port, () => rec.controller.onGuestEvent());
      this.console.printk(`Domain ${d.id} (${config.name}) created: ${config.memoryMiB} MiB, builder '${config.builder}', kernel ${config.kernel}`);
      this.console.addDomain({ domid: d.id, name: config.name, input: (b) => rec.controller.consoleInput(b) });
      this.hv.unpause(d);
      return this.row(rec);
    } catch (err) {
      this.domains.delete(d.id);
      this.console.removeDomain(d.id);
      this.hv.destroyDomain(d);
      throw err;
    }
  }

  /** The block backend of a domain, on its config's disks, acting on Xen's frames as blkback did. */
  private blockBackend(d: Domain, config: DomainConfig, controller: DomainController): BlockBackend {
    const x = this.hv.core;
    return new BlockBackend(d.id, config.disks, {
      memory: this.hv.mem,
      ownsFrame: (mfn) => ownsFrame(x, d, mfn),
      getWritable: (mfn) => getPageType(x, d, mfn, PGT_writable_page),
      putWritable: (mfn) => putPageType(x, mfn),
      bindChannel: () => this.hv.bindControlChannel(d),
      closeChannel: (port) => void closePort(x, this.hv.dom0, DOMID_SELF, port),
      onEvent: (port, fn) => this.hv.onDom0Event(port, fn),
      notify: (port) => this.hv.notifyFromDom0(port),
      sendControl: (m) => controller.sendRequest(m),
      afterResponse: (fn) => controller.afterResponse(fn),
    });
  }

  private read(path: string, what: string): Uint8Array {
    try {
      return this.readFile(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new RangeError(`Cannot read ${what} "${path}": ${code === "ENOENT" ? "no such file" : (err as Error).message}`);
    }
  }

  list(): DomainInfo[] {
    return [...this.domains.values()].sort((a, b) => a.info.id - b.info.id).map((r) => this.row(r));
  }

  private row(r: DomainRecord): DomainInfo {
    return { ...r.info, state: r.domain.runState, cpuSeconds: (r.domain.cpuTimeInstr * NS_PER_INSTRUCTION) / 1e9 };
  }

  /** The row of one domain, by id ("1") or name. */
  info(which: string | number): DomainInfo {
    return this.row(this.lookup(which));
  }

  /** Finds a domain by id ("1") or name. */
  private lookup(which: string | number): DomainRecord {
    const s = String(which);
    const byId = /^\d+$/.test(s) ? this.domains.get(Number(s)) : undefined;
    const rec = byId ?? [...this.domains.values()].find((r) => r.info.name === s);
    if (rec === undefined) throw new RangeError(`Cannot find domain "${s}": no such domain (see xm list)`);
    return rec;
  }

  pause(which: string | number): DomainInfo {
    const r = this.lookup(which);
    this.hv.pause(r.domain);
    return this.row(r);
  }

  unpause(which: string | number): DomainInfo {
    const r = this.lookup(which);
    this.hv.unpause(r.domain);
    return this.row(r);
  }

  /** Destroys a domain at once (all its frames go back to the pool). */
  destroy(which: string | number): DomainInfo {
    const r = this.lookup(which);
    const row = this.row(r);
    this.forget(r, "destroyed");
    this.hv.destroyDomain(r.domain);
    return row;
  }

  /** Asks the guest to shut down through its control ring (CMSG_SHUTDOWN), as `xm shutdown` did. */
  shutdown(which: string | number, reason: "poweroff" | "reboot" = "poweroff"): DomainInfo {
    const r = this.lookup(which);
    r.controller.requestShutdown(reason === "reboot" ? CMSG_SHUTDOWN_REBOOT : CMSG_SHUTDOWN_POWEROFF);
    return this.row(r);
  }

  dmesg(): string {
    return this.console.dmesg();
  }

  /** Attaches to a domain's console alone: its output to `onOutput`, typed bytes to the domain. */
  attachConsole(which: string | number, onOutput: (bytes: Uint8Array) => void, onExit: (reason: string) => void): ConsoleAttachment {
    const r = this.lookup(which);
    const history = concat(r.history);
    r.listeners.add(onOutput);
    const exitFn = (id: number, reason: string) => {
      if (id === r.info.id) onExit(reason);
    };
    this.exitListeners.add(exitFn);
    return {
      history,
      write: (bytes) => r.controller.consoleInput(bytes),
      close: () => {
        r.listeners.delete(onOutput);
        this.exitListeners.delete(exitFn);
      },
    };
  }

  /** The domain's recent console output (up to CONSOLE_HISTORY_BYTES), e.g. for the debugger's `monitor console`. */
  recentConsole(which: string | number): Uint8Array {
    return concat(this.lookup(which).history);
  }

  /** The controller of a domain, for services that plug into its control ring (block devices). */
  controllerOf(which: string | number): DomainController {
    return this.lookup(which).controller;
  }

  private consoleOutput(r: DomainRecord, bytes: Uint8Array): void {
    r.history.push(bytes);
    r.historyBytes += bytes.length;
    while (r.historyBytes > CONSOLE_HISTORY_BYTES) r.historyBytes -= r.history.shift()!.length;
    this.console.domainOutput(r.info.id, bytes);
    for (const l of r.listeners) l(bytes);
  }

  private domainExited(d: Domain, reason: number): void {
    const r = this.domains.get(d.id);
    if (r === undefined) return;
    const why = SHUTDOWN_NAMES[reason] ?? `reason ${reason}`;
    const policy = r.config.restart;
    // Xen 2.0's create.py: 'always' ignores the exit code, 'onreboot' restarts on reboot only.
    const restart = policy === "always" || (policy === "onreboot" && reason === SHUTDOWN_reboot);
    // Xen has logged the exit. Without a restart, a domain that shut down is cleaned up at once,
    // as xend did; a crashed one stays (listed as crashed, its memory intact for the debugger)
    // until `xm destroy`.
    if (reason === SHUTDOWN_crash && !restart) {
      this.console.removeDomain(d.id);
      for (const l of this.exitListeners) l(d.id, why);
      return;
    }
    this.forget(r, why);
    this.hv.destroyDomain(d);
    if (restart) {
      // Not inside the hypercall that stopped it: on the next turn of the event loop.
      setImmediate(() => {
        try {
          const row = this.create(r.config);
          this.console.printk(`Domain ${r.info.name} restarted as domain ${row.id} (restart='${policy}')`);
        } catch (err) {
          this.console.printk(`Domain ${r.info.name} not restarted: ${(err as Error).message}`);
        }
      });
    }
  }

  private forget(r: DomainRecord, reason: string): void {
    this.domains.delete(r.info.id);
    r.block.close();
    this.console.removeDomain(r.info.id);
    for (const l of this.exitListeners) l(r.info.id, reason);
    log("dom%d (%s) gone: %s", r.info.id, r.info.name, reason);
  }

  /** Xen 2.0's 'q' key: a line per domain, and VIRQ_DEBUG so each guest can dump its own state. */
  private printDomains(): void {
    const rows = this.list().map((d) => `Domain ${d.id} (${d.name}): ${d.memoryMiB} MiB, ${d.state}, builder '${d.builder}'`);
    this.console.printk(`'q' pressed -> dumping domain info\n${rows.length === 0 ? "no domains" : rows.join("\n")}\n`);
    for (const r of this.domains.values()) this.hv.raiseDebugVirq(r.domain);
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** Runs `fn`; an Error it throws gets the config file and the line of `key` appended. */
function blame<T>(config: DomainConfig, key: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Error && !err.message.includes(config.file)) err.message += configPlace(config, key);
    throw err;
  }
}
