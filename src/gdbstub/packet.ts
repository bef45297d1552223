// GDB remote serial protocol framing: `$body#cs` packets, `}` escaping, `*` run-length
// encoding, `+`/`-` acknowledgements and the out-of-band 0x03 interrupt (GDB manual,
// "Remote Protocol: Overview"). Pure: bytes in, bytes or decoder events out, no I/O.
// Everything this file emits is 7-bit clean, because the serial line uses bit 7 to tell
// debugger bytes from console bytes.

export const PACKET_START = 0x24; // '$'
export const PACKET_END = 0x23; // '#'
export const ESCAPE = 0x7d; // '}'  next byte is XOR 0x20
export const RUN_LENGTH = 0x2a; // '*'  next byte is a repeat count + 29
export const ACK = 0x2b; // '+'
export const NAK = 0x2d; // '-'
export const INTERRUPT = 0x03; // Ctrl-C, sent raw between packets

/** XOR applied to an escaped byte. */
const ESCAPE_XOR = 0x20;
/** A run-length count byte is the number of extra repeats plus this. */
const RUN_LENGTH_BIAS = 29;
/** Repeat counts a count byte can carry: bytes 32..126 (printable). */
const RUN_MIN_REPEATS = 3;
const RUN_MAX_REPEATS = 126 - RUN_LENGTH_BIAS;

/** Default largest packet body accepted, in bytes between `$` and `#` (and after decoding). */
export const DEFAULT_MAX_PACKET_SIZE = 0x4000;

const HEX_DIGITS = "0123456789abcdef";

/** Sum of the bytes modulo 256: the RSP checksum. */
export function checksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0;
  let i = start;
  if (end - start >= 64) {
    // Large replies (memory dumps): four bytes per step through a word view of the aligned middle.
    const aligned = Math.min(end, i + ((4 - ((bytes.byteOffset + i) & 3)) & 3));
    for (; i < aligned; i++) sum += bytes[i];
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, (end - i) >>> 2);
    for (let k = 0; k < words.length; k++) {
      const w = words[k];
      const pairs = (w & 0x00ff00ff) + ((w >>> 8) & 0x00ff00ff);
      sum += (pairs & 0xffff) + (pairs >>> 16);
    }
    i += words.length * 4;
  }
  for (; i < end; i++) sum += bytes[i];
  return sum & 0xff;
}

/** True for the bytes that must be escaped inside a binary payload: `$ # } *`. */
export function needsEscape(byte: number): boolean {
  return byte === PACKET_START || byte === PACKET_END || byte === ESCAPE || byte === RUN_LENGTH;
}

/** Escapes `$ # } *` as `}` followed by the byte XOR 0x20 (binary payloads such as qXfer). */
export function escapeBinary(data: Uint8Array): Uint8Array {
  let extra = 0;
  for (const b of data) if (needsEscape(b)) extra++;
  if (extra === 0) return data;
  const out = new Uint8Array(data.length + extra);
  let j = 0;
  for (const b of data) {
    if (needsEscape(b)) {
      out[j++] = ESCAPE;
      out[j++] = b ^ ESCAPE_XOR;
    } else {
      out[j++] = b;
    }
  }
  return out;
}

/** Undoes escapeBinary(). A trailing lone `}` is a SyntaxError. */
export function unescapeBinary(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  let j = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === ESCAPE) {
      if (i + 1 >= data.length) throw new SyntaxError("Cannot unescape data: it ends with a lone '}'");
      out[j++] = data[++i] ^ ESCAPE_XOR;
    } else {
      out[j++] = data[i];
    }
  }
  return out.subarray(0, j);
}

/** True when `count` extra repeats can be written as one count byte GDB accepts. */
function isUsableRepeatCount(count: number): boolean {
  const c = count + RUN_LENGTH_BIAS;
  return count >= RUN_MIN_REPEATS && count <= RUN_MAX_REPEATS && c !== PACKET_START && c !== PACKET_END;
}

/**
 * Run-length encodes a packet body the way gdbserver does: a byte followed by `*` and a
 * count byte (extra repeats + 29). Counts that would be `#` or `$` are avoided. Operates on
 * the body as sent (after escaping), which is also the level at which GDB expands runs.
 */
