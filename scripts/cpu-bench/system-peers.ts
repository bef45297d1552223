// Full-system peers for the CPU benchmark: the same workload kernel (bench-kernel.elf, paging
// on) under qemu-system-i386 (TCG) and Bochs. Their parameters are patched into a copy of the
// kernel file (bench_params in .data), Bochs boots it from a floppy made by the test kernels'
// mkfloppy. Time comes from the host: a run with n repetitions minus a run with one, so boot
// and firmware time cancel out.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseElf32 } from "../bare/elf32.js";
import { runUnderQemu } from "../peers/qemu-system.js";
import { runUnderBochs } from "../peers/bochs.js";
import { BENCH_DIR } from "./host-runs.js";
import { WORKLOAD_IDS } from "./our-cpu.js";

const KERNEL = `${BENCH_DIR}/bench-kernel.elf`;
const BOOT_SECTOR = "build/cpu/kernels/floppy-boot.bin";
const MKFLOPPY = "test/cpu/kernels/boot/mkfloppy.mjs";

export type SystemPeer = "qemu-system" | "bochs";

/** The kernel file with bench_params = (workload, n) written into its .data bytes. */
function patchedKernel(workload: string, n: number): Uint8Array {
  const bytes = new Uint8Array(readFileSync(KERNEL));
  const img = parseElf32(bytes, KERNEL);
  const addr = img.symbols.get("bench_params");
  const seg = img.loads.find((l) => addr !== undefined && addr >= l.paddr && addr + 8 <= l.paddr + l.filesz);
  if (addr === undefined || !seg) throw new Error(`Cannot patch ${KERNEL}: bench_params is not in a loaded data segment`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  v.setUint32(seg.offset + addr - seg.paddr, WORKLOAD_IDS[workload], true);
  v.setUint32(seg.offset + addr - seg.paddr + 4, n, true);
  return bytes;
}

export interface SystemRun {
  checksum: number;
  nanoseconds: number;
}

export async function runSystemPeer(peer: SystemPeer, workload: string, n: number): Promise<SystemRun> {
  const dir = mkdtempSync(join(tmpdir(), "mox-bench-"));
  try {
    const elf = join(dir, "kernel.elf");
    writeFileSync(elf, patchedKernel(workload, n));
    let run;
    if (peer === "qemu-system") {
      run = await runUnderQemu(elf, 600_000);
    } else {
      const img = join(dir, "kernel.img");
      const r = spawnSync(process.execPath, [MKFLOPPY, BOOT_SECTOR, elf, img], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`Cannot make the Bochs floppy: ${r.stderr.trim()}`);
      run = await runUnderBochs(img, 600_000);
    }
    const m = /=([0-9a-f]{8})/.exec(run.console);
    if (!m) throw new Error(`Cannot read ${workload}'s result under ${peer}: console ${JSON.stringify(run.console.slice(-200))}`);
    return { checksum: parseInt(m[1], 16) >>> 0, nanoseconds: run.nanoseconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
