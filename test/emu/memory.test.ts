import { describe, expect, it } from "vitest";
import { MachineMemory, PAGE_SIZE } from "../../src/emu/memory.js";

describe("MachineMemory", () => {
  it("reads back little-endian values across widths", () => {
    const m = new MachineMemory(2 * PAGE_SIZE);
    m.write32(0x10, 0x11223344);
    expect(m.read8(0x10)).toBe(0x44);
    expect(m.read16(0x12)).toBe(0x1122);
    expect(m.read32(0x10)).toBe(0x11223344);
    m.write32(0xffe, 0xdeadbeef); // straddles a frame boundary
    expect(m.read32(0xffe)).toBe(0xdeadbeef);
  });

  it("tells code owners once per written code frame", () => {
    const m = new MachineMemory(4 * PAGE_SIZE);
    const seen: number[] = [];
    m.onCodeWrite((f) => seen.push(f));
    m.codeFrames[1] = 1;
    m.codeFrames[2] = 1;
    m.write8(0x10, 1); // frame 0 holds no code
    m.writeBytes(0x1ffe, new Uint8Array(4)); // frames 1 and 2
    m.write8(0x1000, 2); // frame 1 already invalidated
    expect(seen).toEqual([1, 2]);
    expect(m.codeFrames[1]).toBe(0);
  });

  it("refuses sizes that are not whole frames and accesses beyond the end", () => {
    expect(() => new MachineMemory(1000)).toThrow(RangeError);
    const m = new MachineMemory(PAGE_SIZE);
    expect(() => m.read32(PAGE_SIZE - 2)).toThrow(/beyond 4096 bytes/);
  });
});
