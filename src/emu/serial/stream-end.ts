// A line end whose wire is a byte stream from node: a TCP or Unix socket, or a tty device
// (read and write sides may be two streams). The transport attaches a stream when a peer
// arrives and detaches it when the peer leaves; in between, sends are discarded and counted.
import type { Readable, Writable } from "node:stream";
import createDebug from "debug";
import { LineEndBase, type LineEndOptions } from "./line-end.js";

const log = createDebug("emu:serial");

export class StreamLineEnd extends LineEndBase {
  private input: Readable | null = null;
  private output: Writable | null = null;
  private detachInput: (() => void) | null = null;

  constructor(
    readonly description: string,
    readonly lossless: boolean,
    options: LineEndOptions,
    private readonly onClose: () => Promise<void>,
  ) {
    super(options);
  }

  get peerPresent(): boolean {
    return this.output !== null && !this.closed;
  }

  /** Connects the wire to a peer's streams; `input` and `output` may be the same socket. */
  attach(input: Readable, output: Writable): void {
    if (this.output !== null) this.detach();
    this.input = input;
    this.output = output;
    const onData = (chunk: Buffer): void => this.deliver(chunk);
    const onDrain = (): void => this.transportDrained();
    input.on("data", onData);
    output.on("drain", onDrain);
    this.detachInput = () => {
      input.off("data", onData);
      output.off("drain", onDrain);
    };
    this.emitPeerChange(true);
  }

  /** Disconnects the current peer (its streams are left to the caller). */
  detach(): void {
    if (this.output === null) return;
    this.detachInput?.();
    this.detachInput = null;
    this.input = null;
    this.output = null;
    this.emitPeerChange(false);
    this.transportDrained(); // a sender waiting on a gone peer may write (into nothing) again
  }

  /** The readable side, for transports that must destroy it on close. */
  get attachedInput(): Readable | null {
    return this.input;
  }

  protected transmit(chunk: Buffer): boolean {
    const out = this.output;
    if (out === null || this.closed || out.destroyed || !out.writable) {
      this.stats.txDiscarded += chunk.length;
      return true;
    }
    if (out.writableLength >= this.bufferBytes) {
      this.stats.txOverrun += chunk.length;
      log("%s: transmit buffer full, %d bytes dropped", this.description, chunk.length);
      return false;
    }
    this.stats.txBytes += chunk.length;
    return out.write(chunk) || out.writableLength * 2 <= this.bufferBytes;
  }

  protected override transportPending(): number {
    return this.output?.writableLength ?? 0;
  }

  protected async closeTransport(): Promise<void> {
    this.detach();
    await this.onClose();
  }
}
