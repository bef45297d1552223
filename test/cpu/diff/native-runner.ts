// Runs differential cases on the host processor through the native snippet harness
// (scripts/cpu-diff, built to build/cpu-diff/harness by npm run build).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { encodeCases, decodeResults, type CaseResult, type DiffCase } from "./case-format.js";
import { DATA_BASE } from "./layout.js";

export const HARNESS_PATH = "build/cpu-diff/harness";
const BATCH = 20_000;

/** Why the native oracle cannot run here, or null when it can. */
export function nativeUnavailableReason(): string | null {
  if (process.platform !== "linux" || (process.arch !== "x64" && process.arch !== "ia32")) {
    return `host is ${process.platform}/${process.arch}, not x86 Linux`;
  }
  if (!existsSync(HARNESS_PATH)) return `${HARNESS_PATH} is missing (run npm run build)`;
  // The case layout lives below 64 KiB (16-bit addressing must reach it).
  const minAddr = Number(readFileSync("/proc/sys/vm/mmap_min_addr", "utf8").trim());
  if (!(minAddr <= DATA_BASE)) {
    return `vm.mmap_min_addr is ${minAddr}, the harness maps pages from 0x${DATA_BASE.toString(16)} (sysctl -w vm.mmap_min_addr=4096)`;
  }
  return null;
}

/** The host CPU from /proc/cpuinfo: model name, then family/model/stepping and microcode. */
export function hostCpuModel(): string {
  const info = readFileSync("/proc/cpuinfo", "utf8");
  const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.*)$`, "m").exec(info)?.[1].trim();
  const name = field("model name") ?? "unknown";
  const detail = [
    field("vendor_id"),
    field("cpu family") !== undefined ? `family ${field("cpu family")}` : undefined,
    field("model") !== undefined ? `model ${field("model")}` : undefined,
    field("stepping") !== undefined ? `stepping ${field("stepping")}` : undefined,
    field("microcode") !== undefined ? `microcode ${field("microcode")}` : undefined,
  ].filter((x) => x !== undefined);
  return detail.length > 0 ? `${name} (${detail.join(", ")})` : name;
}

export function runNative(cases: readonly DiffCase[]): CaseResult[] {
  const out: CaseResult[] = [];
  for (let i = 0; i < cases.length; i += BATCH) {
    const batch = cases.slice(i, i + BATCH);
    const r = spawnSync(HARNESS_PATH, [], { input: new Uint8Array(encodeCases(batch)), maxBuffer: 1 << 30 });
    if (r.error) throw new Error(`Cannot run native harness: ${r.error.message}`);
    if (r.status !== 0) {
      throw new Error(`Cannot run native harness: exit ${r.status ?? r.signal}: ${r.stderr.toString().trim()}`);
    }
    const results = decodeResults(r.stdout);
    if (results.length !== batch.length) {
      throw new Error(`Cannot run native harness: ${results.length} results for ${batch.length} cases`);
    }
    const bad = results.findIndex((x) => x.codePageWritten);
    if (bad >= 0) throw new Error(`Cannot trust native results: case ${i + bad} stored into the code page`);
    out.push(...results);
  }
  return out;
}
