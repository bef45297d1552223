// The testing computer's serial port, as Xen's serial console driver sees it: bytes written
// go out on the serial line; bytes arriving wait in a bounded receive FIFO (pull with read())
// or go straight to an onReceive callback. Register-level 16550 details are left out: Xen's
// console needs a byte stream, the line supplies pacing.
import createDebug from "debug";
import type { Bytes, SerialLineEnd } from "./serial/line-end.js";
import { ByteQueue } from "./serial/byte-queue.js";
import { copyBytes } from "./serial/bytes.js";

const log = createDebug("emu:uart");

/** Default receive FIFO bound; a real 16550 holds 16 bytes, Xen's console ring more. */
export const DEFAULT_UART_RX_BYTES = 64 * 1024;

export interface UartCounters {
  /** Bytes written by the owner and handed to the line. */
  txBytes: number;
  /** Bytes that arrived from the line. */
  rxBytes: number;
  /** Bytes lost because the receive FIFO was full (a 16550's overrun error). */
  rxOverrun: number;
}

export type UartReceiver = (bytes: Buffer) => void;

export class Uart {
  readonly counters: UartCounters = { txBytes: 0, rxBytes: 0, rxOverrun: 0 };
  private readonly rxFifo = new ByteQueue();
  private receiver: UartReceiver | null = null;

  constructor(
    readonly line: SerialLineEnd,
    readonly rxFifoBytes = DEFAULT_UART_RX_BYTES,
  ) {
    line.setReceiver(this.fromLine);
  }

  /** The line's 8N1 bit rate; 0 = unpaced. */
  get baud(): number {
    return this.line.baud;
  }

  /** Whether the line carries bytes without loss while a peer is present. */
  get lossless(): boolean {
    return this.line.lossless;
  }

  /**
   * Sends bytes. They are copied, so the caller may pass a view of guest memory and reuse it.
   * Returns false when the line's transmit buffer is filling up (sends still never block).
   */
  write(bytes: Bytes): boolean {
    if (bytes.length === 0) return true;
    this.counters.txBytes += bytes.length;
    return this.line.write(copyBytes(bytes));
  }

  /**
   * Sends bytes the caller hands over: no copy, so the caller must not change them afterwards
   * (for senders that build a fresh array per write anyway, such as Xen's serial console).
   */
  writeOwned(bytes: Bytes): boolean {
    if (bytes.length === 0) return true;
    this.counters.txBytes += bytes.length;
    return this.line.write(bytes);
  }

  /** Push mode: every received chunk goes to `fn` (queued bytes first). null returns to pull mode. */
  onReceive(fn: UartReceiver | null): void {
    this.receiver = fn;
    if (fn !== null && this.rxFifo.length > 0) fn(this.rxFifo.take(this.rxFifo.length));
  }

  /** Pull mode: bytes waiting in the receive FIFO. */
  get rxAvailable(): number {
    return this.rxFifo.length;
  }

  /** Pull mode: takes up to `max` received bytes (an empty Buffer when none). */
  read(max = Number.MAX_SAFE_INTEGER): Buffer {
    return this.rxFifo.take(max);
  }

  /** Detaches from the line; later arrivals are counted by the line as unreceived. */
  detach(): void {
    this.line.setReceiver(null);
  }

  private readonly fromLine = (chunk: Buffer): void => {
    this.counters.rxBytes += chunk.length;
    if (this.receiver !== null) {
      this.receiver(chunk);
      return;
    }
    const room = this.rxFifoBytes - this.rxFifo.length;
    if (room >= chunk.length) {
      this.rxFifo.push(chunk);
      return;
    }
    this.counters.rxOverrun += chunk.length - Math.max(room, 0);
    log("receive FIFO full: %d bytes lost", chunk.length - Math.max(room, 0));
    if (room > 0) this.rxFifo.push(chunk.subarray(0, room));
  };
}