export function encodeRunLength(body: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < body.length) {
    const b = body[i];
    let run = 1;
    while (i + run < body.length && body[i + run] === b) run++;
    i += run;
    while (run > 0) {
      out.push(b);
      run--;
      let repeats = Math.min(run, RUN_MAX_REPEATS);
      while (repeats >= RUN_MIN_REPEATS && !isUsableRepeatCount(repeats)) repeats--;
      if (repeats >= RUN_MIN_REPEATS) {
        out.push(RUN_LENGTH, repeats + RUN_LENGTH_BIAS);
        run -= repeats;
      }
    }
  }
  return Uint8Array.from(out);
}

/**
 * Expands `*` runs of a body as sent. A `*` with no byte before it, or with a count byte
 * outside 32..126, is a SyntaxError.
 */
export function decodeRunLength(body: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const b = body[i];
    if (b !== RUN_LENGTH) {
      out.push(b);
      continue;
    }
    if (i === 0) throw new SyntaxError("Cannot expand run-length: '*' at offset 0 has no byte to repeat");
    if (i + 1 >= body.length) throw new SyntaxError(`Cannot expand run-length: '*' at offset ${i} has no count`);
    const count = body[++i] - RUN_LENGTH_BIAS;
    if (count < RUN_MIN_REPEATS || count > RUN_MAX_REPEATS) {
      throw new SyntaxError(`Cannot expand run-length: count byte 0x${hex2(body[i])} at offset ${i} is outside 32..126`);
    }
    const prev = body[i - 2];
    for (let k = 0; k < count; k++) out.push(prev);
  }
  return Uint8Array.from(out);
}

/** Two lower-case hex digits of a byte. */
export function hex2(byte: number): string {
  return HEX_DIGITS[(byte >> 4) & 0xf] + HEX_DIGITS[byte & 0xf];
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

export interface FrameOptions {
  /** Run-length encode the body (GDB always decodes it). @default false */
  runLength?: boolean;
}

/**
 * Frames a body as `$body#cs`. The body must already be escaped where its packet type
 * calls for it; a raw `$`, `#` or `*` in it, or any byte >= 0x80, is a RangeError, so a reply
 * that would break framing or the 7-bit line never leaves the stub.
 */
export function framePacket(body: Uint8Array | string, options: FrameOptions = {}): Uint8Array {
  if (options.runLength === true) {
    const bytes = typeof body === "string" ? asciiBytes(body) : body;
    checkBody(bytes, 0, bytes.length);
    return frameChecked(encodeRunLength(bytes));
  }
  if (typeof body !== "string") {
    checkBody(body, 0, body.length);
    return frameChecked(body);
  }
  // Replies are mostly long strings of hex: a regular expression looks for what may not be
  // sent, then a native copy and a word-wise sum (a byte loop here dominated memory dumps).
  const bad = UNFRAMEABLE.exec(body);
  if (bad !== null) {
    const c = bad[0].charCodeAt(0);
    checkBody(Uint8Array.of(c > 0xff ? 0xff : c), 0, 1, bad.index);
  }
  const out = new Uint8Array(body.length + 4);
  out[0] = PACKET_START;
  Buffer.from(out.buffer, out.byteOffset, out.length).write(body, 1, "latin1");
  return finishFrame(out, body.length, checksum(out, 1, body.length + 1));
}

/** Each byte's two hex digits as one 16-bit word in memory order, and their sum. */
const HEX_PAIR = new Uint16Array(256);
const HEX_PAIR_SUM = new Uint16Array(256);
{
  const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
  for (let b = 0; b < 256; b++) {
    const hi = HEX_DIGITS.charCodeAt(b >> 4);
    const lo = HEX_DIGITS.charCodeAt(b & 0xf);
    HEX_PAIR[b] = littleEndian ? hi | (lo << 8) : (hi << 8) | lo;
    HEX_PAIR_SUM[b] = hi + lo;
  }
}

/**
 * Frames `data` as a hex payload, `$<hex>#cs`, straight from the bytes: one pass writes two
 * digits per byte and sums them. Hex digits are always 7-bit clean and never framing bytes.
 */
export function frameHex(data: Uint8Array): Uint8Array {
  const n = data.length;
  // One spare byte in front puts the digits at an even offset, where a Uint16Array may look
  // (Node's pool hands out 8-aligned slices). From the pool: every byte of the frame is
  // written below, and a fresh typed array per reply cost more than the hex loop of a stepi.
  const pooled = Buffer.allocUnsafe(2 * n + 5);
  const buffer = new Uint8Array(pooled.buffer, pooled.byteOffset, pooled.length);
  const out = buffer.subarray(1);
  out[0] = PACKET_START;
  const pairs = new Uint16Array(buffer.buffer, buffer.byteOffset + 2, n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const b = data[i];
    pairs[i] = HEX_PAIR[b];
    sum += HEX_PAIR_SUM[b];
  }
  return finishFrame(out, 2 * n, sum & 0xff);
}

/** A character that would break framing (`$ # *`) or the 7-bit line. */
const UNFRAMEABLE = new RegExp(`[^\\x00-\\x7f]|[${String.fromCharCode(PACKET_START, PACKET_END, RUN_LENGTH)}]`);

function checkBody(bytes: Uint8Array, start: number, end: number, offsetBase = 0): void {
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b >= 0x80) {
      throw new RangeError(`Cannot frame packet: byte 0x${hex2(b)} at offset ${i + offsetBase} is not 7-bit clean`);
    }
    if (b === PACKET_START || b === PACKET_END || b === RUN_LENGTH) {
      throw new RangeError(`Cannot frame packet: unescaped '${String.fromCharCode(b)}' at offset ${i + offsetBase}`);
    }
  }
}

