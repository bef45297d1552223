// Virtual time for pacing tests: time moves only when the test calls advance(), which runs
// every timer that falls due, in order, at its due time.
import type { LineClock } from "../../../src/emu/serial/index.js";

export class ManualClock implements LineClock {
  private now = 0;
  private timers: { at: number; fn: () => void; live: boolean }[] = [];

  nowMs(): number {
    return this.now;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const t = { at: this.now + ms, fn, live: true };
    this.timers.push(t);
    return () => {
      t.live = false;
    };
  }

  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => t.live);
      const next = this.timers.reduce<{ at: number; fn: () => void; live: boolean } | null>(
        (a, t) => (t.at <= end && (a === null || t.at < a.at) ? t : a),
        null,
      );
      if (next === null) break;
      this.now = Math.max(this.now, next.at);
      next.live = false;
      next.fn();
    }
    this.now = end;
  }
}
