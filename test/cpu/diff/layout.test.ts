// layout.ts and the native harness's case-layout.h describe the same address space and records.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import * as layout from "./layout.js";

const header = readFileSync("scripts/cpu-diff/case-layout.h", "utf8");
const defines = new Map<string, number>();
for (const m of header.matchAll(/^#define\s+(\w+)\s+(0x[0-9A-Fa-f]+|\d+)u?\b/gm)) defines.set(m[1], Number(m[2]));

describe("case layout", () => {
  it.each(["DATA_BASE", "DATA_SIZE", "RO_BASE", "RO_SIZE", "CODE_BASE", "CODE_SIZE", "PATTERN_SEED", "USER_CS", "USER_DS", "IN_FIXED", "OUT_FIXED"])(
    "%s matches case-layout.h",
    (name) => {
      expect(defines.get(name)).toBe((layout as unknown as Record<string, number>)[name]);
    },
  );

  it("patternBytes() is the xorshift32 sequence from PATTERN_SEED", () => {
    const p = layout.patternBytes();
    expect(p.length).toBe(layout.DATA_SIZE + layout.RO_SIZE);
    let x = layout.PATTERN_SEED;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    expect(new DataView(p.buffer).getUint32(0, true)).toBe(x >>> 0);
    expect(new Set(p).size).toBe(256);
  });

  it("keeps every page below 64 KiB so 16-bit addressing reaches it", () => {
    expect(layout.CODE_BASE + layout.CODE_SIZE).toBeLessThanOrEqual(0x10000);
    expect(layout.DATA_BASE + layout.DATA_SIZE).toBe(layout.RO_BASE);
  });
});
