// MINIX a.out executables (include/a.out.h of MINIX 3.1): the 32-byte short header (48-byte
// long form in boot-image sectors), magic 01 03, i386 cpu byte, flags, and the text/data/bss/
// entry/total sizes. Pure codecs over bytes; see minix-facts.md section 1.1.

/** First two bytes of every MINIX a.out. */
export const A_MAGIC0 = 0x01;
export const A_MAGIC1 = 0x03;

/** Header sizes: the short form programs carry, the long form boot images carry. */
export const A_MINHDR = 32;
export const A_LONGHDR = 48;

/** a_cpu values. */
export const A_NONE = 0x00;
export const A_I8086 = 0x04;
export const A_I80386 = 0x10;

/** a_flags bits. */
export const A_UZP = 0x01; // unmapped zero page
export const A_PAL = 0x02; // page-aligned executable: the header is part of the text
export const A_NSYM = 0x04; // new-style symbol table
export const A_IMG = 0x08; // image, not an executable
export const A_EXEC = 0x10; // executable, common I&D
export const A_SEP = 0x20; // separate I&D

export interface AoutHeader {
  /** a_flags: A_EXEC for common I&D (text and data share one segment), A_SEP for separate. */
  flags: number;
  /** a_cpu: A_I80386 for our programs. */
  cpu: number;
  /** a_hdrlen: 32 for the short form. */
  hdrlen: number;
  /** a_text: text bytes (for our common-I&D programs, padded so data starts on a click). */
  text: number;
  /** a_data: initialised data bytes. */
  data: number;
  /** a_bss: zeroed bytes after the data, not stored in the file. */
  bss: number;
  /** a_entry: entry point, an offset in the program's code segment. */
  entry: number;
  /** a_total: memory to allocate: data, bss and stack gap, plus the text for common I&D only. */
  total: number;
  /** a_syms: symbol table size; boot loaders overwrite it with the load address. */
  syms: number;
  /** Long-form fields (relocation sizes and bases); 0 in everything we build. */
  trsize?: number;
  drsize?: number;
  tbase?: number;
  dbase?: number;
}

export interface Aout {
  header: AoutHeader;
  text: Uint8Array;
  data: Uint8Array;
}

/** Separate I&D: text and data each from virtual 0, in segments of their own. */
export function isSeparateID(h: AoutHeader): boolean {
  return (h.flags & A_SEP) !== 0;
}

/**
 * Bytes a loaded program occupies, in whole `unit`s (the click or page): for separate I&D the
 * text's units and then the data's (a_total, at least data + bss), for common I&D one block
 * (a_total, at least text + data + bss). The data of a separate-I&D program starts at the
 * returned `dataOffset`.
 */
export function aoutMemoryLayout(h: AoutHeader, unit: number): { bytes: number; dataOffset: number } {
  const round = (n: number) => Math.ceil(n / unit) * unit;
  if (isSeparateID(h)) {
    const text = round(h.text);
    return { bytes: text + round(Math.max(h.total, h.data + h.bss)), dataOffset: text };
  }
  return { bytes: round(Math.max(h.total, h.text + h.data + h.bss)), dataOffset: h.text };
}

/** True when the bytes at `offset` start with the MINIX a.out magic. */
export function hasAoutMagic(bytes: Uint8Array, offset = 0): boolean {
  return bytes.length >= offset + 2 && bytes[offset] === A_MAGIC0 && bytes[offset + 1] === A_MAGIC1;
}

function checkU32(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`Cannot encode a.out header: ${what} is ${value}, expected an unsigned 32-bit number`);
  }
}

/**
 * Encodes a header in the short (32-byte) or long (48-byte) form. The hdrlen field is
 * written as given; pass `long` to get the 48-byte form a boot-image sector holds.
 */
