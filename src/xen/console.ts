// Xen's serial console (xen/drivers/char/console.c in 2.0): one UART shared by Xen's own log
// ("(XEN) ..." lines, also kept in a ring for `xm dmesg`), console_io output, and the console
// of the domain holding input focus. Received bytes with bit 7 set belong to the debugger (the
// "com1H" half), the rest to whoever has input focus ("com1L"). Ctrl-A three times moves focus:
// Xen 2.0 toggled between Xen and dom0; our dom0 is native, so it cycles Xen -> each domU -> Xen.
import debug from "debug";
import type { ConsoleScript } from "./console-script.js";
import { asUint8Array, withHighBit, withoutHighBit, withoutHighBitIfAllHigh } from "../emu/serial/bytes.js";

const log = debug("xen:console");

/** Xen 2.0's switch code: CTRL-a, eaten in groups of three. */
export const SWITCH_CODE = 0x01;
const SWITCH_COUNT = 3;
/** Size of Xen's console ring (conring), read by `xm dmesg`. */
export const CONRING_SIZE = 16384;
const HIGH_BIT = 0x80;
/** Typed bytes kept per domain for console_io(CONSOLEIO_read); older ones are dropped beyond this. */
export const CONSOLEIO_RX_SIZE = 1024;

/** Who gets serial input: Xen's key handler or a domain. */
export type ConsoleFocus = { kind: "xen" } | { kind: "domain"; domid: number };

export interface ConsoleDomain {
  domid: number;
  name: string;
  /** Delivers typed bytes to the domain's console (the domain controller queues them on its rx ring). */
  input(bytes: Uint8Array): void;
}

export interface KeyHandler {
  key: string;
  description: string;
  run(): void;
}

export class SerialConsole {
  private readonly domains = new Map<number, ConsoleDomain>();
  private focus: ConsoleFocus = { kind: "xen" };
  /** Once the user switched focus, new domains no longer take it on creation. */
  private focusChosenByUser = false;
  private switchCount = 0;
  private atLineStart = true;
  private conring = "";
  private readonly keys = new Map<string, KeyHandler>();
  private debugEndpoint: ((bytes: Uint8Array) => void) | undefined;
  /** Bytes with bit 7 set that arrived while no debugger was attached. */
  debugBytesDiscarded = 0;
  private readonly logListeners = new Set<(text: string) => void>();
  /** Serial input per domain for console_io reads (Xen 2.0's serial rx ring, per domain here). */
  private readonly consoleIoRx = new Map<number, number[]>();
  private script: ConsoleScript | null = null;

  /**
   * `transmit` sends bytes out of the UART (the serial line to the development computer). Each
   * call gets a new array that the console never touches again, so it may be sent without a copy.
   */
  constructor(private readonly transmit: (bytes: Uint8Array) => void) {
    this.registerKey({ key: "h", description: "print this help", run: () => this.printHelp() });
  }

  // ---- Output -------------------------------------------------------------------------------

  /** Xen's printk: each line goes out as "(XEN) line" and into the console ring. */
  printk(text: string): void {
    let out = "";
    for (const line of text.split("\n").slice(0, text.endsWith("\n") ? -1 : undefined)) out += `(XEN) ${line}\n`;
    if (out === "") return;
    this.conring = (this.conring + out).slice(-CONRING_SIZE);
    for (const l of this.logListeners) l(out);
    // Start our line on a fresh line so a guest's unfinished line does not swallow it.
    this.send(new TextEncoder().encode((this.atLineStart ? "" : "\n") + out));
  }

  /** The hypervisor core's log hook (ConsoleSink.xenLog): one line, or several, without prefix. */
  xenLog(line: string): void {
    this.printk(line.endsWith("\n") ? line : line + "\n");
  }

  /** console_io(CONSOLEIO_write) from a domain: straight to the UART, as Xen 2.0 did. */
  consoleIo(domid: number, bytes: Uint8Array): void {
    log("console_io from dom%d: %d bytes", domid, bytes.length);
    this.send(bytes);
  }

  /** A domain's console output (from its control ring): on the UART only while it has focus. */
  domainOutput(domid: number, bytes: Uint8Array): void {
    if (this.focus.kind === "domain" && this.focus.domid === domid) this.send(bytes);
  }

  /** Bytes from the debugger stub: sent with bit 7 set so the splitter routes them to gdb. */
  debugTransmit(bytes: Uint8Array): void {
    this.transmit(asUint8Array(withHighBit(bytes)));
  }

  /** Xen's log so far (the console ring), as `xm dmesg` prints it. */
  dmesg(): string {
    return this.conring;
  }

  /** Calls `fn` with each new chunk of Xen's log; returns the unsubscribe function. */
  onLog(fn: (text: string) => void): () => void {
    this.logListeners.add(fn);
    return () => this.logListeners.delete(fn);
  }

  /** Console text goes out with bit 7 clear (the "com1L" half of the line). */
  private send(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const out = asUint8Array(withoutHighBit(bytes));
    this.atLineStart = out[out.length - 1] === 0x0a;
    this.transmit(out);
    // Typed at this very point of the guest's run, so a deterministic host replays it exactly.
    const typed = this.script?.observe(out);
    if (typed) this.receive(typed);
  }

  /** Types a script's input as the console prints what it expects (see console-script.ts). */
  setScript(script: ConsoleScript | null): void {
    this.script = script;
    const typed = script?.start();
    if (typed) this.receive(typed);
  }

  // ---- Input --------------------------------------------------------------------------------

