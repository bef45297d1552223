// The in-process serial cable: used when both computers run in one Node process
// (`minix-on-xen run`). Each end paces its own direction; delivery to the other end is
// synchronous, so an unpaced pair adds no event-loop turn to a round trip.
import { LineEndBase, type LineEndOptions } from "./line-end.js";

class PairEnd extends LineEndBase {
  readonly lossless = true;
  peer!: PairEnd;

  constructor(
    readonly description: string,
    options: LineEndOptions,
  ) {
    super(options);
  }

  /** Someone listens on the other end when the other end has a receiver and is open. */
  get peerPresent(): boolean {
    return !this.peer.closed && this.peer.hasReceiver;
  }

  receiveFromPeer(chunk: Buffer): void {
    this.deliver(chunk);
  }

  protected transmit(chunk: Buffer): boolean {
    if (!this.peerPresent) {
      this.stats.txDiscarded += chunk.length;
      return true;
    }
    this.stats.txBytes += chunk.length;
    this.peer.receiveFromPeer(chunk);
    return true;
  }

  protected override receiverChanged(): void {
    this.peer.emitPeerChange(this.peer.peerPresent);
  }

  protected async closeTransport(): Promise<void> {
    this.peer.emitPeerChange(false);
  }
}

export interface SerialPair {
  /** The testing computer's end (Xen's UART attaches here). */
  readonly testing: LineEndBase & { readonly lossless: true };
  /** The development computer's end (the splitter attaches here). */
  readonly development: LineEndBase & { readonly lossless: true };
}

/** Makes an in-process cable; both ends share the baud rate, as a real cable's ends must. */
export function createSerialPair(options: LineEndOptions = {}): SerialPair {
  const testing = new PairEnd("pair:testing", options);
  const development = new PairEnd("pair:development", options);
  testing.peer = development;
  development.peer = testing;
  return { testing, development };
}
