// The scheduler: round robin over runnable domains with fixed time slices (Xen 2.0 ran BVT with
// a 10 ms tick; a guest only sees who runs and that VIRQ_TIMER arrives at each schedule-in and
// each tick). Blocked, paused, shut-down and crashed domains do not run; yield ends the slice.
import type { Domain } from "./domain.js";

/** Virtual time a domain may run before another runnable domain gets the CPU. */
export const SLICE_NS = 10_000_000;
/** Xen's periodic ticker: VIRQ_TIMER for the running domain when time moved. */
export const TICK_NS = 10_000_000;

export class Scheduler {
  private order: Domain[] = [];
  /** Index of the domain that ran last (-1: none yet), so the first pick is the first added. */
  private cursor = -1;
  current: Domain | null = null;
  /** When the current domain's slice ends (system time ns). */
  sliceEndNs = -0; // a double from the start (see Domain.timerDeadlineNs)
  /** Set by sched_op(yield) or block: end the current slice at the next stop. */
  yieldRequested = false;
  /**
   * Domains woken by events, oldest first: they run next, as BVT's warp let a woken domain in
   * at once. A queue, not one slot: a second wake (a spinner's own event) must not cancel the
   * first, or the first domain waits a whole slice of the spinner with its event pending.
   */
  private woken: Domain[] = [];

  /** An event made `d` runnable: end the current slice and run `d` next. */
  wakeUp(d: Domain): void {
    // The running domain needs nothing, unless it has just blocked or yielded: then its slice
    // ends at the next pick, and the event must bring it back rather than leave it runnable
    // behind another domain's whole slice.
    if (d === this.current && !this.yieldRequested) return;
    if (!this.woken.includes(d)) this.woken.push(d);
    this.yieldRequested = true;
  }

  add(d: Domain): void {
    if (!this.order.includes(d)) this.order.push(d);
  }

  remove(d: Domain): void {
    this.woken = this.woken.filter((w) => w !== d);
    const i = this.order.indexOf(d);
    if (i < 0) return;
    this.order.splice(i, 1);
    if (this.cursor > i) this.cursor--;
    if (this.current === d) this.current = null;
  }

  get domains(): readonly Domain[] {
    return this.order;
  }

  /**
   * Picks the domain to run at `nowNs`: the current one while its slice lasts and it can run,
   * else the next runnable one after it. Null when every domain is idle.
   */
  pick(nowNs: number): { domain: Domain; switched: boolean } | null {
    const cur = this.current;
    if (cur && cur.canRun && !this.yieldRequested && nowNs < this.sliceEndNs) return { domain: cur, switched: false };
    this.yieldRequested = false;
    while (this.woken.length > 0) {
      const w = this.woken.shift()!;
      if (!w.canRun || !this.order.includes(w)) continue;
      // The cursor stays where it was: when the woken domain blocks again, round robin goes on
      // from the domain it interrupted, so a frequently woken domain cannot starve anyone.
      // Others still queued get their turn when this one blocks or yields.
      this.current = w;
      this.sliceEndNs = nowNs + SLICE_NS;
      return { domain: w, switched: w !== cur };
    }
    const n = this.order.length;
    for (let k = 1; k <= n; k++) {
      const d = this.order[(this.cursor + k) % n];
      if (d.canRun) {
        this.cursor = (this.cursor + k) % n;
        const switched = d !== cur;
        this.current = d;
        this.sliceEndNs = nowNs + SLICE_NS;
        return { domain: d, switched };
      }
    }
    this.current = null;
    return null;
  }
}
