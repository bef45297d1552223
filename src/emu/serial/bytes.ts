// Byte-array helpers that type-check with @types/node 20.9 under TypeScript 5.9, where Buffer
// is not assignable to Uint8Array<ArrayBufferLike> (so Buffer.concat(Buffer[]) and
// Buffer.from(Buffer) are rejected by the compiler although they work at run time).
import type { Bytes } from "./line-end.js";

/** One new Buffer holding `chunks` end to end. */
export function concatBytes(chunks: readonly Bytes[]): Buffer {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = Buffer.allocUnsafe(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A new Buffer with a copy of `bytes`. */
export function copyBytes(bytes: Bytes): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  out.set(bytes);
  return out;
}

/** The same Buffer typed as Uint8Array, for node APIs typed that way (socket.write); no copy. */
export function asUint8Array(bytes: Buffer): Uint8Array {
  return bytes as unknown as Uint8Array;
}

// Bit-7 work on whole chunks (the serial line marks debugger bytes with bit 7): these run on
// every byte of a 16 MiB memory dump, so they go four bytes at a time through an Int32Array
// view of the 4-aligned middle of the chunk, and byte by byte only at the ends or for short
// chunks.

/** Below this length a plain byte loop is as fast as setting up a word view. */
const WORD_MIN_BYTES = 32;

/** The 4-aligned word span of `b`: its first aligned byte index and an Int32Array over the words. */
function wordSpan(b: Bytes): { start: number; words: Int32Array } | null {
  if (b.length < WORD_MIN_BYTES) return null;
  const start = (4 - (b.byteOffset & 3)) & 3;
  return { start, words: new Int32Array(b.buffer, b.byteOffset + start, (b.length - start) >>> 2) };
}

/** How many bytes of `bytes` have bit 7 set. */
export function countHighBytes(bytes: Bytes): number {
  const span = wordSpan(bytes);
  if (span === null) {
    let n = 0;
    for (let i = 0; i < bytes.length; i++) n += bytes[i]! >>> 7;
    return n;
  }
  let n = 0;
  const { start, words } = span;
  for (let i = 0; i < start; i++) n += bytes[i]! >>> 7;
  for (let k = 0; k < words.length; k++) {
    // One bit per byte lane, then all four lanes summed into the top byte.
    n += Math.imul((words[k]! >>> 7) & 0x01010101, 0x01010101) >>> 24;
  }
  for (let i = start + words.length * 4; i < bytes.length; i++) n += bytes[i]! >>> 7;
  return n;
}

/** A new Buffer with every byte of `bytes` ORed with `mask` (or ANDed when `and` is true). */
function mapEachByte(bytes: Bytes, mask: number, and: boolean): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  out.set(bytes);
  const span = wordSpan(out);
  const start = span === null ? out.length : span.start;
  const tail = span === null ? out.length : start + span.words.length * 4;
  const edge = (i: number) => {
    out[i] = and ? out[i]! & mask : out[i]! | mask;
  };
  for (let i = 0; i < start; i++) edge(i);
  if (span !== null) {
    const words = span.words;
    const wordMask = Math.imul(mask, 0x01010101);
    if (and) for (let k = 0; k < words.length; k++) words[k]! &= wordMask;
    else for (let k = 0; k < words.length; k++) words[k]! |= wordMask;
  }
  for (let i = tail; i < out.length; i++) edge(i);
  return out;
}

/** A new Buffer holding `bytes` with bit 7 set on each. */
export function withHighBit(bytes: Bytes): Buffer {
  return mapEachByte(bytes, 0x80, false);
}

/** A new Buffer holding `bytes` with bit 7 cleared on each. */
export function withoutHighBit(bytes: Bytes): Buffer {
  return mapEachByte(bytes, 0x7f, true);
}

/**
 * A new Buffer holding `bytes` with bit 7 cleared, if every byte had it set; otherwise null.
 * One pass instead of countHighBytes() and withoutHighBit() for the common all-debugger chunk.
 */
export function withoutHighBitIfAllHigh(bytes: Bytes): Buffer | null {
  if (bytes.length === 0 || bytes[0]! < 0x80) return null;
  const out = Buffer.allocUnsafe(bytes.length);
  out.set(bytes);
  const span = wordSpan(out);
  const start = span === null ? out.length : span.start;
  const tail = span === null ? out.length : start + span.words.length * 4;
  let all = 0x80;
  for (let i = 0; i < start; i++) {
    all &= out[i]!;
    out[i] = out[i]! & 0x7f;
  }
  if (span !== null) {
    const words = span.words;
    let allWords = -1;
    for (let k = 0; k < words.length; k++) {
      const w = words[k]!;
      allWords &= w;
      words[k] = w & 0x7f7f7f7f;
    }
    if ((allWords & 0x80808080) !== (0x80808080 | 0)) return null;
  }
  for (let i = tail; i < out.length; i++) {
    all &= out[i]!;
    out[i] = out[i]! & 0x7f;
  }
  return (all & 0x80) !== 0 ? out : null;
}
