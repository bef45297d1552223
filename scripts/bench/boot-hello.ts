// npm run bench -- boot-hello: the testing computer in this process, its serial line read
// directly. Measures (1) time from process start to the hello guest's first console line,
// (2) hypercalls per second of a guest looping xen_version(0), (3) console echo round trip
// through the hello guest while another domain spins, (4) CPU used while the hello guest idles. No peer exists on this machine for an
// emulated Xen 2.0 host, so no ratio is reported.
import { resolve } from "node:path";
import { createSerialPair } from "../../src/emu/serial/index.js";
import { parseConfig } from "../../src/xen/tools/config.js";
import { startTestingComputer, type TestingComputer } from "../../src/xen/tools/testing-computer.js";

const root = process.cwd();
const HELLO_CFG = resolve(root, "configs/hello.cfg");
const cfg = (name: string, kernel: string, memory: number) =>
  parseConfig(`kernel='${resolve(root, kernel)}'\nmemory=${memory}\nname='${name}'\n`, `${name}.cfg`);

async function machine(configs: string[]) {
  const pair = createSerialPair();
  let text = "";
  const waiters: Array<() => void> = [];
  pair.development.setReceiver((chunk) => {
    text += chunk.toString("latin1");
    for (const w of waiters.splice(0)) w();
  });
  const tc: TestingComputer = await startTestingComputer(pair.testing, { baud: 0, configs, controlPath: null, timeMode: "interactive" });
  const waitFor = (cond: () => boolean, what: string, ms = 60_000) =>
    new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`Cannot finish benchmark: timed out waiting for ${what}`)), ms);
      const check = () => {
        if (cond()) {
          clearTimeout(timer);
          res();
        } else waiters.push(check);
      };
      check();
    });
  return {
    tc,
    text: () => text,
    send: (s: string) => pair.development.write(Buffer.from(s, "latin1")),
    waitFor,
    stop: async () => {
      await tc.stop();
      await Promise.all([pair.testing.close(), pair.development.close()]);
    },
  };
}

async function bootToFirstLine() {
  const startedMs = performance.now();
  const m = await machine([HELLO_CFG]);
  await m.waitFor(() => m.text().includes("hello from the hello guest\n"), "the hello guest's first ring line");
  const firstLineMs = performance.now();
  await m.waitFor(() => m.text().includes("hello: console_io works"), "console_io line");
  await m.stop();
  return { sinceProcessStartMs: firstLineMs, sinceHostStartMs: firstLineMs - startedMs };
}

async function hypercallRate() {
  const m = await machine([]);
  const before = m.tc.host.entries.hypercalls;
  const t0 = performance.now();
  m.tc.xend.create(cfg("hcloop", "build/bench/hcloop.elf", 4));
  await m.waitFor(() => m.text().includes("hcloop: done"), "the hypercall loop");
  const seconds = (performance.now() - t0) / 1000;
  const calls = m.tc.host.entries.hypercalls - before;
  await m.stop();
  return { hypercalls: calls, seconds, perSecond: calls / seconds };
}

async function echoWhileSpinning(rounds = 40) {
  const m = await machine([HELLO_CFG]);
  await m.waitFor(() => m.text().includes("hello: ready\n"), "the hello guest ready");
  m.tc.xend.create(cfg("spin", "build/xen/guests/spin.elf", 4));
  const rtts: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const mark = m.text().length;
    const ch = String.fromCharCode(0x61 + (i % 26));
    const t0 = performance.now();
    m.send(ch);
    await m.waitFor(() => m.text().slice(mark).includes(ch), `echo ${i}`);
    rtts.push(performance.now() - t0);
  }
  await m.stop();
  if (process.env.BENCH_VERBOSE) console.log(rtts.map((r) => r.toFixed(1)).join(" "));
  rtts.sort((a, b) => a - b);
  const q = (p: number) => rtts[Math.min(rtts.length - 1, Math.floor(p * rtts.length))];
  return { rounds, medianMs: q(0.5), p95Ms: q(0.95), maxMs: rtts[rtts.length - 1] };
}

/** Seconds the idle host is left before the settled measurement: V8 keeps optimizing the idle
 * path (on its worker threads) for about ten seconds after boot, which is warm-up, not idling. */
const IDLE_SETTLE_S = Number(process.env.IDLE_SETTLE_S ?? 10);

/** CPU used by this process (the whole host) while the hello guest idles, in % of one core. */
async function idleCpu(seconds = 3) {
  const m = await machine([HELLO_CFG]);
  await m.waitFor(() => m.text().includes("hello: 5 timer ticks\n"), "the hello guest idle");
  const cpuPercent = async (s: number) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, s * 1000));
    const c = process.cpuUsage(c0);
    return ((c.user + c.system) / 1000 / (performance.now() - t0)) * 100;
  };
  const rightAfterBoot = await cpuPercent(seconds);
  await new Promise((r) => setTimeout(r, Math.max(0, IDLE_SETTLE_S - seconds) * 1000));
  const settled = await cpuPercent(seconds);
  await m.stop();
  return { percentOfOneCore: settled, rightAfterBoot, seconds };
}

const boot = await bootToFirstLine();
console.log(`boot: hello guest's first console line ${boot.sinceProcessStartMs.toFixed(0)} ms after process start (${boot.sinceHostStartMs.toFixed(0)} ms after the host started)`);
const hc = await hypercallRate();
console.log(`hypercalls: ${hc.hypercalls} xen_version calls in ${hc.seconds.toFixed(2)} s = ${Math.round(hc.perSecond)} hypercalls/s`);
const echo = await echoWhileSpinning();
console.log(`echo: console round trip through the hello guest while another domain spins: median ${echo.medianMs.toFixed(1)} ms, p95 ${echo.p95Ms.toFixed(1)} ms, max ${echo.maxMs.toFixed(1)} ms (${echo.rounds} rounds)`);
const idle = await idleCpu();
console.log(`idle: host with the hello guest blocked (10 ms timer) uses ${idle.percentOfOneCore.toFixed(1)}% of one core (interactive time, ${idle.seconds} s, ${IDLE_SETTLE_S} s after boot; ${idle.rightAfterBoot.toFixed(1)}% right after boot, while V8 still optimizes)`);
console.log("peer: none (no other Xen 2.0 host on this machine)");
console.log(
  JSON.stringify({
    bootFirstLineMsSinceProcessStart: Math.round(boot.sinceProcessStartMs),
    bootFirstLineMsSinceHostStart: Math.round(boot.sinceHostStartMs),
    hypercallsPerSecond: Math.round(hc.perSecond),
    hypercalls: hc.hypercalls,
    echoMedianMs: Number(echo.medianMs.toFixed(2)),
    echoP95Ms: Number(echo.p95Ms.toFixed(2)),
    echoMaxMs: Number(echo.maxMs.toFixed(2)),
    echoRounds: echo.rounds,
    idleCpuPercent: Number(idle.percentOfOneCore.toFixed(2)),
    idleCpuPercentRightAfterBoot: Number(idle.rightAfterBoot.toFixed(2)),
    idleSettleSeconds: IDLE_SETTLE_S,
  }),
);
