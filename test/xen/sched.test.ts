// The scheduler: round robin with slices, blocked/paused/crashed domains skipped, yield, and a
// woken domain running next.
import { describe, expect, it } from "vitest";
import { Domain } from "../../src/xen/domain.js";
import { SLICE_NS, Scheduler } from "../../src/xen/sched.js";

function domains(n: number): Domain[] {
  return Array.from({ length: n }, (_, i) => {
    const d = new Domain(i + 1, `d${i + 1}`, 16);
    d.pauseCount = 0;
    return d;
  });
}

describe("Scheduler", () => {
  it("pick() keeps a domain for its slice, then moves round robin", () => {
    const s = new Scheduler();
    const [a, b, c] = domains(3);
    [a, b, c].forEach((d) => s.add(d));
    expect(s.pick(0)?.domain).toBe(a);
    expect(s.pick(SLICE_NS - 1)?.domain).toBe(a);
    expect(s.pick(SLICE_NS)?.domain).toBe(b);
    expect(s.pick(2 * SLICE_NS)?.domain).toBe(c);
    expect(s.pick(3 * SLICE_NS)?.domain).toBe(a);
  });

  it("skips blocked, paused and crashed domains and returns null when all are idle", () => {
    const s = new Scheduler();
    const [a, b, c] = domains(3);
    [a, b, c].forEach((d) => s.add(d));
    b.blocked = true;
    c.pauseCount = 1;
    expect(s.pick(0)?.domain).toBe(a);
    a.crashed = true;
    expect(s.pick(1)).toBeNull();
  });

  it("yield ends the slice; a woken domain runs next", () => {
    const s = new Scheduler();
    const [a, b, c] = domains(3);
    [a, b, c].forEach((d) => s.add(d));
    expect(s.pick(0)?.domain).toBe(a);
    s.yieldRequested = true;
    expect(s.pick(1)?.domain).toBe(b);
    c.blocked = true;
    c.blocked = false;
    s.wakeUp(c);
    expect(s.pick(2)).toEqual({ domain: c, switched: true });
  });

  it("two domains woken before the next pick both run before the round robin goes on", () => {
    const s = new Scheduler();
    const [spin, h, g] = domains(3);
    [spin, h, g].forEach((d) => s.add(d));
    h.blocked = true;
    g.blocked = true;
    expect(s.pick(0)?.domain).toBe(spin);
    h.blocked = false;
    s.wakeUp(h);
    g.blocked = false;
    s.wakeUp(g);
    expect(s.pick(1)?.domain).toBe(h);
    h.blocked = true;
    s.yieldRequested = true; // h blocks again
    expect(s.pick(2)?.domain).toBe(g);
  });

  it("a domain that just blocked and is woken before the next pick runs again", () => {
    const s = new Scheduler();
    const [h, spin] = domains(2);
    [h, spin].forEach((d) => s.add(d));
    expect(s.pick(0)?.domain).toBe(h);
    h.blocked = true;
    s.yieldRequested = true; // sched_op(block)
    h.blocked = false;
    s.wakeUp(h); // an event arrives before the scheduler ran
    expect(s.pick(1)).toEqual({ domain: h, switched: false });
  });

  it("a domain woken every slice does not starve the others", () => {
    const s = new Scheduler();
    const [h, a, b] = domains(3);
    [h, a, b].forEach((d) => s.add(d));
    h.blocked = true;
    const ran: string[] = [];
    for (let t = 0; t < 6; t++) {
      ran.push(s.pick(t * SLICE_NS)!.domain.name);
      h.blocked = false;
      s.wakeUp(h);
      expect(s.pick(t * SLICE_NS + 1)?.domain).toBe(h);
      h.blocked = true;
      s.yieldRequested = true;
    }
    expect(ran).toEqual(["d2", "d3", "d2", "d3", "d2", "d3"]);
  });
});
