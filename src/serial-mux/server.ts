// The development computer's splitter daemon: one serial line in, two TCP listeners out
// (debugger on 127.0.0.1:4444, console on 127.0.0.1:4445). The line never waits for a TCP
// client: each console client has a bounded queue and is told how much it missed when it falls
// behind; the debug port takes one debugger at a time and turns a second away with a reason.
import net from "node:net";
import createDebug from "debug";
import { asUint8Array, type SerialLineEnd } from "../emu/serial/index.js";
import { framePacket } from "../gdbstub/packet.js";
import { consoleToLine, debugToLine, splitFromLine } from "./split.js";
import { DEFAULT_SCROLLBACK_BYTES, Scrollback } from "./scrollback.js";

const log = createDebug("mux");

/** RSP's detach packet, sent on behalf of a debugger that vanished. */
const VANISHED_DEBUGGER_DETACH = Buffer.from(framePacket("D"));
/** The stub's reply to that detach: meant for nobody, so a debugger that connects next never sees it. */
const DETACH_REPLY = framePacket("OK");
/** How long the splitter waits for DETACH_REPLY before it stops looking (the stub may be gone). */
const DETACH_REPLY_WAIT_MS = 500;
/** How long the loop polls for the debugger's next packet after a reply (0: never). */
const DEBUGGER_POLL_MS = Number(process.env.MUX_DEBUGGER_POLL_MS ?? 0.3);

export const DEFAULT_GDB_PORT = 4444;
export const DEFAULT_CONSOLE_PORT = 4445;
export const DEFAULT_LISTEN_HOST = "127.0.0.1";
/** Per-client bound on console output waiting to be written to the client's socket. */
export const DEFAULT_CLIENT_QUEUE_BYTES = 1 << 20;

export interface MuxServerOptions {
  /** The development computer's end of the serial line. */
  line: SerialLineEnd;
  /** Address both listeners bind (default 127.0.0.1). */
  host?: string;
  /** Debugger port (default 4444; 0 = any free port). */
  gdbPort?: number;
  /** Console port (default 4445; 0 = any free port). */
  consolePort?: number;
  /** Console bytes replayed to each new console client (default 64 KiB). */
  scrollbackBytes?: number;
  /** Bound of each client's output queue (default 1 MiB). */
  clientQueueBytes?: number;
}

/** Counters of the splitter; they only grow, except the `*Clients`/`debuggerConnected` gauges. */
export interface MuxStats {
  /** Console bytes that came from the line. */
  consoleFromLine: number;
  /** Debugger bytes that came from the line. */
  debugFromLine: number;
  /** Debugger bytes from the line with no debugger connected, or meant for one that vanished: discarded. */
  debugDiscarded: number;
  /** Debugger bytes dropped because the debugger's queue was full. */
  debugMissed: number;
  /** Times the loop began polling for the debugger's next packet after a reply. */
  debugPollWindows: number;
  /** Console bytes skipped for clients that fell behind (summed over clients). */
  consoleMissed: number;
  /** Bytes console clients sent to the line. */
  consoleToLine: number;
  /** Bytes the debugger sent to the line. */
  debugToLine: number;
  /** Console-client bytes >= 0x80, which the line cannot carry: dropped and reported. */
  consoleHighDropped: number;
  /** Debugger bytes >= 0x80: sent with bit 7 set, so only their low 7 bits arrive. */
  debugHighBytes: number;
  /** Second debuggers turned away. */
  debuggersRefused: number;
  consoleClients: number;
  consoleClientsTotal: number;
  debuggerConnected: boolean;
}

interface ConsoleClient {
  readonly socket: net.Socket;
  readonly name: string;
  missed: number;
}

function peerName(s: net.Socket): string {
  return `${s.remoteAddress ?? "?"}:${s.remotePort ?? "?"}`;
}

async function listen(server: net.Server, host: string, port: number, what: string): Promise<number> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`Cannot listen for the ${what}: port ${port} is not 0-65535`);
  }
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(new Error(`Cannot listen for the ${what} on ${host}:${port}: ${err.message}`));
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  server.on("error", (err) => log("%s listener: %s", what, err.message));
  return (server.address() as net.AddressInfo).port;
}

export class MuxServer {
  readonly stats: MuxStats = {
    consoleFromLine: 0,
    debugFromLine: 0,
    debugDiscarded: 0,
    debugPollWindows: 0,
    debugMissed: 0,
    consoleMissed: 0,
    consoleToLine: 0,
    debugToLine: 0,
    consoleHighDropped: 0,
    debugHighBytes: 0,
    debuggersRefused: 0,
    consoleClients: 0,
    consoleClientsTotal: 0,
    debuggerConnected: false,
  };
  /** The bound debugger port. */
  gdbPort = 0;
  /** The bound console port. */
  consolePort = 0;
  readonly host: string;
  private readonly line: SerialLineEnd;
  private readonly scrollback: Scrollback;
  private readonly queueBytes: number;
  private readonly clients = new Set<ConsoleClient>();
  private debuggerSocket: net.Socket | null = null;
  private polling = false;
  private pollUntil = 0;
  /** Until when debugger bytes from the line are skipped up to the vanished debugger's detach reply. */
  private detachReplyUntil = 0;
  /** How many bytes of DETACH_REPLY have been matched so far. */
  private detachReplyMatched = 0;
  private readonly gdbServer = net.createServer((s) => this.acceptDebugger(s));
  private readonly consoleServer = net.createServer((s) => this.acceptConsole(s));
  private inputsPaused = false;
  private readonly stopDrain: () => void;