function frameChecked(sent: Uint8Array): Uint8Array {
  const out = new Uint8Array(sent.length + 4);
  out[0] = PACKET_START;
  out.set(sent, 1);
  return finishFrame(out, sent.length, checksum(sent));
}

function finishFrame(out: Uint8Array, bodyLength: number, cs: number): Uint8Array {
  out[bodyLength + 1] = PACKET_END;
  out[bodyLength + 2] = HEX_DIGITS.charCodeAt(cs >> 4);
  out[bodyLength + 3] = HEX_DIGITS.charCodeAt(cs & 0xf);
  return out;
}

/** Latin-1 bytes of a string; a character above 0xff is a RangeError. */
export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`Cannot encode text: character U+${c.toString(16)} at offset ${i} is not a byte`);
    out[i] = c;
  }
  return out;
}

/** Why the decoder threw bytes away. */
export type FramingErrorCode =
  /** The checksum did not match or was not two hex digits: the sender should retransmit. */
  | "checksum"
  /** A new `$` arrived before the packet ended: bytes were lost, the sender should retransmit. */
  | "truncated"
  /** Bytes outside any packet that are not `+`, `-` or 0x03. */
  | "garbage"
  /** The packet arrived intact but is longer than the maximum packet size. */
  | "oversize"
  /** The packet arrived intact but its escapes or run-length counts are invalid. */
  | "malformed";

export type DecoderEvent =
  | { kind: "packet"; data: Uint8Array }
  | { kind: "ack" }
  | { kind: "nak" }
  | { kind: "interrupt" }
  | { kind: "error"; code: FramingErrorCode; message: string };

const enum State {
  Idle,
  Body,
  Checksum1,
  Checksum2,
}

export interface DecoderOptions {
  /** Largest body, both as sent and after expanding escapes and runs. @default DEFAULT_MAX_PACKET_SIZE */
  maxPacketSize?: number;
}

/**
 * Streaming RSP decoder: push() any chunking of the byte stream and get the same events.
 * Bodies are returned with runs expanded first and escapes removed second, which is the
 * order GDB itself applies. A raw 0x03 inside a packet is data (binary payloads carry it);
 * only between packets is it an interrupt. Garbage is reported once per run, when the run ends.
 */
export class PacketDecoder {
  readonly maxPacketSize: number;
  private state = State.Idle;
  private buf: Uint8Array;
  private len = 0;
  private sentLen = 0;
  private sum = 0;
  private sentChecksum = 0;
  private checksumBad = false;
  private prevSent = -1;
  private countNext = false;
  private escapePending = false;
  private problem: FramingErrorCode | null = null;
  private problemMessage = "";
  private garbage = 0;