export function encodeAoutHeader(h: AoutHeader, long = false): Uint8Array {
  const out = new Uint8Array(long ? A_LONGHDR : A_MINHDR);
  const v = new DataView(out.buffer);
  for (const [what, value] of [
    ["flags", h.flags],
    ["cpu", h.cpu],
    ["hdrlen", h.hdrlen],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) {
      throw new RangeError(`Cannot encode a.out header: ${what} is ${value}, expected a byte`);
    }
  }
  out[0] = A_MAGIC0;
  out[1] = A_MAGIC1;
  out[2] = h.flags;
  out[3] = h.cpu;
  out[4] = h.hdrlen;
  // a_unused (5) and a_version (6..7) stay 0.
  const words: [string, number][] = [
    ["text", h.text],
    ["data", h.data],
    ["bss", h.bss],
    ["entry", h.entry],
    ["total", h.total],
    ["syms", h.syms],
  ];
  if (long) {
    words.push(["trsize", h.trsize ?? 0], ["drsize", h.drsize ?? 0], ["tbase", h.tbase ?? 0], ["dbase", h.dbase ?? 0]);
  }
  words.forEach(([what, value], i) => {
    checkU32(what, value);
    v.setUint32(8 + 4 * i, value, true);
  });
  return out;
}

/** Decodes a header; reads the long-form fields when hdrlen says 48 and the bytes are there. */
export function decodeAoutHeader(bytes: Uint8Array, offset = 0, what = "a.out"): AoutHeader {
  if (bytes.length < offset + A_MINHDR) {
    throw new SyntaxError(`Cannot read ${what} header: ${bytes.length - offset} bytes, expected at least ${A_MINHDR}`);
  }
  if (!hasAoutMagic(bytes, offset)) {
    const got = Array.from(bytes.subarray(offset, offset + 2), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new SyntaxError(`Cannot read ${what} header: magic is ${got}, expected 01 03`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset + offset);
  const h: AoutHeader = {
    flags: bytes[offset + 2],
    cpu: bytes[offset + 3],
    hdrlen: bytes[offset + 4],
    text: v.getUint32(8, true),
    data: v.getUint32(12, true),
    bss: v.getUint32(16, true),
    entry: v.getUint32(20, true),
    total: v.getUint32(24, true),
    syms: v.getUint32(28, true),
  };
  if (h.hdrlen !== A_MINHDR && h.hdrlen !== A_LONGHDR) {
    throw new SyntaxError(`Cannot read ${what} header: header length is ${h.hdrlen}, expected 32 or 48`);
  }
  if (h.hdrlen === A_LONGHDR && bytes.length >= offset + A_LONGHDR) {
    h.trsize = v.getUint32(32, true);
    h.drsize = v.getUint32(36, true);
    h.tbase = v.getUint32(40, true);
    h.dbase = v.getUint32(44, true);
  }
  return h;
}

/** Encodes a whole executable: header, text, data (no symbols). */
export function encodeAout(a: Aout): Uint8Array {
  if (a.header.text !== a.text.length || a.header.data !== a.data.length) {
    throw new RangeError(
      `Cannot encode a.out: header says text ${a.header.text}/data ${a.header.data} bytes, ` +
        `got ${a.text.length}/${a.data.length}`,
    );
  }
  const head = encodeAoutHeader(a.header, a.header.hdrlen === A_LONGHDR);
  const out = new Uint8Array(head.length + a.text.length + a.data.length);
  out.set(head, 0);
  out.set(a.text, head.length);
  out.set(a.data, head.length + a.text.length);
  return out;
}

/** Decodes a whole executable, checking that text and data fit in the file. */
export function decodeAout(bytes: Uint8Array, what = "a.out"): Aout {
  const header = decodeAoutHeader(bytes, 0, what);
  const textAt = header.hdrlen;
  const dataAt = textAt + header.text;
  const end = dataAt + header.data;
  if (end > bytes.length) {
    throw new RangeError(`Cannot read ${what}: text and data need ${end} bytes, the file has ${bytes.length}`);
  }
  return { header, text: bytes.slice(textAt, dataAt), data: bytes.slice(dataAt, end) };
}
