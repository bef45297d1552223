// Baud-rate pacing of one direction of the serial line. An 8N1 frame is 10 bit times (start
// bit, 8 data bits, stop bit), so at `baud` bit/s a byte occupies the wire for 10/baud s and is
// delivered when its stop bit ends. Counting completed bytes from the start of a busy period
// (not adding per-byte durations) keeps the maths exact over long runs.

/** The time source a paced line runs on: wall time by default, virtual time in tests or replay. */
export interface LineClock {
  /** Current time in milliseconds (fractions allowed). */
  nowMs(): number;
  /** Calls `fn` once after about `ms` milliseconds; returns a function that cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

export const wallClock: LineClock = {
  nowMs: () => performance.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

/** Bit times per byte on an 8N1 line. */
export const BITS_PER_FRAME = 10;

/** Whole bytes an 8N1 line at `baud` carries in `elapsedMs`. */
export function bytesInTime(elapsedMs: number, baud: number): number {
  if (elapsedMs <= 0) return 0;
  // The tiny epsilon absorbs float error when elapsedMs is an exact multiple of a byte time.
  return Math.floor((elapsedMs * baud) / (1000 * BITS_PER_FRAME) + 1e-9);
}

/** Milliseconds the wire needs for `bytes` bytes at `baud`. */
export function timeForBytes(bytes: number, baud: number): number {
  return (bytes * 1000 * BITS_PER_FRAME) / baud;
}

export class BaudPacer {
  private epoch = 0; // start of the current busy period, ms
  private sentInEpoch = 0; // bytes completed since `epoch`
  private busy = false;

  constructor(readonly baud: number) {
    if (!Number.isInteger(baud) || baud <= 0) {
      throw new RangeError(`Cannot pace serial line: baud ${baud} is not a positive integer`);
    }
  }

  /** Marks the wire busy from `now` unless it already is (bytes were queued). */
  begin(now: number): void {
    if (this.busy) return;
    // The wire is free from the end of the last byte; a new busy period starts no earlier.
    const freeAt = this.epoch + timeForBytes(this.sentInEpoch, this.baud);
    if (now > freeAt) {
      this.epoch = now;
      this.sentInEpoch = 0;
    }
    this.busy = true;
  }

  /** Bytes whose stop bit has ended by `now` and that are not yet counted as sent. */
  due(now: number): number {
    if (!this.busy) return 0;
    return Math.max(0, bytesInTime(now - this.epoch, this.baud) - this.sentInEpoch);
  }

  /** Records that `n` bytes went out; `queueEmpty` ends the busy period. */
  sent(n: number, queueEmpty: boolean): void {
    this.sentInEpoch += n;
    if (queueEmpty) this.busy = false;
  }

  /** Milliseconds from `now` until the next byte completes. */
  msUntilNext(now: number): number {
    return this.epoch + timeForBytes(this.sentInEpoch + 1, this.baud) - now;
  }
}
