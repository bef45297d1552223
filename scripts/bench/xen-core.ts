// Benchmark of the Xen model: hypervisor entries per second under the hostile guest (random
// hypercalls and faults), and the CPU an interactive host burns while its only guest is idle.
// Guests are loaded with the tests' minimal ELF loader (test/xen/elf-loader.ts).
import { BufferConsole } from "../../src/xen/console-sink.js";
import { CpuPort } from "../../src/xen/cpu-port.js";
import { XenHost } from "../../src/xen/host.js";
import { NR_hypercalls } from "../../src/xen/abi.js";
import { loadElfGuest } from "../../test/xen/elf-loader.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the hostile guest for `seconds`, re-creating it whenever it crashes itself. */
function hostileEntriesPerSecond(seconds: number): { entries: number; hypercalls: number; ms: number; perSecond: number; mips: number; crashes: number } {
  const host = new XenHost({ timeMode: "deterministic", memoryMiB: 32, console: new BufferConsole() });
  host.attachCpu(new CpuPort(host.core));
  let g = loadElfGuest(host, "build/xen/guests/hostile.elf", { name: "hostile", memoryMiB: 8 });
  host.unpause(g.d);
  let instr = 0;
  let crashes = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const before = g.d.cpuTimeInstr;
    host.runUntil(() => !g.d.canRun, 1000);
    instr += g.d.cpuTimeInstr - before;
    if (!g.d.canRun) {
      crashes++;
      host.destroyDomain(g.d);
      g = loadElfGuest(host, "build/xen/guests/hostile.elf", { name: "hostile", memoryMiB: 8 });
      host.unpause(g.d);
    }
  }
  const ms = performance.now() - t0;
  let hypercalls = 0;
  for (let nr = 0; nr < NR_hypercalls; nr++) hypercalls += host.stats.count(nr);
  const entries = hypercalls + host.entries.exceptions;
  return { entries, hypercalls, ms: Math.round(ms), perSecond: Math.round(entries / (ms / 1000)), mips: +(instr / ms / 1000).toFixed(2), crashes };
}

/** Seconds an idle host is left before its CPU is measured: V8 keeps optimizing the idle path
 * (on its worker threads) for about ten seconds after boot, which is warm-up, not idling. */
const IDLE_SETTLE_S = Number(process.env.IDLE_SETTLE_S ?? 10);

async function idleCpuPercent(seconds: number): Promise<{ settled: number; firstSeconds: number }> {
  const console = new BufferConsole();
  const host = new XenHost({ timeMode: "interactive", memoryMiB: 32, console });
  host.attachCpu(new CpuPort(host.core));
  const g = loadElfGuest(host, "build/xen/guests/hello.elf", { name: "hello", memoryMiB: 8 });
  host.unpause(g.d);
  host.start();
  while (!console.textOf(g.d.id).includes("hello: ready")) await sleep(10);
  const cpuPercent = async (s: number) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(s * 1000);
    const c = process.cpuUsage(c0);
    return +(((c.user + c.system) / ((performance.now() - t0) * 1000)) * 100).toFixed(2);
  };
  const firstSeconds = await cpuPercent(Math.min(seconds, IDLE_SETTLE_S));
  await sleep(Math.max(0, IDLE_SETTLE_S - seconds) * 1000);
  const settled = await cpuPercent(seconds);
  host.stop();
  return { settled, firstSeconds };
}

const hostile = hostileEntriesPerSecond(3);
console.log(`hostile guest: ${hostile.entries} hypervisor entries (${hostile.hypercalls} hypercalls) in ${hostile.ms} ms, ${hostile.perSecond}/s, CPU ${hostile.mips} MIPS, ${hostile.crashes} crashes re-created`);
const idle = await idleCpuPercent(5);
console.log(`interactive host with an idle guest (10 ms timer): ${idle.settled}% of one core (${IDLE_SETTLE_S} s after boot; ${idle.firstSeconds}% right after boot, while V8 still optimizes)`);
console.log(JSON.stringify({ hostileEntriesPerSecond: hostile.perSecond, hostileHypercalls: hostile.hypercalls, hostileCrashes: hostile.crashes, guestMips: hostile.mips, idleCpuPercent: idle.settled, idleCpuPercentRightAfterBoot: idle.firstSeconds, idleSettleSeconds: IDLE_SETTLE_S }));
