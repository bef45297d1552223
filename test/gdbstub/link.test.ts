import { describe, expect, it } from "vitest";
import { RspLink, type LinkEvent } from "../../src/gdbstub/link.js";
import { asciiBytes, framePacket } from "../../src/gdbstub/packet.js";

function harness(options: { retryLimit?: number; maxPacketSize?: number; runLength?: boolean } = {}) {
  const sent: string[] = [];
  const events: LinkEvent[] = [];
  const link = new RspLink({
    ...options,
    write: (b) => sent.push(Buffer.from(b).toString("latin1")),
    onEvent: (e) => events.push(e),
  });
  const feed = (s: string) => link.receive(asciiBytes(s));
  return { link, sent, events, feed };
}

describe("RspLink", () => {
  it("acknowledges a good packet and hands it upward", () => {
    const h = harness();
    h.feed("$g#67");
    expect(h.sent).toEqual(["+"]);
    expect(h.events).toEqual([{ kind: "packet", data: asciiBytes("g") }]);
  });

  it("asks for a retransmission of a damaged or truncated packet", () => {
    const h = harness();
    h.feed("$g#00$m0$g#67");
    expect(h.sent).toEqual(["-", "-", "+"]);
    expect(h.events.map((e) => e.kind)).toEqual(["error", "error", "packet"]);
  });

  it("resends the last packet on '-' until the retry limit, then reports it", () => {
    const h = harness({ retryLimit: 2 });
    h.link.send("OK");
    h.feed("--");
    expect(h.sent).toEqual(["$OK#9a", "$OK#9a", "$OK#9a"]);
    expect(h.link.pending).not.toBeNull();
    h.feed("-");
    expect(h.sent.length).toBe(3);
    expect(h.link.pending).toBeNull();
    expect(h.events).toEqual([
      { kind: "error", code: "retries", message: "Cannot deliver packet: no acknowledgement after 2 retransmissions" },
    ]);
  });

  it("forgets the last packet once it is acknowledged", () => {
    const h = harness();
    h.link.send("S05");
    h.feed("+-");
    expect(h.sent).toEqual(["$S05#b8"]);
    expect(h.link.pending).toBeNull();
  });

  it("stops acknowledging and retransmitting in no-ack mode", () => {
    const h = harness();
    h.feed("$QStartNoAckMode#b0");
    h.link.send("OK");
    h.link.enterNoAckMode();
    h.feed("+$g#67$g#00-");
    expect(h.sent).toEqual(["+", "$OK#9a"]);
    expect(h.events.map((e) => e.kind)).toEqual(["packet", "packet", "error"]);
    expect(h.link.noAck).toBe(true);
  });

  it("takes an intact oversize packet and passes it up as rejected, instead of a resend loop", () => {
    const h = harness({ maxPacketSize: 4 });
    h.link.receive(framePacket("m1234,5"));
    expect(h.sent).toEqual(["+"]);
    expect(h.events).toEqual([{ kind: "rejected", code: "oversize", message: "Cannot receive packet: longer than 4 bytes" }]);
  });

  it("passes Ctrl-C upward without acknowledging it", () => {
    const h = harness();
    h.feed("\x03");
    expect(h.sent).toEqual([]);
    expect(h.events).toEqual([{ kind: "interrupt" }]);
  });

  it("run-length encodes what it sends when asked", () => {
    const h = harness({ runLength: true });
    h.link.send("0".repeat(16));
    expect(h.sent[0].length).toBeLessThan(20);
    expect(h.sent[0]).toMatch(/^\$0\*.*#[0-9a-f]{2}$/);
  });
});
