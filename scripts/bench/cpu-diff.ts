// npm run bench -- cpu-diff [--count N]: throughput of the differential CPU test's parts in one
// run: the case generator, the native snippet harness on the host CPU, the same harness under
// qemu-i386 (the peer, when installed), and our CPU running the cases. Last line: one JSON object.
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { encodeCases, decodeResults } from "../../test/cpu/diff/case-format.js";
import { EmuRunner } from "../../test/cpu/diff/emu-runner.js";
import { generateCases } from "../../test/cpu/diff/generator.js";
import { HARNESS_PATH, runNative } from "../../test/cpu/diff/native-runner.js";
import { decodeSequence } from "../../test/cpu/diff/undefined-masks.js";

const { values } = parseArgs({ options: { count: { type: "string" } } });
const count = Number(values.count ?? 30000);
if (!Number.isSafeInteger(count) || count <= 0) {
  console.error(`Cannot run bench cpu-diff: --count is "${values.count}", expected a positive integer`);
  process.exit(2);
}

const rate = (n: number, ms: number): number => Math.round(n / (ms / 1000));

let t = performance.now();
const cases = generateCases({ seed: 2024, count });
const genRate = rate(count, performance.now() - t);
console.log(`generator:      ${genRate} cases/s`);

t = performance.now();
const native = runNative(cases);
const nativeRate = rate(count, performance.now() - t);
console.log(`native harness: ${nativeRate} cases/s (host CPU, one process per 20k cases)`);

// qemu-i386 runs the same harness binary in batches. Its TCG aborts ("tcg fatal error") on lock
// prefixes it cannot translate (e.g. lock bt r/m, imm) and on some cmpxchg8b forms, so those cases
// are left out, and a batch that still crashes is counted and left out of the rate.
let qemuRate: number | null = null;
let qemuDisagree = 0;
let qemuCrashedBatches = 0;
let qemuCases = 0;
let qemuMs = 0;
const QEMU_BATCH = 2000;
const qemuIdx = cases
  .map((c, i) => ({ c, i }))
  .filter(({ c }) => !decodeSequence(c.code, c.codeOff).some((s) => s.text.startsWith("lock") || s.mnemonic === "Cmpxchg8b" || (s.mnemonic === "INVALID" && c.code.includes(0xf0))))
  .map(({ i }) => i);
for (let j = 0; j < qemuIdx.length; j += QEMU_BATCH) {
  const idx = qemuIdx.slice(j, j + QEMU_BATCH);
  const batch = idx.map((i) => cases[i]);
  t = performance.now();
  const q = spawnSync("qemu-i386", [HARNESS_PATH], { input: new Uint8Array(encodeCases(batch)), maxBuffer: 1 << 30 });
  const ms = performance.now() - t;
  if (q.error && (q.error as NodeJS.ErrnoException).code === "ENOENT") break;
  if (q.error || q.status !== 0) {
    qemuCrashedBatches++;
    continue;
  }
  qemuMs += ms;
  qemuCases += batch.length;
  const qr = decodeResults(q.stdout);
  // qemu-i386 leaves the signal context's trapno at 255: compare the signal and eip.
  qemuDisagree += qr.filter((r, k) => r.signo !== native[idx[k]].signo || r.eip !== native[idx[k]].eip).length;
}
if (qemuCases > 0) {
  qemuRate = rate(qemuCases, qemuMs);
  console.log(
    `qemu-i386:      ${qemuRate} cases/s (peer; ${qemuCrashedBatches} batches of ${QEMU_BATCH} aborted in TCG; ` +
      `${qemuDisagree} of ${qemuCases} cases end in another signal or at another eip than on the host)`,
  );
} else {
  console.log(`qemu-i386:      not run (not installed, or every batch aborted)`);
}

const emu = new EmuRunner();
t = performance.now();
for (const c of cases) emu.run(c);
const emuRate = rate(count, performance.now() - t);
console.log(`our CPU:        ${emuRate} cases/s (owned mode, paging on, fresh memory per case)`);
if (qemuRate !== null) console.log(`ratio our CPU / qemu-i386: ${(emuRate / qemuRate).toFixed(2)}`);

console.log(
  JSON.stringify({ count, genRate, nativeRate, qemuRate, qemuCases, qemuCrashedBatches, qemuDisagree, emuRate, emuOverQemu: qemuRate ? emuRate / qemuRate : null }),
);
