import { describe, expect, it } from "vitest";
import { countHighBytes, withHighBit, withoutHighBit, withoutHighBitIfAllHigh } from "../../../src/emu/serial/bytes.js";

/** Views of one buffer at every alignment and at lengths around the word-wise threshold. */
function views(): Uint8Array[] {
  const backing = new Uint8Array(300);
  for (let i = 0; i < backing.length; i++) backing[i] = (i * 73 + 5) & 0xff;
  const out: Uint8Array[] = [];
  for (const offset of [0, 1, 2, 3, 5]) {
    for (const length of [0, 1, 7, 31, 32, 33, 64, 67, 250]) out.push(backing.subarray(offset, offset + length));
  }
  return out;
}

describe("bit-7 helpers", () => {
  it("countHighBytes counts bytes >= 0x80 at every alignment and length", () => {
    for (const v of views()) {
      const naive = [...v].filter((b) => b >= 0x80).length;
      expect(countHighBytes(v), `offset ${v.byteOffset} length ${v.length}`).toBe(naive);
    }
  });

  it("withHighBit and withoutHighBit set and clear bit 7 of every byte into a new buffer", () => {
    for (const v of views()) {
      const before = [...v];
      expect([...withHighBit(v)]).toEqual(before.map((b) => b | 0x80));
      expect([...withoutHighBit(v)]).toEqual(before.map((b) => b & 0x7f));
      expect([...v]).toEqual(before);
    }
  });

  it("withoutHighBitIfAllHigh clears bit 7 only when every byte has it, else returns null", () => {
    for (const v of views()) {
      const high = withHighBit(v);
      const cleared = withoutHighBitIfAllHigh(high);
      if (v.length === 0) expect(cleared).toBeNull();
      else expect(cleared === null ? null : [...cleared], `length ${v.length}`).toEqual([...high].map((b) => b & 0x7f));
      // One low byte anywhere (first, middle word, last) means a mixed chunk.
      for (const at of [0, v.length >> 1, v.length - 1]) {
        if (at < 0 || at >= v.length) continue;
        const mixed = Uint8Array.from(high);
        mixed[at] = 0x41;
        expect(withoutHighBitIfAllHigh(mixed), `length ${v.length}, low byte at ${at}`).toBeNull();
      }
    }
  });
});
