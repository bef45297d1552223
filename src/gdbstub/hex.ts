// Hex as RSP uses it: payload bytes as pairs of lower-case digits, numbers as big-endian hex
// without a fixed width, register values as little-endian byte pairs ("xx" = unavailable).
// Parsers throw SyntaxError on anything else; the command table turns that into an `E` reply.

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

const HEX_PAIRS = /^(?:[0-9a-fA-F]{2})*$/;

export function hexToBytes(hex: string): Uint8Array {
  if (!HEX_PAIRS.test(hex)) throw new SyntaxError(`Cannot decode hex "${clip(hex)}": not pairs of hex digits`);
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** A hex number of at most 32 bits (addresses, lengths); leading zeros are allowed. */
export function parseHex32(text: string): number {
  // A digit loop rather than regular expressions: every `m` packet parses two of these.
  let value = 0;
  let significant = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = hexDigit(text.charCodeAt(i));
    if (digit < 0) throw new SyntaxError(`Cannot parse number "${clip(text)}": not hex`);
    if (significant > 0 || digit > 0) significant++;
    value = value * 16 + digit;
  }
  if (text.length === 0) throw new SyntaxError(`Cannot parse number "": not hex`);
  if (significant > 8) throw new SyntaxError(`Cannot parse number "${clip(text)}": wider than 32 bits`);
  return value >>> 0;
}

/** The value of a hex digit's character code, or -1. */
function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

/** Encodes a register value little-endian in bits/4 digits; undefined gives "xx" pairs. */
export function registerToHex(value: number | Uint8Array | undefined, bits: number): string {
  const size = bits / 8;
  if (value === undefined) return "xx".repeat(size);
  const out = new Uint8Array(size);
  if (typeof value === "number") {
    let v = value >>> 0;
    for (let i = 0; i < size && i < 4; i++) {
      out[i] = v & 0xff;
      v >>>= 8;
    }
  } else {
    out.set(value.subarray(0, size));
  }
  return bytesToHex(out);
}

/** Decodes a register value written by gdb; all-"x" means "leave it", returned as undefined. */
export function hexToRegister(hex: string, bits: number): number | Uint8Array | undefined {
  const size = bits / 8;
  if (hex.length !== size * 2) {
    throw new SyntaxError(`Cannot decode register value "${clip(hex)}": expected ${size * 2} hex digits`);
  }
  if (/^x+$/i.test(hex)) return undefined;
  const bytes = hexToBytes(hex);
  if (bits > 32) return bytes;
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = (v * 256 + bytes[i]) >>> 0;
  return v;
}

/** Text made safe for gdb's console: printable ASCII, newlines and tabs; anything else becomes '?'. */
export function asciiText(text: string): string {
  return text.replace(/[^\x20-\x7e\n\t]/g, "?");
}

export function textToHex(text: string): string {
  return Buffer.from(asciiText(text), "latin1").toString("hex");
}

function clip(text: string): string {
  return asciiText(text.length > 24 ? `${text.slice(0, 24)}...` : text).replace(/"/g, "'");
}
