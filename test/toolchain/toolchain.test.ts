// The guest toolchain (gcc -m32, binutils) produces i386 code the host runs natively.
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

describe("guest toolchain", () => {
  it("builds an i386 ELF that runs natively", () => {
    const elf = readFileSync("build/toolchain/hello32");
    expect(elf.subarray(0, 4).toString("latin1")).toBe("\x7fELF");
    expect(elf[4]).toBe(1); // ELFCLASS32
    expect(elf.readUInt16LE(18)).toBe(3); // EM_386
    const r = spawnSync("build/toolchain/hello32", { encoding: "utf8" });
    expect(r.stdout).toBe("hello from i386\n");
    expect(r.status).toBe(7);
  });

  it("gcc -m32 reports an i386 target", () => {
    const out = execFileSync("gcc", ["-m32", "-dM", "-E", "-x", "c", "/dev/null"], { encoding: "utf8" });
    expect(out).toContain("#define __i386__ 1");
  });
});