  constructor(options: DecoderOptions = {}) {
    const max = options.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`Cannot create packet decoder: maximum packet size ${max} is not a positive integer`);
    }
    this.maxPacketSize = max;
    this.buf = new Uint8Array(Math.min(max, 256));
  }

  /** Feeds bytes; returns the events they complete, in order. */
  push(chunk: Uint8Array): DecoderEvent[] {
    const events: DecoderEvent[] = [];
    for (let i = 0; i < chunk.length; i++) this.step(chunk[i], events);
    return events;
  }

  /** True while part of a packet has been seen but not its checksum. */
  get inPacket(): boolean {
    return this.state !== State.Idle;
  }

  private step(b: number, events: DecoderEvent[]): void {
    switch (this.state) {
      case State.Idle:
        if (b === PACKET_START) {
          this.flushGarbage(events);
          this.begin();
        } else if (b === ACK) {
          this.flushGarbage(events);
          events.push({ kind: "ack" });
        } else if (b === NAK) {
          this.flushGarbage(events);
          events.push({ kind: "nak" });
        } else if (b === INTERRUPT) {
          this.flushGarbage(events);
          events.push({ kind: "interrupt" });
        } else {
          this.garbage++;
        }
        return;
      case State.Body:
        if (b === PACKET_START) {
          this.truncated(events);
        } else if (b === PACKET_END) {
          if (this.countNext) this.fail("malformed", "Cannot decode packet: '*' at its end has no count");
          this.state = State.Checksum1;
        } else {
          this.bodyByte(b);
        }
        return;
      case State.Checksum1:
      case State.Checksum2: {
        if (b === PACKET_START) {
          this.truncated(events);
          return;
        }
        const v = hexValue(b);
        if (v < 0) this.checksumBad = true;
        this.sentChecksum = (this.sentChecksum << 4) | (v & 0xf);
        if (this.state === State.Checksum1) {
          this.state = State.Checksum2;
        } else {
          this.finish(events);
        }
        return;
      }
    }
  }

  private begin(): void {
    this.state = State.Body;
    this.len = 0;
    this.sentLen = 0;
    this.sum = 0;
    this.sentChecksum = 0;
    this.checksumBad = false;
    this.prevSent = -1;
    this.countNext = false;
    this.escapePending = false;
    this.problem = null;
    this.problemMessage = "";
  }

  private truncated(events: DecoderEvent[]): void {
    events.push({
      kind: "error",
      code: "truncated",
      message: `Cannot decode packet: a new '$' arrived after ${this.sentLen} body bytes, before its checksum`,
    });
    this.begin();
  }

  private flushGarbage(events: DecoderEvent[]): void {
    if (this.garbage === 0) return;
    events.push({
      kind: "error",
      code: "garbage",
      message: `Cannot decode ${this.garbage} byte(s) outside a packet: skipped`,
    });
    this.garbage = 0;
  }

  private fail(code: FramingErrorCode, message: string): void {
    if (this.problem === null) {
      this.problem = code;
      this.problemMessage = message;
    }
  }

  private bodyByte(b: number): void {
    this.sum = (this.sum + b) & 0xff;
    this.sentLen++;
    if (this.sentLen > this.maxPacketSize) {
      this.fail("oversize", `Cannot receive packet: longer than ${this.maxPacketSize} bytes`);
    }
    if (this.countNext) {
      this.countNext = false;
      const count = b - RUN_LENGTH_BIAS;
      if (count < RUN_MIN_REPEATS || count > RUN_MAX_REPEATS) {
        this.fail("malformed", `Cannot decode packet: run-length count byte 0x${hex2(b)} is outside 32..126`);
        return;
      }
      for (let k = 0; k < count; k++) this.unescapeByte(this.prevSent);
      return;
    }
    if (b === RUN_LENGTH) {
      if (this.prevSent < 0) this.fail("malformed", "Cannot decode packet: '*' has no byte before it to repeat");
      else this.countNext = true;
      return;
    }
    this.prevSent = b;
    this.unescapeByte(b);
  }

  private unescapeByte(b: number): void {
    if (this.escapePending) {
      this.escapePending = false;
      this.store(b ^ ESCAPE_XOR);
    } else if (b === ESCAPE) {
      this.escapePending = true;
    } else {
      this.store(b);
    }
  }

  private store(b: number): void {
    if (this.problem !== null) return;
    if (this.len >= this.maxPacketSize) {
      this.fail("oversize", `Cannot receive packet: longer than ${this.maxPacketSize} bytes once expanded`);
      return;
    }
    if (this.len === this.buf.length) {
      const bigger = new Uint8Array(Math.min(this.buf.length * 2, this.maxPacketSize));
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.len++] = b;
  }

  private finish(events: DecoderEvent[]): void {
    this.state = State.Idle;
    if (this.checksumBad || this.sentChecksum !== this.sum) {
      const got = this.checksumBad ? "not two hex digits" : `0x${hex2(this.sentChecksum)}`;
      events.push({
        kind: "error",
        code: "checksum",
        message: `Cannot accept packet: checksum is ${got}, computed 0x${hex2(this.sum)}`,
      });
      return;
    }
    if (this.escapePending) this.fail("malformed", "Cannot decode packet: it ends with a lone '}'");
    if (this.problem !== null) {
      events.push({ kind: "error", code: this.problem, message: this.problemMessage });
      return;
    }
    events.push({ kind: "packet", data: this.buf.slice(0, this.len) });
  }
}
