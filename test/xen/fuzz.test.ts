// Random hypercalls straight into the router, including the destructive ones the hostile guest
// avoids (random trap tables, page-table writes into its own tables, random descriptors, random
// evtchn structs): Xen must answer every one with a result, never throw, and keep its frame
// accounting consistent.
import { describe, expect, it } from "vitest";
import { NR_hypercalls, PGT_none, PGT_writable_page } from "../../src/xen/abi.js";
import { seededRandom } from "../../src/xen/frames.js";
import { auditFrames } from "../../src/xen/audit.js";
import { Guest } from "./fixture.js";

const ITERATIONS = Number(process.env.FUZZ_N ?? 200_000);

describe("hypercall fuzzing", () => {
  it("200,000 random hypercalls never throw and leave the frame table consistent", () => {
    const g = Guest.create({ memoryMiB: 16 });
    const other = Guest.create({}, g.host);
    const rnd = seededRandom(7);
    const r32 = () => Math.floor(rnd() * 0x1_0000_0000) >>> 0;
    const own = (pfn: number) => g.mfn(pfn % g.d.frameList.length);
    const pick = (): number => {
      switch (Math.floor(rnd() * 10)) {
        case 0: return 0;
        case 1: return r32();
        case 2: return g.va(Math.floor(rnd() * 64)) + (r32() & 0xff8);
        case 3: return own(r32()) * 4096 + (r32() & 0xffc) + Math.floor(rnd() * 4); // MA in own frames, any command
        case 4: return g.l1Mfns[0] * 4096 + (r32() & 0xffc);                    // own L1 entries
        case 5: return g.l2Mfn * 4096 + (r32() & 0xffc);                          // own L2 entries
        case 6: return own(r32()) * 4096 | (r32() & 0x1ff);                        // a PTE for an own frame
        case 7: return other.mfn(r32() % 100) * 4096 | 0x23;
        case 8: return Math.floor(rnd() * 40);
        default: return 0xfc000000 + (r32() & 0x3fffff);
      }
    };
    const counts = new Array(NR_hypercalls).fill(0);
    for (let i = 0; i < ITERATIONS; i++) {
      // Refill the argument page with plausible structures now and then.
      if ((i & 15) === 0) g.write32(g.va(3), ...Array.from({ length: 32 }, pick));
      const nr = Math.floor(rnd() * 34);
      if (nr === 6 && (i % 3) !== 0) continue; // keep the domain alive most of the time (shutdown)
      const a = [pick(), pick(), pick(), pick(), pick()];
      // Batches are bounded here: Xen would work through (and preempt) a 4-billion-entry list too.
      if ((nr & 31) === 1 || (nr & 31) === 13) a[1] %= 64;
      const rc = g.call(nr, a[0], a[1], a[2], a[3], a[4]);
      expect(Number.isInteger(rc)).toBe(true);
      counts[nr & 31]++;
      if ((i & 8191) === 0) expect(auditFrames(g.host.core)).toEqual([]);
      if (g.d.shutdownReason !== null) {
        g.d.shutdownReason = null;
        g.d.crashed = false;
      }
    }
    expect(counts.every((c) => c > 1000)).toBe(true);
    expect(auditFrames(g.host.core)).toEqual([]);
    // Consistency: no negative counts; every typed frame with count 0 is back to "none" or writable.
    const f = g.host.core.frames;
    for (let m = 0; m < f.count; m++) {
      expect(f.typeCount[m]).toBeGreaterThanOrEqual(0);
      expect(f.refs[m]).toBeGreaterThanOrEqual(0);
      if (f.typeCount[m] === 0) expect([PGT_none, PGT_writable_page]).toContain(f.type[m]);
    }
  });
});
