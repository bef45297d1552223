// MINIX a.out header and executable codecs: byte layout, round trips, bad input.
import { describe, expect, it } from "vitest";
import {
  A_EXEC,
  A_I80386,
  A_LONGHDR,
  A_MINHDR,
  A_SEP,
  aoutMemoryLayout,
  decodeAout,
  decodeAoutHeader,
  isSeparateID,
  encodeAout,
  encodeAoutHeader,
  type AoutHeader,
} from "../../src/minix/aout.js";

const header: AoutHeader = {
  flags: A_EXEC,
  cpu: A_I80386,
  hdrlen: A_MINHDR,
  text: 0x1234,
  data: 0x56,
  bss: 0x789a,
  entry: 0x10,
  total: 0x12345678,
  syms: 0xdeadbeef,
};

describe("encodeAoutHeader()", () => {
  it("writes magic, flags, cpu, hdrlen and the sizes at MINIX's offsets", () => {
    const b = encodeAoutHeader(header);
    expect(b.length).toBe(32);
    expect([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]).toEqual([0x01, 0x03, 0x10, 0x10, 32, 0, 0, 0]);
    const v = new DataView(b.buffer);
    expect(v.getUint32(8, true)).toBe(0x1234);
    expect(v.getUint32(12, true)).toBe(0x56);
    expect(v.getUint32(16, true)).toBe(0x789a);
    expect(v.getUint32(20, true)).toBe(0x10);
    expect(v.getUint32(24, true)).toBe(0x12345678);
    expect(v.getUint32(28, true)).toBe(0xdeadbeef);
  });

  it("writes the 48-byte long form with relocation fields", () => {
    const b = encodeAoutHeader({ ...header, hdrlen: A_LONGHDR, trsize: 1, drsize: 2, tbase: 3, dbase: 4 }, true);
    expect(b.length).toBe(48);
    expect(decodeAoutHeader(b)).toMatchObject({ hdrlen: 48, trsize: 1, drsize: 2, tbase: 3, dbase: 4 });
  });

  it("rejects a size that does not fit 32 bits", () => {
    expect(() => encodeAoutHeader({ ...header, text: 2 ** 32 })).toThrow(/text is 4294967296/);
    expect(() => encodeAoutHeader({ ...header, flags: 256 })).toThrow(RangeError);
  });
});

describe("decodeAoutHeader()", () => {
  it("round-trips every field", () => {
    expect(decodeAoutHeader(encodeAoutHeader(header))).toEqual(header);
  });

  it("rejects a bad magic, naming the bytes", () => {
    const b = encodeAoutHeader(header);
    b[1] = 0x0b;
    expect(() => decodeAoutHeader(b)).toThrow("Cannot read a.out header: magic is 01 0b, expected 01 03");
  });

  it("rejects a short buffer and an odd header length", () => {
    expect(() => decodeAoutHeader(new Uint8Array(20))).toThrow(/20 bytes, expected at least 32/);
    const b = encodeAoutHeader(header);
    b[4] = 40;
    expect(() => decodeAoutHeader(b)).toThrow(/header length is 40/);
  });
});

describe("encodeAout() / decodeAout()", () => {
  it("round-trips header, text and data", () => {
    const text = Uint8Array.from({ length: 0x1234 }, (_, i) => i & 0xff);
    const data = Uint8Array.from({ length: 0x56 }, (_, i) => 0xff - i);
    const bytes = encodeAout({ header: { ...header, flags: A_SEP }, text, data });
    expect(bytes.length).toBe(32 + 0x1234 + 0x56);
    const back = decodeAout(bytes);
    expect(back.header.flags).toBe(A_SEP);
    expect(back.text).toEqual(text);
    expect(back.data).toEqual(data);
  });

  it("refuses a file shorter than its header says", () => {
    const bytes = encodeAout({ header: { ...header, text: 4, data: 4 }, text: new Uint8Array(4), data: new Uint8Array(4) });
    expect(() => decodeAout(bytes.subarray(0, 38), '"x"')).toThrow('Cannot read "x": text and data need 40 bytes, the file has 38');
  });

  it("refuses text that does not match the header", () => {
    expect(() => encodeAout({ header, text: new Uint8Array(3), data: new Uint8Array(0x56) })).toThrow(/header says text/);
  });

  it("lays a program out in memory: one block for common I&D, text pages then data pages for separate", () => {
    const common = { ...header, text: 0x1234, data: 0x56, bss: 0x100, total: 0x9000 };
    expect(isSeparateID(common)).toBe(false);
    expect(aoutMemoryLayout(common, 4096)).toEqual({ bytes: 0x9000, dataOffset: 0x1234 });
    const sep = { ...common, flags: A_SEP, total: 0x3000 };
    expect(isSeparateID(sep)).toBe(true);
    // Text 0x1234 takes 2 pages; a_total (data, bss, stack) 3 more; data starts on page 2.
    expect(aoutMemoryLayout(sep, 4096)).toEqual({ bytes: 0x5000, dataOffset: 0x2000 });
    // a_total smaller than data + bss (a bad chmem) still leaves room for them.
    expect(aoutMemoryLayout({ ...sep, data: 0x2000, bss: 0x1800, total: 0x100 }, 4096).bytes).toBe(0x2000 + 0x4000);
  });
});
