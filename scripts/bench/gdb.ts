// npm run bench -- gdb: the debugger path under the real gdb (GNU gdb 13). Bulk memory read
// (`dump binary memory` of 16 MiB) in MiB/s and `stepi` per second, for our stub through the
// serial line and the splitter, for a null stub on the same path (gdb's own ceiling), and for
// qemu-system-i386's gdbstub over TCP when installed; plus stepi/s while another domain spins.
// Our stub is measured twice: on a flat 16 MiB stand-in target (gdb/flat-target: the stub and
// the path alone) and on the real host (Xen, the CPU and the hello guest).
// Every configuration is measured once per round (GDB_BENCH_ROUNDS, default 3) and reported as
// the median over rounds, since the load of a shared machine drifts during a run.
// Readable lines first; the last line is one JSON object with all figures.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asUint8Array, createSerialPair, type SerialLineEnd } from "../../src/emu/serial/index.js";
import { MuxServer, debugToLine, splitFromLine } from "../../src/serial-mux/index.js";
import { GdbSession } from "../../src/gdbstub/session.js";
import { startGdbServer } from "../../src/gdbstub/server.js";
import { startTestingComputer } from "../../src/xen/tools/testing-computer.js";
import { FlatTarget, MAPPED_BYTES } from "./gdb/flat-target.js";
import { NullStub } from "./gdb/null-stub.js";

const STEPS = Number(process.env.GDB_BENCH_STEPS ?? 2000);
const WARMUP_STEPS = Number(process.env.GDB_BENCH_WARMUP_STEPS ?? 500);
const ROUNDS = Math.max(1, Number(process.env.GDB_BENCH_ROUNDS ?? 3));
const DUMP_BYTES = MAPPED_BYTES;
const dir = mkdtempSync(join(tmpdir(), "gdb-bench-"));

interface Figures {
  dumpMiBs: number;
  stepiPerS: number;
}

/** Puts a stub on the testing end of a fresh serial line with the splitter on the other end. */
async function overSplitter(makeStub: (toLine: (b: Uint8Array) => void, line: SerialLineEnd) => { receive(b: Uint8Array): void }) {
  const pair = createSerialPair();
  const stub = makeStub((b) => pair.testing.write(debugToLine(Buffer.from(b)).line), pair.testing);
  pair.testing.setReceiver((chunk) => {
    const { debug } = splitFromLine(chunk);
    if (debug.length > 0) stub.receive(asUint8Array(debug));
  });
  const mux = await MuxServer.start({ line: pair.development, gdbPort: 0, consolePort: 0 });
  return { port: mux.gdbPort, close: () => mux.close() };
}

function gdbScript(port: number, dump: boolean, pre: string[], afterDump: string[]): string {
  const out = join(dir, "dump.bin");
  return [
    "import gdb, json, time",
    'gdb.execute("set pagination off")',
    'gdb.execute("set confirm off")',
    `gdb.execute("target remote 127.0.0.1:${port}")`,
    ...pre.map((c) => `gdb.execute(${JSON.stringify(c)}, to_string=True)`),
    "res = {}",
    dump ? `t = time.perf_counter(); gdb.execute("dump binary memory ${out} 0 ${DUMP_BYTES}"); res["dump_s"] = time.perf_counter() - t` : "",
    ...afterDump.map((c) => `gdb.execute(${JSON.stringify(c)}, to_string=True)`),
    // Untimed warm-up steps first: a fresh process steps at half speed until V8 has compiled
    // the stop path, which would otherwise dominate a 2000-step sample.
    `for i in range(${WARMUP_STEPS}): gdb.execute("stepi", to_string=True)`,
    "t = time.perf_counter()",
    `for i in range(${STEPS}): gdb.execute("stepi", to_string=True)`,
    'res["step_s"] = time.perf_counter() - t',
    'print("RESULT " + json.dumps(res))',
    'gdb.execute("detach")',
    "",
  ].join("\n");
}

