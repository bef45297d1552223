#!/usr/bin/env node
// Builds every freestanding i386 program of the project (CPU test programs and benchmarks,
// test guests, the MINIX guest) with gcc -m32 and binutils, through scripts/guest.mk.
// Each part of the tree contributes a `guest.mk` fragment; this script only checks the
// toolchain once and runs make.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function checkToolchain() {
  const dir = mkdtempSync(join(tmpdir(), "mox-cc-"));
  try {
    const src = join(dir, "probe.c");
    writeFileSync(src, "int probe(long long a, int b) { return (int)(a >> b); }\n");
    const r = spawnSync("gcc", ["-m32", "-ffreestanding", "-fno-pic", "-c", src, "-o", join(dir, "probe.o")], {
      encoding: "utf8",
    });
    if (r.error || r.status !== 0) {
      const why = r.error ? r.error.message : r.stderr.trim().split("\n")[0];
      console.error(
        `Cannot build guest code: gcc cannot compile for i386 (${why}).\n` +
          "Install an i386-capable gcc, on Debian: apt-get install gcc gcc-multilib binutils make",
      );
      process.exit(1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

checkToolchain();
const jobs = process.env.GUEST_JOBS ?? "2";
const r = spawnSync("make", ["-s", "-j", jobs, "-f", "scripts/guest.mk"], { cwd: root, stdio: "inherit" });
if (r.error) {
  console.error(`Cannot build guest code: make failed to start (${r.error.message}); install make`);
  process.exit(1);
}
process.exit(r.status ?? 1);
