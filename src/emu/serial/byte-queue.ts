// A FIFO of bytes held as the Buffer chunks they arrived in. The serial line queues bytes
// waiting for the wire here; taking bytes returns a view when they sit in one chunk and copies
// only when a take spans chunks, so no per-byte objects are made.

export class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0; // index of the first live chunk in `chunks`
  private headOffset = 0; // bytes already taken from chunks[head]
  private total = 0;

  /** Bytes currently queued. */
  get length(): number {
    return this.total;
  }

  /** Appends a chunk; the queue keeps a reference, so the caller must not change it later. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** Removes and returns up to `max` bytes from the front (an empty Buffer when none). */
  take(max: number): Buffer {
    const want = Math.min(max, this.total);
    if (want <= 0) return Buffer.alloc(0);
    const first = this.chunks[this.head]!;
    const firstLeft = first.length - this.headOffset;
    if (want <= firstLeft) {
      const out = first.subarray(this.headOffset, this.headOffset + want);
      this.consume(want);
      return out;
    }
    const out = Buffer.allocUnsafe(want);
    let filled = 0;
    while (filled < want) {
      const c = this.chunks[this.head]!;
      const n = Math.min(c.length - this.headOffset, want - filled);
      out.set(c.subarray(this.headOffset, this.headOffset + n), filled);
      filled += n;
      this.consume(n);
    }
    return out;
  }

  /** Drops everything queued; returns how many bytes were dropped. */
  clear(): number {
    const n = this.total;
    this.chunks = [];
    this.head = 0;
    this.headOffset = 0;
    this.total = 0;
    return n;
  }

  private consume(n: number): void {
    this.total -= n;
    this.headOffset += n;
    if (this.headOffset === this.chunks[this.head]!.length) {
      this.chunks[this.head] = EMPTY; // let the chunk be collected
      this.head++;
      this.headOffset = 0;
      // Compact now and then instead of shifting the array on every chunk.
      if (this.head === this.chunks.length) {
        this.chunks.length = 0;
        this.head = 0;
      } else if (this.head >= 1024) {
        this.chunks = this.chunks.slice(this.head);
        this.head = 0;
      }
    }
  }
}

const EMPTY = Buffer.alloc(0);
