// The acknowledged RSP link on top of the packet codec: `+` for a good packet, `-` for a
// damaged one, the sender keeps its last packet and resends it on `-` (up to a retry limit),
// and no-ack mode (QStartNoAckMode) turns all of that off on lossless transports.
// No I/O: bytes come in through receive() and go out through the `write` callback.
import createDebug from "debug";
import { bytesToHex } from "./hex.js";
import { PacketDecoder, frameHex, framePacket, type DecoderEvent, type FramingErrorCode } from "./packet.js";

const log = createDebug("gdbstub:packet");

const ACK_BYTES = Uint8Array.of(0x2b);
const NAK_BYTES = Uint8Array.of(0x2d);

/** What the link hands upward. */
export type LinkEvent =
  /** A complete, checked packet body (already acknowledged in ack mode). */
  | { kind: "packet"; data: Uint8Array }
  /** Ctrl-C (0x03) between packets. */
  | { kind: "interrupt" }
  /** An intact packet the link cannot accept (too long, bad escapes): reply with an error. */
  | { kind: "rejected"; code: FramingErrorCode; message: string }
  /** Something went wrong that the protocol itself recovers from; for logs and counters. */
  | { kind: "error"; code: FramingErrorCode | "retries"; message: string };

export interface LinkOptions {
  /** Sends bytes to the peer. */
  write(bytes: Uint8Array): void;
  /** Receives what the link hands upward. */
  onEvent(event: LinkEvent): void;
  /** Largest packet body accepted. */
  maxPacketSize?: number;
  /** Retransmissions of one packet on `-` before giving up. @default 5 */
  retryLimit?: number;
  /** Run-length encode outgoing packets. @default false */
  runLength?: boolean;
}

export class RspLink {
  readonly decoder: PacketDecoder;
  private readonly write: (bytes: Uint8Array) => void;
  private readonly onEvent: (event: LinkEvent) => void;
  private readonly retryLimit: number;
  private readonly runLength: boolean;
  private noAckMode = false;
  private unacked: Uint8Array | null = null;
  private retries = 0;

  constructor(options: LinkOptions) {
    this.write = options.write;
    this.onEvent = options.onEvent;
    this.retryLimit = options.retryLimit ?? 5;
    this.runLength = options.runLength ?? false;
    const max = options.maxPacketSize;
    this.decoder = new PacketDecoder(max === undefined ? {} : { maxPacketSize: max });
  }

  /** True once no-ack mode is on: no `+`/`-` either way, nothing kept for retransmission. */
  get noAck(): boolean {
    return this.noAckMode;
  }

  /** The last packet sent and not yet acknowledged, if any. */
  get pending(): Uint8Array | null {
    return this.unacked;
  }

  /**
   * Switches to no-ack mode. Call it right after sending the `OK` to QStartNoAckMode: GDB
   * still acknowledges that `OK`, and the stray `+` is then ignored.
   */
  enterNoAckMode(): void {
    this.noAckMode = true;
    this.unacked = null;
  }

  /**
   * Back to ack mode, for a new debugger that starts talking on a line whose previous debugger
   * had turned acks off and vanished. Acknowledges the packet just received, which went unacked.
   */
  leaveNoAckMode(): void {
    if (!this.noAckMode) return;
    this.noAckMode = false;
    this.write(ACK_BYTES);
  }

  /** Frames and sends a packet body; in ack mode it is kept until acknowledged. */
  send(body: Uint8Array | string): void {
    this.sendFrame(framePacket(body, { runLength: this.runLength }));
  }

  /** Frames and sends `data` as a hex payload (a memory read), like send(bytesToHex(data)). */
  sendHex(data: Uint8Array): void {
    // Run-length encoding works on the hex text, so that path keeps the string.
    if (this.runLength) {
      this.send(bytesToHex(data));
      return;
    }
    this.sendFrame(frameHex(data));
  }

  /** Writes a framed packet; in ack mode it is kept until acknowledged. */
  private sendFrame(frame: Uint8Array): void {
    if (!this.noAckMode) {
      this.unacked = frame;
      this.retries = 0;
    }
    this.write(frame);
  }

  /** Feeds bytes from the peer. */
  receive(chunk: Uint8Array): void {
    for (const event of this.decoder.push(chunk)) this.handle(event);
  }

  private handle(event: DecoderEvent): void {
    switch (event.kind) {
      case "packet":
        if (!this.noAckMode) this.write(ACK_BYTES);
        this.onEvent(event);
        return;
      case "interrupt":
        this.onEvent(event);
        return;
      case "ack":
        this.unacked = null;
        return;
      case "nak":
        this.retransmit();
        return;
      case "error":
        log("%s", event.message);
        if (event.code === "oversize" || event.code === "malformed") {
          // Intact on the wire: resending would bring the same bytes back, so take it and refuse it.
          if (!this.noAckMode) this.write(ACK_BYTES);
          this.onEvent({ kind: "rejected", code: event.code, message: event.message });
          return;
        }
        if ((event.code === "checksum" || event.code === "truncated") && !this.noAckMode) {
          this.write(NAK_BYTES);
        }
        this.onEvent(event);
        return;
    }
  }

  private retransmit(): void {
    if (this.noAckMode || this.unacked === null) return;
    if (this.retries >= this.retryLimit) {
      const message = `Cannot deliver packet: no acknowledgement after ${this.retryLimit} retransmissions`;
      log("%s", message);
      this.unacked = null;
      this.onEvent({ kind: "error", code: "retries", message });
      return;
    }
    this.retries++;
    this.write(this.unacked);
  }
}
