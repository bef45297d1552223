// The null stub: a trivial RSP server answering `m` with zeros and steps at once, with the
// same framing, acks and PacketSize as ours. It shows gdb's own ceiling on the same path.
import { RspLink } from "../../../src/gdbstub/link.js";
import { UNPACED_PACKET_SIZE } from "../../../src/gdbstub/session.js";

export class NullStub {
  private readonly link: RspLink;
  private readonly zeros = new Map<number, string>();

  constructor(write: (bytes: Uint8Array) => void, lossless: boolean) {
    this.link = new RspLink({
      write,
      maxPacketSize: UNPACED_PACKET_SIZE + 64,
      onEvent: (e) => {
        if (e.kind === "packet") this.answer(Buffer.from(e.data).toString("latin1"));
      },
    });
    this.lossless = lossless;
  }
  private readonly lossless: boolean;

  receive(bytes: Uint8Array): void {
    this.link.receive(bytes);
  }

  private zeroHex(n: number): string {
    let z = this.zeros.get(n);
    if (z === undefined) this.zeros.set(n, (z = "00".repeat(n)));
    return z;
  }

  private answer(p: string): void {
    if (p.startsWith("qSupported")) {
      this.link.send(`PacketSize=${UNPACED_PACKET_SIZE.toString(16)}${this.lossless ? ";QStartNoAckMode+" : ""}`);
    } else if (p === "QStartNoAckMode") {
      this.link.send("OK");
      this.link.enterNoAckMode();
    } else if (p === "?" || p.startsWith("vCont;") || p === "s" || p === "c") {
      this.link.send("S05");
    } else if (p === "vCont?") {
      this.link.send("vCont;c;C;s;S");
    } else if (p === "g") {
      this.link.send(this.zeroHex(16 * 4));
    } else if (p.startsWith("m")) {
      const len = parseInt(p.slice(p.indexOf(",") + 1), 16);
      this.link.send(this.zeroHex(Math.min(len, UNPACED_PACKET_SIZE)));
    } else if (p === "qAttached" || p.startsWith("qAttached:")) {
      this.link.send("1");
    } else if (p.startsWith("H") || p === "D" || p.startsWith("D;")) {
      this.link.send("OK");
    } else {
      this.link.send("");
    }
  }
}
