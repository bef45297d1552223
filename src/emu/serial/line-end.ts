// One end of the serial cable between the testing computer (Xen's UART) and the development
// computer (the splitter). The line is a full-duplex byte stream: optionally paced at a baud
// rate (8N1), with a bounded transmit buffer, and, like a cable nobody listens to, it never
// blocks a sender: bytes with nobody on the other end are discarded and counted.
import createDebug from "debug";
import { BaudPacer, wallClock, type LineClock } from "./baud-pacer.js";
import { ByteQueue } from "./byte-queue.js";

const log = createDebug("emu:serial");

/** Default bound of the transmit buffer (bytes waiting for the wire or the transport). */
export const DEFAULT_LINE_BUFFER_BYTES = 1 << 20;

/** Counters of one line end; they only grow. */
export interface SerialLineStats {
  /** Bytes handed to the wire (delivered to the peer or written to the transport). */
  txBytes: number;
  /** Bytes sent while nobody was on the other end: gone, as on an unplugged cable. */
  txDiscarded: number;
  /** Bytes dropped because the transmit buffer was full (the sender outran the wire). */
  txOverrun: number;
  /** Bytes received and handed to the receiver. */
  rxBytes: number;
  /** Bytes that arrived while this end had no receiver attached. */
  rxDiscarded: number;
}

export type LineReceiver = (chunk: Buffer) => void;

/**
 * Bytes as callers hold them. Buffer is listed besides Uint8Array because @types/node 20.9's
 * Buffer is not assignable to TypeScript 5.9's Uint8Array<ArrayBufferLike>.
 */
export type Bytes = Uint8Array | Buffer;

export interface SerialLineEnd {
  /** How this end is attached, e.g. "pair", "unix:/tmp/s", "tcp-listen:127.0.0.1:5555". */
  readonly description: string;
  /** Bit rate the line is paced at, 8N1; 0 = unpaced (bytes move as fast as the host can). */
  readonly baud: number;
  /**
   * True when the transport neither drops nor alters bytes while a peer is present and the
   * transmit buffer is not overrun (the in-process pair, TCP, Unix sockets). False for tty
   * devices, where a real serial port can lose or garble bytes.
   */
  readonly lossless: boolean;
  /** True while something is on the other end to receive what this end sends. */
  readonly peerPresent: boolean;
  /** Bytes accepted by write() and not yet on the wire. */
  readonly pendingBytes: number;
  readonly stats: Readonly<SerialLineStats>;
  /**
   * Sends bytes; never blocks and never throws for line conditions. Ownership of `bytes`
   * passes to the line: the caller must not modify them afterwards. Returns false when the
   * transmit buffer is above half its bound; `onDrain` then fires once it has room again.
   */
  write(bytes: Bytes): boolean;
  /** Attaches the single receiver of incoming chunks (null detaches). Chunks become its own. */
  setReceiver(receiver: LineReceiver | null): void;
  /** Calls `fn` each time a write that returned false may be retried. Returns an unsubscriber. */
  onDrain(fn: () => void): () => void;
  /** Calls `fn(present)` whenever a peer arrives or leaves. Returns an unsubscriber. */
  onPeerChange(fn: (present: boolean) => void): () => void;
  /** Closes the transport; further writes are discarded and counted. */
  close(): Promise<void>;
}

export interface LineEndOptions {
  /** 8N1 bit rate; 0 (default) = unpaced. */
  baud?: number;
  /** Bound of the transmit buffer in bytes (default 1 MiB). */
  bufferBytes?: number;
  /** Time source for pacing (default: wall clock). */
  clock?: LineClock;
}

/** Checks a --baud value: 0 (unpaced) or a positive integer. */
export function checkBaud(baud: number): number {
  if (!Number.isInteger(baud) || baud < 0) {
    throw new RangeError(`Cannot set serial line speed: baud ${baud} is not 0 (unpaced) or a positive integer`);
  }
  return baud;
}

/**
 * What every line end shares: counters, the receiver, the bounded transmit buffer and pacing.
 * A subclass supplies `transmit` (put bytes on its transport) and calls `deliver` with what
 * arrives.
 */
export abstract class LineEndBase implements SerialLineEnd {
  abstract readonly description: string;
  abstract readonly lossless: boolean;
  abstract readonly peerPresent: boolean;
  readonly baud: number;
  readonly bufferBytes: number;
  readonly stats: SerialLineStats = { txBytes: 0, txDiscarded: 0, txOverrun: 0, rxBytes: 0, rxDiscarded: 0 };
  protected closed = false;
  private receiver: LineReceiver | null = null;
  private readonly clock: LineClock;
  private readonly pacer: BaudPacer | null;
  private readonly txQueue = new ByteQueue();
  private cancelTimer: (() => void) | null = null;
  private wantDrain = false;
  private drainListeners = new Set<() => void>();
  private peerListeners = new Set<(present: boolean) => void>();

