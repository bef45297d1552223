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
