import { describe, expect, it } from "vitest";
import { BaudPacer, bytesInTime, timeForBytes } from "../../../src/emu/serial/baud-pacer.js";

describe("baud maths (8N1, 10 bit times per byte)", () => {
  it("bytesInTime() counts whole bytes", () => {
    expect(bytesInTime(1000, 9600)).toBe(960);
    expect(bytesInTime(1000, 115200)).toBe(11520);
    expect(bytesInTime(1, 115200)).toBe(11); // 11.52 bytes: only 11 are complete
    expect(bytesInTime(0, 115200)).toBe(0);
    expect(bytesInTime(-5, 115200)).toBe(0);
  });

  it("timeForBytes() is the inverse", () => {
    expect(timeForBytes(960, 9600)).toBe(1000);
    expect(bytesInTime(timeForBytes(12345, 115200), 115200)).toBe(12345);
  });
});

describe("BaudPacer", () => {
  it("releases bytes as their stop bits end, without drift", () => {
    const p = new BaudPacer(9600); // 1.0416 ms per byte
    p.begin(100);
    expect(p.due(100)).toBe(0);
    expect(p.due(101)).toBe(0);
    expect(p.due(102.1)).toBe(2);
    p.sent(2, false);
    expect(p.due(102.1)).toBe(0);
    // Over a long run the count is exact: 9600 bytes in 10 s.
    let sent = 2;
    for (let t = 103; t <= 10100; t += 1) {
      const n = p.due(t);
      p.sent(n, false);
      sent += n;
    }
    expect(sent).toBe(9600);
  });

  it("starts a new busy period after the wire was idle", () => {
    const p = new BaudPacer(10000); // 1 ms per byte
    p.begin(0);
    expect(p.due(3)).toBe(3);
    p.sent(3, true);
    p.begin(50);
    expect(p.due(50)).toBe(0);
    expect(p.due(51)).toBe(1);
    expect(p.msUntilNext(50)).toBe(1);
  });

  it("rejects a bad rate", () => {
    expect(() => new BaudPacer(0)).toThrow(/Cannot pace serial line: baud 0/);
    expect(() => new BaudPacer(1.5)).toThrow(RangeError);
  });
});