  /** The debugger endpoint for bytes with bit 7 set (stripped of it); undefined discards them. */
  setDebugEndpoint(fn: ((bytes: Uint8Array) => void) | undefined): void {
    this.debugEndpoint = fn;
  }

  /** Bytes received by the UART. */
  receive(bytes: Uint8Array): void {
    const onlyDebug = withoutHighBitIfAllHigh(bytes);
    if (onlyDebug !== null) {
      // Debugger bytes only (a gdb packet): one run, without the byte-by-byte walk below.
      if (this.debugEndpoint !== undefined) this.debugEndpoint(asUint8Array(onlyDebug));
      else this.debugBytesDiscarded += bytes.length;
      return;
    }
    let debugRun: number[] = [];
    let consoleRun: number[] = [];
    const flushDebug = () => {
      if (debugRun.length === 0) return;
      if (this.debugEndpoint !== undefined) this.debugEndpoint(Uint8Array.from(debugRun));
      else this.debugBytesDiscarded += debugRun.length;
      debugRun = [];
    };
    const flushConsole = () => {
      if (consoleRun.length === 0) return;
      this.deliver(Uint8Array.from(consoleRun));
      consoleRun = [];
    };
    for (const b of bytes) {
      if ((b & HIGH_BIT) !== 0) {
        flushConsole();
        debugRun.push(b & ~HIGH_BIT);
        continue;
      }
      flushDebug();
      if (b === SWITCH_CODE) {
        if (++this.switchCount === SWITCH_COUNT) {
          this.switchCount = 0;
          flushConsole();
          this.cycleFocus();
        }
        continue;
      }
      // Fewer than three switch codes were ordinary input after all.
      for (; this.switchCount > 0; this.switchCount--) consoleRun.push(SWITCH_CODE);
      consoleRun.push(b);
    }
    flushDebug();
    flushConsole();
  }

  /** console_io(CONSOLEIO_read): up to `max` bytes typed while `domid` had input focus. */
  consoleIoRead(domid: number, max: number): Uint8Array {
    const rx = this.consoleIoRx.get(domid);
    if (rx === undefined || rx.length === 0) return new Uint8Array(0);
    return Uint8Array.from(rx.splice(0, max));
  }

  private deliver(bytes: Uint8Array): void {
    if (this.focus.kind === "domain") {
      const domid = this.focus.domid;
      const d = this.domains.get(domid);
      if (d === undefined) return;
      d.input(bytes);
      let rx = this.consoleIoRx.get(domid);
      if (rx === undefined) this.consoleIoRx.set(domid, (rx = []));
      for (const b of bytes) rx.push(b);
      if (rx.length > CONSOLEIO_RX_SIZE) rx.splice(0, rx.length - CONSOLEIO_RX_SIZE);
      return;
    }
    for (const b of bytes) {
      const h = this.keys.get(String.fromCharCode(b));
      if (h !== undefined) h.run();
      else if (b >= 0x20 && b < 0x7f) this.printk(`'${String.fromCharCode(b)}' pressed -> no handler ('h' for help)`);
    }
  }

  // ---- Focus ------------------------------------------------------------------------------

  /** Xen's key handlers, run when Xen has input focus. */
  registerKey(handler: KeyHandler): void {
    this.keys.set(handler.key, handler);
  }

  private printHelp(): void {
    const lines = [...this.keys.values()].sort((a, b) => a.key.localeCompare(b.key)).map((k) => ` key '${k.key}' => ${k.description}`);
    this.printk(`'h' pressed -> showing installed handlers\n${lines.join("\n")}\n`);
  }

  /** A domain with a console: it takes input focus if the user has not chosen one yet. */
  addDomain(domain: ConsoleDomain): void {
    this.domains.set(domain.domid, domain);
    if (!this.focusChosenByUser && this.focus.kind === "xen") this.setFocus({ kind: "domain", domid: domain.domid });
  }

  /** A domain went away: if it had focus, Xen takes it back. */
  removeDomain(domid: number): void {
    this.domains.delete(domid);
    this.consoleIoRx.delete(domid);
    if (this.focus.kind === "domain" && this.focus.domid === domid) this.setFocus(this.nextAfter(domid));
  }

  getFocus(): ConsoleFocus {
    return this.focus;
  }

  /** Xen -> lowest domid -> ... -> highest -> Xen. */
  private cycleFocus(): void {
    this.focusChosenByUser = true;
    const cur = this.focus;
    this.setFocus(cur.kind === "xen" ? this.first() : this.nextAfter(cur.domid));
  }

  private sortedIds(): number[] {
    return [...this.domains.keys()].sort((a, b) => a - b);
  }

  private first(): ConsoleFocus {
    const ids = this.sortedIds();
    return ids.length === 0 ? { kind: "xen" } : { kind: "domain", domid: ids[0] };
  }

  private nextAfter(domid: number): ConsoleFocus {
    const next = this.sortedIds().find((id) => id > domid);
    return next === undefined ? { kind: "xen" } : { kind: "domain", domid: next };
  }

  private label(f: ConsoleFocus): string {
    if (f.kind === "xen") return "Xen";
    const d = this.domains.get(f.domid);
    return d === undefined ? `DOM${f.domid}` : `DOM${f.domid} (${d.name})`;
  }

  private setFocus(f: ConsoleFocus): void {
    this.focus = f;
    const after = f.kind === "xen" ? this.first() : this.nextAfter(f.domid);
    const same = after.kind === f.kind && (after.kind === "xen" || (f.kind === "domain" && after.domid === f.domid));
    this.printk(`*** Serial input -> ${this.label(f)}${same ? "" : ` (type 'CTRL-a' three times to switch input to ${this.label(after)})`}.\n`);
  }
}
