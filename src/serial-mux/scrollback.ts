// The console's scrollback: the last N bytes of console output, kept in one ring buffer and
// replayed to each console client when it connects, so `nc` after boot still shows the boot log.

export const DEFAULT_SCROLLBACK_BYTES = 64 * 1024;

export class Scrollback {
  private readonly ring: Buffer;
  private end = 0; // where the next byte goes
  private filled = 0;

  constructor(readonly capacity = DEFAULT_SCROLLBACK_BYTES) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`Cannot keep console scrollback: size ${capacity} is not a non-negative integer`);
    }
    this.ring = Buffer.alloc(capacity);
  }

  get length(): number {
    return this.filled;
  }

  append(bytes: Buffer): void {
    const cap = this.capacity;
    if (cap === 0 || bytes.length === 0) return;
    // Only the last `cap` bytes of a large chunk can survive.
    const src = bytes.length > cap ? bytes.subarray(bytes.length - cap) : bytes;
    const first = Math.min(src.length, cap - this.end);
    this.ring.set(src.subarray(0, first), this.end);
    if (first < src.length) this.ring.set(src.subarray(first), 0);
    this.end = (this.end + src.length) % cap;
    this.filled = Math.min(cap, this.filled + src.length);
  }

  /** A copy of the kept bytes, oldest first. */
  snapshot(): Buffer {
    const out = Buffer.allocUnsafe(this.filled);
    const start = (this.end - this.filled + this.capacity) % Math.max(this.capacity, 1);
    const first = Math.min(this.filled, this.capacity - start);
    out.set(this.ring.subarray(start, start + first), 0);
    if (first < this.filled) out.set(this.ring.subarray(0, this.filled - first), first);
    return out;
  }
}
