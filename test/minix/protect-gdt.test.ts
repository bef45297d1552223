// The kernel's GDT management (src/minix/guest/kernel/protect.c) run natively: per-process
// slots never touch Xen's reserved entries 256..295, descriptors go to the right machine
// address through update_descriptor, and user segments get their base, limit and ring 3.
import { beforeAll, describe, expect, it } from "vitest";
import { GUEST, runKernelHarness } from "./native-kernel.js";

const G = GUEST;
let lines: string[][];

beforeAll(() => {
  const text = runKernelHarness("gdt", ["test/minix/fixtures/gdt-harness.c", `${G}/kernel/protect.c`]);
  lines = text.trim().split("\n").map((l) => l.split(" "));
});

const maOf = (index: number) => ((0x100 + 7 * (index >> 9)) << 12) | ((index & 511) << 3);
const descs = () => lines.filter((l) => l[0] === "desc").map((l) => l.slice(1).map((h) => parseInt(h, 16)));

describe("protect.c", () => {
  it("gives every process slot 5 GDT entries of its own, none in Xen's reserved 256..295", () => {
    const slots = lines.filter((l) => l[0] === "slot").map((l) => Number(l[2]));
    expect(slots.length).toBe(105);
    const used = new Set<number>();
    for (const first of slots) {
      for (let i = first; i < first + 5; i++) {
        expect(i < 256 || i > 295).toBe(true);
        expect(used.has(i)).toBe(false);
        used.add(i);
      }
      expect(first).toBeGreaterThanOrEqual(8);
    }
    expect(Math.max(...slots)).toBeGreaterThan(295); // the allocation does cross the reserved range
  });

  it("writes its fixed descriptors at the machine addresses of slots 1, 3, 4 and 5", () => {
    const fixed = descs().slice(0, 4);
    expect(fixed.map((d) => d[0])).toEqual([1, 3, 4, 5].map(maOf));
    // slot 3: ring-2 code, base 0; slot 4: ring-2 data, base 0, limit 0xFC3FF pages
    expect((fixed[1][2] >>> 8) & 0xff).toBe(0x80 | (2 << 5) | 0x10 | 0x08 | 0x02 | 0x01);
    expect(fixed[2]).toEqual([maOf(4), 0x0000c3ff, 0x00cfd300]);
  });

  it("builds a user process's code and data descriptors with its base, size and ring 3", () => {
    const [, first, cs, ds] = lines.find((l) => l[0] === "user")!;
    const index = Number(first);
    expect(parseInt(cs, 16)).toBe((index << 3) | 3);
    expect(parseInt(ds, 16)).toBe(((index + 1) << 3) | 3);
    const d = descs();
    const code = d.find((x) => x[0] === maOf(index))!;
    const data = d.find((x) => x[0] === maOf(index + 1))!;
    // base 0x30000, limit 0x8FFF bytes (byte granularity), 32-bit
    expect(code).toEqual([maOf(index), 0x00008fff, 0x0040fb03]);
    expect(data).toEqual([maOf(index + 1), 0x00008fff, 0x0040f303]);
  });

  it("puts a separate-I&D process's CS on its text and DS (and the saved ds..ss) on its data and stack", () => {
    const [, first, cs, ds, regCs, regSs] = lines.find((l) => l[0] === "sep")!;
    const index = Number(first);
    expect([cs, ds].map((h) => parseInt(h, 16))).toEqual([(index << 3) | 3, ((index + 1) << 3) | 3]);
    expect([regCs, regSs]).toEqual([cs, ds]);
    const d = descs();
    // code: base 0x40000, limit 0x1FFF (2 pages); data: base 0x42000, limit 0x4FFF (5 pages)
    expect(d.find((x) => x[0] === maOf(index))).toEqual([maOf(index), 0x00001fff, 0x0040fb04]);
    expect(d.find((x) => x[0] === maOf(index + 1))).toEqual([maOf(index + 1), 0x20004fff, 0x0040f304]);
  });
});
