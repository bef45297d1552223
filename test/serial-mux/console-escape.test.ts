import { describe, expect, it } from "vitest";
import { ConsoleEscape } from "../../src/serial-mux/console-escape.js";

const feed = (e: ConsoleEscape, s: string) => {
  const r = e.feed(Buffer.from(s, "latin1"));
  return { send: r.send.toString("latin1"), quit: r.quit };
};

describe("ConsoleEscape", () => {
  it("passes every other byte through, Ctrl-C and Ctrl-A included", () => {
    const e = new ConsoleEscape();
    expect(feed(e, "ls\r\x03\x01\x01\x01\x04")).toEqual({ send: "ls\r\x03\x01\x01\x01\x04", quit: false });
  });

  it("quits on Ctrl-] q, also when the two keys arrive in separate chunks", () => {
    expect(feed(new ConsoleEscape(), "ab\x1dqcd")).toEqual({ send: "ab", quit: true });
    const e = new ConsoleEscape();
    expect(feed(e, "x\x1d")).toEqual({ send: "x", quit: false });
    expect(feed(e, "q")).toEqual({ send: "", quit: true });
  });

  it("sends one Ctrl-] for Ctrl-] Ctrl-], and Ctrl-] plus the key for any other key", () => {
    const e = new ConsoleEscape();
    expect(feed(e, "\x1d\x1d")).toEqual({ send: "\x1d", quit: false });
    expect(feed(e, "\x1dz")).toEqual({ send: "\x1dz", quit: false });
    expect(feed(e, "\x1d")).toEqual({ send: "", quit: false });
    expect(feed(e, "\x1d")).toEqual({ send: "\x1d", quit: false });
    expect(feed(e, "q")).toEqual({ send: "q", quit: false });
  });
});
