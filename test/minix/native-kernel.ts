// Builds pieces of the MINIX kernel with the guest's own headers and flags, links them with a
// test harness into a native 32-bit program, runs it and returns what it printed. The kernel's
// C is freestanding, so the same objects run on the host CPU; the harness plays the rest of
// the kernel and the domain around them.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const GUEST = "src/minix/guest";
const CFLAGS = ["-m32", "-ffreestanding", "-fno-builtin", "-nostdinc", "-fno-pic", "-O1", "-Wall", "-Wextra", "-Werror", `-I${GUEST}/include`, `-I${GUEST}/kernel`];

/** A source file, optionally with extra gcc flags for it alone. */
export type HarnessSource = string | { path: string; flags: string[] };

/** Compiles and links `sources` (the harness among them), runs the program, returns its stdout. */
export function runKernelHarness(name: string, sources: readonly HarnessSource[]): string {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  try {
    const objects = sources.map((src, i) => {
      const object = join(dir, `${i}.o`);
      const [path, flags] = typeof src === "string" ? [src, []] : [src.path, src.flags];
      execFileSync("gcc", [...CFLAGS, ...flags, "-c", path, "-o", object]);
      return object;
    });
    execFileSync("gcc", ["-m32", "-no-pie", ...objects, "-o", join(dir, name)]);
    return execFileSync(join(dir, name), { encoding: "utf8" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The harness's output as "key value..." lines, keyed by the first word. */
export function harnessLines(text: string): Map<string, string[]> {
  return new Map(text.trim().split("\n").map((l) => [l.split(" ")[0], l.split(" ").slice(1)]));
}