function measure(port: number, dump: boolean, pre: string[] = [], afterDump: string[] = []): Promise<Figures> {
  const script = join(dir, `bench-${port}.py`);
  writeFileSync(script, gdbScript(port, dump, pre, afterDump));
  return new Promise((resolve, reject) => {
    execFile("gdb", ["-batch", "-nx", "-x", script], { timeout: 600_000 }, (err, stdout, stderr) => {
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
      if (line === undefined) return reject(new Error(`Cannot measure gdb on port ${port}: ${err?.message ?? ""}\n${stderr}`));
      const r = JSON.parse(line.slice(7)) as { dump_s?: number; step_s: number };
      if (dump && statSync(join(dir, "dump.bin")).size !== DUMP_BYTES) return reject(new Error("Cannot measure: dump is short"));
      resolve({ dumpMiBs: r.dump_s === undefined ? NaN : DUMP_BYTES / 1048576 / r.dump_s, stepiPerS: STEPS / r.step_s });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Cannot reach qemu's gdbstub on port ${port}`);
}

async function qemu(): Promise<Figures | null> {
  const binary = "/usr/bin/qemu-system-i386";
  if (!existsSync(binary)) return null;
  const port = await freePort();
  const child: ChildProcess = spawn(binary, ["-S", "-display", "none", "-nodefaults", "-m", "32", "-gdb", `tcp:127.0.0.1:${port}`], { stdio: "ignore" });
  try {
    await waitForPort(port, 10_000);
    return await measure(port, true);
  } finally {
    child.kill("SIGKILL");
  }
}

/**
 * The real host: the testing computer (Xen, the CPU, the hello guest with 20 MiB) on an
 * in-process line with the splitter, as `minix-on-xen run` builds it. The dump reads 16 MiB of
 * the guest's pseudo-physical memory (`monitor mem phys`): its page tables map less than that;
 * the steps that follow use the virtual view again (`monitor mem virt`), as a user stepping would.
 * With `spinner`, the hostile test guest (which never stops) runs as a second domain and only
 * stepi is measured, on hello.
 */
async function realHost(spinner: boolean): Promise<Figures | null> {
  const guests = join(process.cwd(), "build", "xen", "guests");
  const hello = join(guests, "hello.elf");
  const hostile = join(guests, "hostile.elf");
  if (!existsSync(hello) || (spinner && !existsSync(hostile))) return null;
  const kernels = spinner ? [["hello-0", hello], ["spinner", hostile]] : [["hello-0", hello]];
  const configs = kernels.map(([name, kernel]) => {
    const cfg = join(dir, `${name}.cfg`);
    writeFileSync(cfg, `kernel = "${kernel}"\nmemory = 20\nname = "${name}"\ncmdline = "console=xen"\n`);
    return cfg;
  });
  const pair = createSerialPair();
  const tc = await startTestingComputer(pair.testing, { baud: 0, configs, memoryMiB: 24 * kernels.length + 8 });
  const mux = await MuxServer.start({ line: pair.development, gdbPort: 0, consolePort: 0 });
  try {
    // Let the guests boot before gdb stops the host.
    await new Promise((r) => setTimeout(r, 1000));
    const selectHello = "python [t.switch() for i in gdb.inferiors() for t in i.threads() if t.name == 'hello-0']";
    // Stepping goes back to the guest's virtual view: in the physical view the code addresses
    // gdb reads around eip are unreadable, and gdb then sends about 50% more packets per step.
    return await measure(mux.gdbPort, !spinner, spinner ? [selectHello] : ["monitor mem phys"], spinner ? [] : ["monitor mem virt"]);
  } finally {
    await mux.close();
    await tc.stop();
  }
}

const fmt = (f: Figures) => `dump ${f.dumpMiBs.toFixed(2).padStart(7)} MiB/s   stepi ${f.stepiPerS.toFixed(0).padStart(6)}/s`;

interface Round {
  ours: Figures;
  direct: Figures;
  spin: number;
  real: Figures | null;
  realSpin: number | null;
  nul: Figures;
  qemu: Figures | null;
}

/** One measurement of every configuration, back to back. */
/**
 * One measurement of every configuration. Those compared by a ratio run back to back (null
 * stub, ours, real host, qemu), so that load drift on the shared machine falls between pairs
 * less often; the rest follow.
 */
async function round(): Promise<Round> {
  const nul = await overSplitter((toLine, line) => new NullStub(toLine, line.lossless));
  const nullFigures = await measure(nul.port, true);
  await nul.close();

  const oursTarget = new FlatTarget(1);
  const ours = await overSplitter((toLine, line) => new GdbSession({ target: oursTarget, lossless: line.lossless, reattach: true, write: toLine }));
  const oursFigures = await measure(ours.port, true);
  await ours.close();
  oursTarget.halt();

  const realFigures = await realHost(false);
  const qemuFigures = await qemu();

  const directTarget = new FlatTarget(1);
  const direct = await startGdbServer({ target: directTarget });
  const directFigures = await measure(direct.port, true);
  await direct.close();
  directTarget.halt();

  const spinTarget = new FlatTarget(2);
  const spinning = await overSplitter((toLine, line) => new GdbSession({ target: spinTarget, lossless: line.lossless, reattach: true, write: toLine }));
  // Let domain 1 spin before gdb attaches; every step then freezes it with the clock.
  const spinFigures = await measure(spinning.port, false);
  await spinning.close();
  spinTarget.halt();

  const realSpinFigures = await realHost(true);
  return { ours: oursFigures, direct: directFigures, spin: spinFigures.stepiPerS, real: realFigures, realSpin: realSpinFigures?.stepiPerS ?? null, nul: nullFigures, qemu: qemuFigures };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median over rounds of a figure, with its range for the readable lines. */
function summary(xs: number[]): { median: number; min: number; max: number } {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

const medianFigures = (fs: Figures[]): Figures => ({ dumpMiBs: median(fs.map((f) => f.dumpMiBs)), stepiPerS: median(fs.map((f) => f.stepiPerS)) });

async function main(): Promise<void> {
  // The machine is shared, so load drifts during a run: every configuration is measured once per
  // round, rounds alternate, and the figures are medians over rounds, ratios those of the medians
  // (per-round ratios give the range).
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(await round());
  rmSync(dir, { recursive: true, force: true });

  const oursFigures = medianFigures(rounds.map((r) => r.ours));
  const directFigures = medianFigures(rounds.map((r) => r.direct));
  const spinStepi = median(rounds.map((r) => r.spin));
  const realRounds = rounds.flatMap((r) => (r.real === null ? [] : [r.real]));
  const realFigures = realRounds.length === 0 ? null : medianFigures(realRounds);
  const realSpinRounds = rounds.flatMap((r) => (r.realSpin === null ? [] : [r.realSpin]));
  const realSpinStepi = realSpinRounds.length === 0 ? null : median(realSpinRounds);
  const nullFigures = medianFigures(rounds.map((r) => r.nul));
  const qemuRounds = rounds.flatMap((r) => (r.qemu === null ? [] : [r.qemu]));
  const qemuFigures = qemuRounds.length === 0 ? null : medianFigures(qemuRounds);
  /** Per-round ratios of one figure to a peer's, as "min-max". */
  const range = (num: (r: Round) => number | undefined, den: (r: Round) => number | undefined) => {
    const xs = rounds.flatMap((r) => {
      const a = num(r);
      const b = den(r);
      return a === undefined || b === undefined ? [] : [a / b];
    });
    if (xs.length === 0) return { text: "", values: [] as number[] };
    const { min, max } = summary(xs);
    return { text: ` (rounds ${min.toFixed(2)}-${max.toFixed(2)})`, values: xs };
  };

  console.log(`gdb bench: dump binary memory of ${DUMP_BYTES / 1048576} MiB, ${STEPS} x stepi (after ${WARMUP_STEPS} untimed) from gdb Python; medians of ${ROUNDS} rounds`);
  console.log(`  ours, through line + splitter        ${fmt(oursFigures)}`);
  console.log(`  ours, direct TCP                     ${fmt(directFigures)}`);
  console.log(`  ours, other domain spinning          ${"".padEnd(22)}stepi ${spinStepi.toFixed(0).padStart(6)}/s`);
  console.log(realFigures === null ? "  real Xen host: hello guest not built" : `  ours, real Xen host (hello, 20 MiB)  ${fmt(realFigures)}`);
  if (realSpinStepi !== null) console.log(`  ours, real Xen host, hostile spinning${"".padEnd(22)}stepi ${realSpinStepi.toFixed(0).padStart(6)}/s`);
  console.log(`  null stub, through line + splitter   ${fmt(nullFigures)}`);
  console.log(qemuFigures === null ? "  qemu-system-i386: not installed" : `  qemu-system-i386 gdbstub, direct TCP ${fmt(qemuFigures)}`);
  const ratioNull = oursFigures.dumpMiBs / nullFigures.dumpMiBs;
  const oursNullRange = range((r) => r.ours.dumpMiBs, (r) => r.nul.dumpMiBs);
  console.log(`  ours / null stub: dump ${ratioNull.toFixed(2)}x${oursNullRange.text}, stepi ${(oursFigures.stepiPerS / nullFigures.stepiPerS).toFixed(2)}x`);
  const realNull = range((r) => r.real?.dumpMiBs, (r) => r.nul.dumpMiBs);
  const realQemuDump = range((r) => r.real?.dumpMiBs, (r) => r.qemu?.dumpMiBs);
  const realQemuStepi = range((r) => r.real?.stepiPerS, (r) => r.qemu?.stepiPerS);
  const realSpinQemuStepi = range((r) => r.realSpin ?? undefined, (r) => r.qemu?.stepiPerS);
  if (realFigures !== null) {
    console.log(`  real host / null stub: dump ${(realFigures.dumpMiBs / nullFigures.dumpMiBs).toFixed(2)}x${realNull.text}`);
    if (qemuFigures !== null) {
      console.log(`  real host / qemu: dump ${(realFigures.dumpMiBs / qemuFigures.dumpMiBs).toFixed(2)}x${realQemuDump.text}, stepi ${(realFigures.stepiPerS / qemuFigures.stepiPerS).toFixed(2)}x${realQemuStepi.text}`);
      if (realSpinStepi !== null) console.log(`  real host, other domain spinning / qemu: stepi ${(realSpinStepi / qemuFigures.stepiPerS).toFixed(2)}x${realSpinQemuStepi.text}`);
    }
  }
  const oursQemuDump = range((r) => r.ours.dumpMiBs, (r) => r.qemu?.dumpMiBs);
  const oursQemuStepi = range((r) => r.ours.stepiPerS, (r) => r.qemu?.stepiPerS);
  if (qemuFigures !== null) {
    console.log(`  ours / qemu: dump ${(oursFigures.dumpMiBs / qemuFigures.dumpMiBs).toFixed(2)}x${oursQemuDump.text}, stepi ${(oursFigures.stepiPerS / qemuFigures.stepiPerS).toFixed(2)}x${oursQemuStepi.text}`);
  }
  console.log(
    JSON.stringify({
      dumpBytes: DUMP_BYTES,
      steps: STEPS,
      warmupSteps: WARMUP_STEPS,
      rounds: ROUNDS,
      ours: oursFigures,
      oursDirectTcp: directFigures,
      oursStepiWhileOtherSpins: spinStepi,
      realHost: realFigures,
      realHostStepiWhileOtherDomainSpins: realSpinStepi,
      nullStub: nullFigures,
      qemu: qemuFigures,
      ratioDumpOursToNull: ratioNull,
      ratioDumpRealHostToNull: realFigures === null ? null : realFigures.dumpMiBs / nullFigures.dumpMiBs,
      ratioDumpOursToQemu: qemuFigures === null ? null : oursFigures.dumpMiBs / qemuFigures.dumpMiBs,
      ratioStepiOursToQemu: qemuFigures === null ? null : oursFigures.stepiPerS / qemuFigures.stepiPerS,
      ratioStepiRealHostToQemu: qemuFigures === null || realFigures === null ? null : realFigures.stepiPerS / qemuFigures.stepiPerS,
      ratioStepiRealHostSpinningToQemu: qemuFigures === null || realSpinStepi === null ? null : realSpinStepi / qemuFigures.stepiPerS,
      perRound: {
        ratioDumpOursToNull: oursNullRange.values,
        ratioDumpRealHostToNull: realNull.values,
        ratioStepiOursToQemu: oursQemuStepi.values,
        ratioStepiRealHostToQemu: realQemuStepi.values,
        ratioStepiRealHostSpinningToQemu: realSpinQemuStepi.values,
      },
      roundFigures: rounds,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