  constructor(options: LineEndOptions = {}) {
    this.baud = checkBaud(options.baud ?? 0);
    this.bufferBytes = options.bufferBytes ?? DEFAULT_LINE_BUFFER_BYTES;
    if (!Number.isInteger(this.bufferBytes) || this.bufferBytes <= 0) {
      throw new RangeError(`Cannot create serial line: buffer size ${this.bufferBytes} is not a positive integer`);
    }
    this.clock = options.clock ?? wallClock;
    this.pacer = this.baud > 0 ? new BaudPacer(this.baud) : null;
  }

  get pendingBytes(): number {
    return this.txQueue.length + this.transportPending();
  }

  write(bytes: Bytes): boolean {
    const n = bytes.length;
    if (n === 0) return true;
    const chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, n);
    if (this.closed) {
      this.stats.txDiscarded += n;
      return true;
    }
    if (this.pacer === null) return this.transmitOrDrop(chunk);

    const room = this.bufferBytes - this.txQueue.length;
    if (room < n) {
      this.stats.txOverrun += n - Math.max(room, 0);
      if (room <= 0) return this.refuse();
    }
    this.txQueue.push(room < n ? chunk.subarray(0, room) : chunk);
    this.pacer.begin(this.clock.nowMs());
    if (this.cancelTimer === null) this.schedulePump();
    if (this.txQueue.length * 2 > this.bufferBytes) return this.refuse();
    return true;
  }

  setReceiver(receiver: LineReceiver | null): void {
    const had = this.receiver !== null;
    this.receiver = receiver;
    if (had !== (receiver !== null)) this.receiverChanged();
  }

  onDrain(fn: () => void): () => void {
    this.drainListeners.add(fn);
    return () => this.drainListeners.delete(fn);
  }

  onPeerChange(fn: (present: boolean) => void): () => void {
    this.peerListeners.add(fn);
    return () => this.peerListeners.delete(fn);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.stats.txDiscarded += this.txQueue.clear();
    await this.closeTransport();
  }

  /** True while a receiver is attached (the in-process pair uses it as "peer present"). */
  protected get hasReceiver(): boolean {
    return this.receiver !== null;
  }

  /** Hands an incoming chunk to the receiver, or counts it when there is none. */
  protected deliver(chunk: Buffer): void {
    const r = this.receiver;
    if (r === null) {
      this.stats.rxDiscarded += chunk.length;
      return;
    }
    this.stats.rxBytes += chunk.length;
    r(chunk);
  }

  /**
   * Puts a chunk on the transport. Returns false when the transport wants the sender to wait;
   * must count the chunk in txBytes, txDiscarded or txOverrun.
   */
  protected abstract transmit(chunk: Buffer): boolean;

  /** Bytes the transport itself still holds (e.g. a socket's write buffer). */
  protected transportPending(): number {
    return 0;
  }

  protected abstract closeTransport(): Promise<void>;

  /** Called when a receiver is attached or detached. */
  protected receiverChanged(): void {}

  protected emitPeerChange(present: boolean): void {
    log("%s: peer %s", this.description, present ? "present" : "gone");
    for (const fn of this.peerListeners) fn(present);
  }

  /** A subclass calls this when its transport can take bytes again. */
  protected transportDrained(): void {
    if (this.wantDrain && this.txQueue.length * 2 <= this.bufferBytes) {
      this.wantDrain = false;
      for (const fn of this.drainListeners) fn();
    }
  }

  private refuse(): false {
    this.wantDrain = true;
    return false;
  }

  private transmitOrDrop(chunk: Buffer): boolean {
    const ready = this.transmit(chunk);
    if (!ready) this.wantDrain = true;
    return ready;
  }

  private schedulePump(): void {
    const pacer = this.pacer!;
    const wait = Math.max(1, pacer.msUntilNext(this.clock.nowMs()));
    this.cancelTimer = this.clock.setTimer(wait, this.pump);
  }

  // Moves every byte whose wire time has passed to the transport, in one chunk.
  private readonly pump = (): void => {
    this.cancelTimer = null;
    if (this.closed) return;
    const pacer = this.pacer!;
    const n = Math.min(pacer.due(this.clock.nowMs()), this.txQueue.length);
    if (n > 0) {
      const chunk = this.txQueue.take(n);
      pacer.sent(n, this.txQueue.length === 0);
      this.transmit(chunk);
    }
    if (this.txQueue.length > 0) this.schedulePump();
    this.transportDrained();
  };
}
