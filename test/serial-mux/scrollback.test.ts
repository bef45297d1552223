import { describe, expect, it } from "vitest";
import { Scrollback } from "../../src/serial-mux/index.js";

describe("Scrollback", () => {
  it("keeps everything while under capacity", () => {
    const s = new Scrollback(16);
    s.append(Buffer.from("hello "));
    s.append(Buffer.from("world"));
    expect(s.snapshot().toString()).toBe("hello world");
  });

  it("keeps only the newest bytes once it wraps, oldest first", () => {
    const s = new Scrollback(8);
    s.append(Buffer.from("abcdef"));
    s.append(Buffer.from("ghij"));
    expect(s.snapshot().toString()).toBe("cdefghij");
    s.append(Buffer.from("0123456789xyz"));
    expect(s.snapshot().toString()).toBe("6789xyz".padStart(8, "5"));
    expect(s.length).toBe(8);
  });

  it("matches the tail of the whole stream for any sequence of chunk sizes", () => {
    const s = new Scrollback(100);
    let all = "";
    for (let i = 1; i < 60; i++) {
      const chunk = String.fromCharCode(65 + (i % 26)).repeat((i * 7) % 23);
      all += chunk;
      s.append(Buffer.from(chunk));
      expect(s.snapshot().toString()).toBe(all.slice(-100));
    }
  });

  it("with capacity 0 keeps nothing", () => {
    const s = new Scrollback(0);
    s.append(Buffer.from("x"));
    expect(s.snapshot().length).toBe(0);
  });
});
