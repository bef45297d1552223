import { describe, expect, it } from "vitest";
import { consoleToLine, debugToLine, splitFromLine } from "../../src/serial-mux/index.js";
import { concatBytes } from "../../src/emu/serial/index.js";

const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe("splitFromLine()", () => {
  it("routes every byte value by bit 7, clearing it on the debug side", () => {
    const { console, debug } = splitFromLine(every);
    expect([...console]).toEqual(Array.from({ length: 128 }, (_, i) => i));
    expect([...debug]).toEqual(Array.from({ length: 128 }, (_, i) => i));
  });

  it("keeps each stream's order when the two are interleaved", () => {
    const line = Buffer.from([0x41, 0x80 | 0x24, 0x42, 0x80 | 0x67, 0x80 | 0x23, 0x43]);
    const { console, debug } = splitFromLine(line);
    expect(console.toString()).toBe("ABC");
    expect(debug.toString()).toBe("$g#");
  });

  it("gives the same streams whatever the chunk boundaries", () => {
    const line = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + (i >> 3)) & 0xff));
    const whole = splitFromLine(line);
    for (let cut = 0; cut <= line.length; cut += 7) {
      const a = splitFromLine(line.subarray(0, cut));
      const b = splitFromLine(line.subarray(cut));
      expect(concatBytes([a.console, b.console])).toEqual(whole.console);
      expect(concatBytes([a.debug, b.debug])).toEqual(whole.debug);
    }
  });

  it("does not copy a chunk of pure console text and does not modify its input", () => {
    const text = Buffer.from("boot log\r\n");
    expect(splitFromLine(text).console).toBe(text);
    const mixed = Buffer.from([0x41, 0xc1]);
    splitFromLine(mixed);
    expect([...mixed]).toEqual([0x41, 0xc1]);
  });
});

describe("debugToLine()", () => {
  it("sets bit 7 on every byte and round-trips through splitFromLine()", () => {
    const rsp = Buffer.from("$qSupported:multiprocess+#c6\x03+-");
    const { line, highBytes } = debugToLine(rsp);
    expect(highBytes).toBe(0);
    expect(line.every((b) => b >= 0x80)).toBe(true);
    const back = splitFromLine(line);
    expect(back.console.length).toBe(0);
    expect(back.debug).toEqual(rsp);
  });

  it("counts bytes that already had bit 7 set (only their low 7 bits survive)", () => {
    const { line, highBytes } = debugToLine(Buffer.from([0x24, 0xe9, 0xff]));
    expect(highBytes).toBe(2);
    expect([...line]).toEqual([0xa4, 0xe9, 0xff]);
  });
});

describe("consoleToLine()", () => {
  it("passes 7-bit bytes as they are, including control characters", () => {
    const keys = Buffer.from("ls\r\x03\x01\x1b[A\x7f");
    const { line, dropped } = consoleToLine(keys);
    expect(dropped).toBe(0);
    expect(line).toBe(keys);
  });

  it("drops and counts bytes >= 0x80 so they never reach the debugger", () => {
    const { line, dropped } = consoleToLine(Buffer.from("caf\u00e9!", "utf8")); // é = c3 a9
    expect(dropped).toBe(2);
    expect(line.toString()).toBe("caf!");
    expect(splitFromLine(line).debug.length).toBe(0);
    const all = consoleToLine(every);
    expect(all.dropped).toBe(128);
    expect(all.line.length).toBe(128);
  });
});
