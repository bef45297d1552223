import { describe, expect, it } from "vitest";
import { createSerialPair, concatBytes, copyBytes } from "../../../src/emu/serial/index.js";
import { ManualClock } from "./manual-clock.js";

function collect(chunks: Buffer[]): (c: Buffer) => void {
  return (c) => chunks.push(copyBytes(c));
}

describe("createSerialPair() unpaced", () => {
  it("carries bytes both ways, synchronously, unchanged", () => {
    const { testing, development } = createSerialPair();
    const atDev: Buffer[] = [];
    const atTest: Buffer[] = [];
    development.setReceiver(collect(atDev));
    testing.setReceiver(collect(atTest));
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(testing.write(all)).toBe(true);
    development.write(Buffer.from("hi"));
    expect(concatBytes(atDev)).toEqual(all);
    expect(concatBytes(atTest).toString()).toBe("hi");
    expect(testing.stats.txBytes).toBe(256);
    expect(development.stats.rxBytes).toBe(256);
    expect(testing.baud).toBe(0);
    expect(testing.lossless).toBe(true);
  });

  it("with nobody on the other end, discards and counts and never blocks", () => {
    const { testing, development } = createSerialPair();
    expect(testing.peerPresent).toBe(false);
    for (let i = 0; i < 100; i++) expect(testing.write(Buffer.alloc(10_000, 0x41))).toBe(true);
    expect(testing.stats.txDiscarded).toBe(1_000_000);
    expect(testing.stats.txBytes).toBe(0);
    expect(testing.pendingBytes).toBe(0);
    const seen: boolean[] = [];
    testing.onPeerChange((p) => seen.push(p));
    development.setReceiver(() => {});
    expect(testing.peerPresent).toBe(true);
    development.setReceiver(null);
    expect(seen).toEqual([true, false]);
  });

  it("after close, writes are discarded and counted", async () => {
    const { testing, development } = createSerialPair();
    development.setReceiver(() => {});
    await development.close();
    expect(testing.peerPresent).toBe(false);
    testing.write(Buffer.from("abc"));
    development.write(Buffer.from("de"));
    expect(testing.stats.txDiscarded).toBe(3);
    expect(development.stats.txDiscarded).toBe(2);
  });
});

describe("createSerialPair() paced", () => {
  it("delivers exactly the bytes whose 10 bit times have passed", () => {
    const clock = new ManualClock();
    const { testing, development } = createSerialPair({ baud: 9600, clock });
    const got: Buffer[] = [];
    development.setReceiver(collect(got));
    testing.write(Buffer.alloc(2000, 0x55));
    const received = () => got.reduce((n, c) => n + c.length, 0);
    expect(received()).toBe(0);
    clock.advance(100); // 9600 bit/s = 960 byte/s: 96 bytes in 100 ms
    expect(received()).toBe(96);
    clock.advance(900);
    expect(received()).toBe(960);
    expect(testing.pendingBytes).toBe(1040);
    clock.advance(5000);
    expect(received()).toBe(2000);
    expect(testing.stats.txBytes).toBe(2000);
    expect(testing.pendingBytes).toBe(0);
  });

  it("paces each direction on its own", () => {
    const clock = new ManualClock();
    const { testing, development } = createSerialPair({ baud: 115200, clock });
    let toDev = 0;
    let toTest = 0;
    development.setReceiver((c) => (toDev += c.length));
    testing.setReceiver((c) => (toTest += c.length));
    testing.write(Buffer.alloc(50_000));
    development.write(Buffer.alloc(50_000));
    clock.advance(1000);
    expect(toDev).toBe(11520);
    expect(toTest).toBe(11520);
  });

  it("bounds the transmit buffer: overrun is dropped and counted, drain follows", () => {
    const clock = new ManualClock();
    const { testing, development } = createSerialPair({ baud: 10000, clock, bufferBytes: 1000 });
    let got = 0;
    development.setReceiver((c) => (got += c.length));
    let drains = 0;
    testing.onDrain(() => drains++);
    expect(testing.write(Buffer.alloc(400))).toBe(true);
    expect(testing.write(Buffer.alloc(400))).toBe(false); // above half the bound
    expect(testing.write(Buffer.alloc(400))).toBe(false); // 200 of these fit
    expect(testing.stats.txOverrun).toBe(200);
    expect(testing.pendingBytes).toBe(1000);
    clock.advance(600); // 1000 byte/s: 600 bytes out, 400 left, under half
    expect(got).toBe(600);
    expect(drains).toBe(1);
    clock.advance(1000);
    expect(got).toBe(1000);
  });

  it("a paced line with nobody listening still takes wire time, then discards", () => {
    const clock = new ManualClock();
    const { testing } = createSerialPair({ baud: 10000, clock });
    testing.write(Buffer.alloc(100));
    clock.advance(50);
    expect(testing.stats.txDiscarded).toBe(50);
    expect(testing.pendingBytes).toBe(50);
    clock.advance(50);
    expect(testing.stats.txDiscarded).toBe(100);
  });
});
