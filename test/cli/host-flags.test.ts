import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_BOOT_CONFIG, packageRoot, readHostFlags } from "../../src/cli/host-flags.js";

describe("readHostFlags()", () => {
  it("defaults to the hello config in the repository, 64 MiB, interactive time", () => {
    const f = readHostFlags({});
    expect(f.configs).toEqual([join(packageRoot(), DEFAULT_BOOT_CONFIG)]);
    expect(existsSync(f.configs[0])).toBe(true);
    expect(f.memoryMiB).toBe(64);
    expect(f.timeMode).toBe("interactive");
  });

  it("takes repeated configs, --no-domain, memory, time and control", () => {
    expect(readHostFlags({ config: ["a.cfg", "b.cfg"], memory: "128", time: "deterministic", control: "/x.sock" })).toEqual({
      configs: ["a.cfg", "b.cfg"], memoryMiB: 128, timeMode: "deterministic", controlPath: "/x.sock", inputScript: undefined,
    });
    expect(readHostFlags({ "no-domain": true }).configs).toEqual([]);
  });

  it("rejects bad values naming the flag", () => {
    expect(() => readHostFlags({ memory: "64M" })).toThrow('Cannot use --memory "64M": expected a positive number of MiB');
    expect(() => readHostFlags({ memory: "0" })).toThrow(/Cannot use --memory "0"/);
    expect(() => readHostFlags({ time: "fast" })).toThrow('Cannot use --time "fast": expected interactive, deterministic, realtime');
    expect(() => readHostFlags({ "no-domain": true, config: ["a"] })).toThrow("Cannot use --no-domain with --config: choose one");
  });
});