  private constructor(options: MuxServerOptions) {
    this.line = options.line;
    this.host = options.host ?? DEFAULT_LISTEN_HOST;
    this.scrollback = new Scrollback(options.scrollbackBytes ?? DEFAULT_SCROLLBACK_BYTES);
    this.queueBytes = options.clientQueueBytes ?? DEFAULT_CLIENT_QUEUE_BYTES;
    this.stopDrain = this.line.onDrain(() => this.resumeInputs());
  }

  /** Binds both listeners and starts reading the line. */
  static async start(options: MuxServerOptions): Promise<MuxServer> {
    const mux = new MuxServer(options);
    try {
      mux.gdbPort = await listen(mux.gdbServer, mux.host, options.gdbPort ?? DEFAULT_GDB_PORT, "debugger");
      mux.consolePort = await listen(mux.consoleServer, mux.host, options.consolePort ?? DEFAULT_CONSOLE_PORT, "console");
    } catch (err) {
      await mux.close();
      throw err;
    }
    mux.line.setReceiver(mux.fromLine);
    log("debugger on %s:%d, console on %s:%d", mux.host, mux.gdbPort, mux.host, mux.consolePort);
    return mux;
  }

  /** Stops listening, disconnects every client and detaches from the line (which stays open). */
  async close(): Promise<void> {
    this.line.setReceiver(null);
    this.stopDrain();
    for (const c of this.clients) c.socket.destroy();
    this.debuggerSocket?.destroy();
    const stop = (s: net.Server) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r()));
    await Promise.all([stop(this.gdbServer), stop(this.consoleServer)]);
  }

  // Line -> clients. Runs for every chunk the line delivers; never waits for anybody.
  private readonly fromLine = (chunk: Buffer): void => {
    const split = splitFromLine(chunk);
    const console = split.console;
    let debug = split.debug;
    if (console.length > 0) {
      this.stats.consoleFromLine += console.length;
      this.scrollback.append(console);
      for (const c of this.clients) this.sendConsole(c, console);
    }
    if (debug.length > 0) {
      this.stats.debugFromLine += debug.length;
      debug = this.skipDetachReply(debug);
      if (debug.length === 0) return;
      const d = this.debuggerSocket;
      if (d === null) this.stats.debugDiscarded += debug.length;
      else if (d.writableLength + debug.length > this.queueBytes) this.stats.debugMissed += debug.length;
      else {
        d.write(asUint8Array(debug));
        this.keepPollingForDebugger();
      }
    }
  };

  /** True while the loop polls for the debugger's next packet (see keepPollingForDebugger). */
  get pollingForDebugger(): boolean {
    return this.polling;
  }

  /**
   * After a reply to the debugger, the event loop keeps polling (no sleep) for a short while:
   * gdb's next request of a step usually follows within it, and is then read without the cost
   * of waking this process. Bounded, so an idle debugger costs nothing.
   */
  private keepPollingForDebugger(): void {
    if (DEBUGGER_POLL_MS <= 0) return;
    this.pollUntil = performance.now() + DEBUGGER_POLL_MS;
    if (this.polling) return;
    this.polling = true;
    this.stats.debugPollWindows++;
    const poll = (): void => {
      if (this.debuggerSocket !== null && performance.now() < this.pollUntil) setImmediate(poll);
      else this.polling = false;
    };
    setImmediate(poll);
  }

  /**
   * Drops the line's debugger bytes up to and including the stub's reply to the detach sent
   * for a vanished debugger (whatever the stub said to that debugger before it is stale too).
   */
  private skipDetachReply(debug: Buffer): Buffer {
    if (this.detachReplyUntil === 0) return debug;
    if (performance.now() > this.detachReplyUntil) {
      this.detachReplyUntil = 0;
      return debug;
    }
    for (let i = 0; i < debug.length; i++) {
      if (debug[i] === DETACH_REPLY[this.detachReplyMatched]) this.detachReplyMatched++;
      else this.detachReplyMatched = debug[i] === DETACH_REPLY[0] ? 1 : 0;
      if (this.detachReplyMatched === DETACH_REPLY.length) {
        this.detachReplyUntil = 0;
        this.detachReplyMatched = 0;
        this.stats.debugDiscarded += i + 1;
        return debug.subarray(i + 1);
      }
    }
    this.stats.debugDiscarded += debug.length;
    return debug.subarray(debug.length);
  }

  private sendConsole(c: ConsoleClient, chunk: Buffer): void {
    const s = c.socket;
    if (s.destroyed) return;
    if (c.missed > 0) {
      if (s.writableNeedDrain) return this.miss(c, chunk.length);
      this.reportMissed(c);
    }
    let data = chunk;
    if (data.length > this.queueBytes) {
      // Only the newest queue-full of an oversized chunk is worth sending.
      this.miss(c, data.length - this.queueBytes);
      data = data.subarray(data.length - this.queueBytes);
      this.reportMissed(c);
    }
    if (s.writableLength + data.length > this.queueBytes) {
      this.miss(c, data.length);
      // With no 'drain' to come, say it now; otherwise the drain handler says it.
      if (!s.writableNeedDrain) this.reportMissed(c);
      return;
    }
    s.write(asUint8Array(data));
  }

  private miss(c: ConsoleClient, n: number): void {
    if (c.missed === 0) log("console client %s fell behind", c.name);
    c.missed += n;
    this.stats.consoleMissed += n;
  }

  private reportMissed(c: ConsoleClient): void {
    if (c.missed === 0) return;
    c.socket.write(`\r\n[mux: this console client fell behind; ${c.missed} bytes of output were skipped]\r\n`);
    log("console client %s: %d bytes skipped", c.name, c.missed);
    c.missed = 0;
  }

  private acceptConsole(s: net.Socket): void {
    s.setNoDelay(true);
    const c: ConsoleClient = { socket: s, name: peerName(s), missed: 0 };
    this.clients.add(c);
    this.stats.consoleClients++;
    this.stats.consoleClientsTotal++;
    log("console client %s connected (%d now)", c.name, this.stats.consoleClients);
    if (this.scrollback.length > 0) s.write(asUint8Array(this.scrollback.snapshot()));
    if (this.inputsPaused) s.pause();
    s.on("drain", () => this.reportMissed(c));
    s.on("data", (chunk: Buffer) => {
      const { line, dropped } = consoleToLine(chunk);
      // The notice is skipped (the counter still grows) for a client not reading its output,
      // so a client flooding high bytes cannot grow its own queue without bound.
      if (dropped > 0) {
        this.stats.consoleHighDropped += dropped;
        if (s.writableLength < this.queueBytes) s.write(
          `\r\n[mux: ${dropped} input byte(s) >= 0x80 dropped: the serial line carries console input as 7-bit bytes]\r\n`,
        );
      }
      if (line.length > 0) {
        this.stats.consoleToLine += line.length;
        this.toLine(line);
      }
    });
    s.on("error", (err) => log("console client %s: %s", c.name, err.message));
    s.once("close", () => {
      this.clients.delete(c);
      this.stats.consoleClients--;
      log("console client %s left (%d now)", c.name, this.stats.consoleClients);
    });
  }

  private acceptDebugger(s: net.Socket): void {
    s.on("error", (err) => log("debugger %s: %s", peerName(s), err.message));
    const current = this.debuggerSocket;
    if (current !== null) {
      this.stats.debuggersRefused++;
      log("refused debugger %s: %s is connected", peerName(s), peerName(current));
      s.resume(); // whatever it sends is read and ignored, never routed
      s.end(`mux: refused: a debugger is already connected (from ${peerName(current)}); only one at a time\n`);
      setTimeout(() => s.destroy(), 1000).unref();
      return;
    }
    s.setNoDelay(true);
    this.debuggerSocket = s;
    this.stats.debuggerConnected = true;
    log("debugger %s connected", peerName(s));
    if (this.inputsPaused) s.pause();
    s.on("data", (chunk: Buffer) => {
      const { line, highBytes } = debugToLine(chunk);
      this.stats.debugHighBytes += highBytes;
      this.stats.debugToLine += line.length;
      this.toLine(line);
    });
    s.once("close", () => {
      if (this.debuggerSocket === s) {
        this.debuggerSocket = null;
        this.stats.debuggerConnected = false;
        log("debugger %s left", peerName(s));
        // The stub across the line cannot see a debugger go: say its detach for it, so the
        // host resumes without its breakpoints (a stub already detached ignores it).
        this.detachReplyUntil = performance.now() + DETACH_REPLY_WAIT_MS;
        this.detachReplyMatched = 0;
        this.toLine(debugToLine(VANISHED_DEBUGGER_DETACH).line);
      }
    });
  }

  // Clients -> line. When the line's buffer fills, reading from clients pauses until it drains,
  // so a flooding client is slowed by TCP instead of losing bytes.
  private toLine(bytes: Buffer): void {
    if (!this.line.write(bytes) && !this.inputsPaused) {
      this.inputsPaused = true;
      log("serial line busy: pausing client input");
      for (const c of this.clients) c.socket.pause();
      this.debuggerSocket?.pause();
    }
  }

  private resumeInputs(): void {
    if (!this.inputsPaused) return;
    this.inputsPaused = false;
    log("serial line drained: resuming client input");
    for (const c of this.clients) c.socket.resume();
    this.debuggerSocket?.resume();
  }
}
