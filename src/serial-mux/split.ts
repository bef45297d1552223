// The splitter's routing rule, as Xen 2.0's nsplitd applied it to the serial line: bytes with
// bit 7 set are debugger (GDB remote protocol) traffic, all others console text. Pure functions
// over whole chunks; no line buffering, and no state is carried between chunks (each byte is
// routed on its own value), so a chunk boundary can fall anywhere.
//
// The other way, debugger bytes go out with bit 7 set and console bytes as they are. A console
// byte >= 0x80 cannot be carried: on the line it would be read as debugger traffic, so it is
// dropped (never reaching the debugger) and counted for the caller to report. A debugger byte
// >= 0x80 is sent with bit 7 set like any other and arrives as its low 7 bits; RSP is kept
// 7-bit clean (binary X packets are not offered by the stub), and the caller counts such bytes.

import { countHighBytes, withHighBit, withoutHighBitIfAllHigh } from "../emu/serial/bytes.js";

/** Bit 7: marks a byte on the serial line as debugger traffic. */
export const DEBUG_BIT = 0x80;

export interface LineSplit {
  /** Console bytes, in order (a view of the input when nothing else was in the chunk). */
  readonly console: Buffer;
  /** Debugger bytes with bit 7 cleared, in order. */
  readonly debug: Buffer;
}

const NONE = Buffer.alloc(0);

/** Splits bytes read from the serial line into the console and debugger streams. */
export function splitFromLine(chunk: Buffer): LineSplit {
  const n = chunk.length;
  // A chunk of debugger bytes only is the common case under gdb (memory dumps): one word-wise pass.
  const onlyDebug = withoutHighBitIfAllHigh(chunk);
  if (onlyDebug !== null) return { console: NONE, debug: onlyDebug };
  const high = countHighBytes(chunk);
  if (high === 0) return { console: chunk, debug: NONE };
  const debug = Buffer.allocUnsafe(high);
  const console = Buffer.allocUnsafe(n - high);
  let c = 0;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const b = chunk[i]!;
    if (b & DEBUG_BIT) debug[d++] = b & 0x7f;
    else console[c++] = b;
  }
  return { console, debug };
}

export interface DebugToLine {
  /** The bytes to send on the line, each with bit 7 set. */
  readonly line: Buffer;
  /** How many input bytes already had bit 7 set (their top bit is lost on the way). */
  readonly highBytes: number;
}

/** Marks bytes from the debugger client for the line: bit 7 set on each. */
export function debugToLine(chunk: Buffer): DebugToLine {
  return { line: withHighBit(chunk), highBytes: countHighBytes(chunk) };
}

export interface ConsoleToLine {
  /** The bytes to send on the line (a view of the input when every byte could be carried). */
  readonly line: Buffer;
  /** Bytes >= 0x80 that were dropped because the line cannot carry them as console text. */
  readonly dropped: number;
}

/** Filters bytes from a console client for the line: bytes >= 0x80 are dropped and counted. */
export function consoleToLine(chunk: Buffer): ConsoleToLine {
  const n = chunk.length;
  const high = countHighBytes(chunk);
  if (high === 0) return { line: chunk, dropped: 0 };
  const line = Buffer.allocUnsafe(n - high);
  let c = 0;
  for (let i = 0; i < n; i++) {
    const b = chunk[i]!;
    if (b < DEBUG_BIT) line[c++] = b;
  }
  return { line, dropped: high };
}
