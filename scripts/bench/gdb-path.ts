// npm run bench -- gdb-path: what one gdb `stepi` costs in our own process, without gdb and
// without sockets: the seven packets gdb 13 sends per stepi (vCont;s, then reads at pc, the
// thread list and two 64-byte lines at pc and esp) go through the serial line, Xen's UART and
// console, the stub and the target, and the replies back, all in-process. The `gdb` bench's
// stepi/s depends mostly on where the kernel places gdb and us (same CPU or not); this figure
// does not, so it shows changes to the stub's path that the end-to-end figure cannot resolve.
// Readable lines first; the last line is one JSON object with all figures.
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asUint8Array, createSerialPair, type SerialLineEnd } from "../../src/emu/serial/index.js";
import { debugToLine, splitFromLine } from "../../src/serial-mux/index.js";
import { GdbSession } from "../../src/gdbstub/session.js";
import { startTestingComputer } from "../../src/xen/tools/testing-computer.js";
import { FlatTarget } from "./gdb/flat-target.js";

const STEPS = Number(process.env.GDB_PATH_STEPS ?? 20000);
const TRIALS = 5;

function frame(body: string): Buffer {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum = (sum + body.charCodeAt(i)) & 0xff;
  return Buffer.from(`$${body}#${sum.toString(16).padStart(2, "0")}`, "latin1");
}

const le32 = (hex: string) => Buffer.from(hex, "hex").readUInt32LE(0);

/** A gdb stand-in on the development end of `line`: sends packets, keeps the last reply. */
class PacketDriver {
  last = "";
  replies = 0;
  constructor(private readonly line: SerialLineEnd) {
    line.setReceiver((chunk) => {
      const { debug } = splitFromLine(chunk);
      if (debug.length === 0) return;
      this.last = debug.toString("latin1");
      this.replies++;
    });
  }
  send(body: string): void {
    this.line.write(debugToLine(frame(body)).line);
  }
  /** gdb acknowledges the OK to QStartNoAckMode; the stub ignores that stray `+`. */
  ackNoAck(): void {
    this.line.write(debugToLine(Buffer.from("+")).line);
  }
}

/** One stepi as gdb 13 does it, after the stop reply (a microtask) has come. */
async function stepi(g: PacketDriver, pid: number): Promise<void> {
  const before = g.replies;
  g.send(`vCont;s:p${pid}.1;c:p${pid}.-1`);
  // The real host's stop reply follows as a microtask; a target may take a turn of the loop.
  await null;
  await null;
  while (g.replies === before) await new Promise((r) => setImmediate(r));
  const pc = le32(/;08:([0-9a-f]{8})/.exec(g.last)?.[1] ?? "00000000");
  const sp = le32(/;04:([0-9a-f]{8})/.exec(g.last)?.[1] ?? "00000000");
  const at = pc.toString(16);
  g.send(`m${at},1`);
  g.send("qXfer:threads:read::0,1000");
  g.send(`m${at},1`);
  g.send(`m${at},1`);
  g.send(`m${((pc & ~63) >>> 0).toString(16)},40`);
  g.send(`m${((sp & ~63) >>> 0).toString(16)},40`);
}

/** Microseconds per stepi: the best of TRIALS runs of STEPS / TRIALS steps, after a warm-up. */
async function measure(g: PacketDriver, pid: number): Promise<{ bestUs: number; trialsUs: number[] }> {
  for (const p of ["qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+", "QStartNoAckMode", "?"]) g.send(p);
  g.ackNoAck();
  await new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < 2000; i++) await stepi(g, pid);
  const trialsUs: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    const before = g.replies;
    const t0 = performance.now();
    for (let i = 0; i < STEPS / TRIALS; i++) await stepi(g, pid);
    trialsUs.push(((performance.now() - t0) * 1000) / (STEPS / TRIALS));
    if (g.replies - before !== (7 * STEPS) / TRIALS) throw new Error(`Cannot measure the path: ${g.replies - before} replies for ${STEPS / TRIALS} steps`);
  }
  return { bestUs: Math.min(...trialsUs), trialsUs };
}

async function flat(): Promise<{ bestUs: number; trialsUs: number[] }> {
  const pair = createSerialPair();
  const target = new FlatTarget(1);
  const stub = new GdbSession({ target, lossless: true, reattach: true, write: (b) => pair.testing.write(debugToLine(Buffer.from(b)).line) });
  pair.testing.setReceiver((chunk) => {
    const { debug } = splitFromLine(chunk);
    if (debug.length > 0) stub.receive(asUint8Array(debug));
  });
  try {
    return await measure(new PacketDriver(pair.development), 1);
  } finally {
    target.halt();
  }
}

async function realHost(): Promise<{ bestUs: number; trialsUs: number[] } | null> {
  const hello = join(process.cwd(), "build", "xen", "guests", "hello.elf");
  if (!existsSync(hello)) return null;
  const dir = mkdtempSync(join(tmpdir(), "gdb-path-"));
  const cfg = join(dir, "hello.cfg");
  writeFileSync(cfg, `kernel = "${hello}"\nmemory = 20\nname = "hello-0"\ncmdline = "console=xen"\n`);
  const pair = createSerialPair();
  const tc = await startTestingComputer(pair.testing, { baud: 0, configs: [cfg], memoryMiB: 32 });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    return await measure(new PacketDriver(pair.development), 2);
  } finally {
    await tc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const f = await flat();
  const r = await realHost();
  const fmt = (x: { bestUs: number; trialsUs: number[] }) => `${x.bestUs.toFixed(1).padStart(6)} us per stepi (trials ${x.trialsUs.map((t) => t.toFixed(1)).join(" ")})`;
  console.log(`gdb-path bench: the 7 packets of one gdb stepi through line, UART, console, stub and target, in-process; best of ${TRIALS} x ${STEPS / TRIALS} steps`);
  console.log(`  flat stand-in target        ${fmt(f)}`);
  console.log(r === null ? "  real Xen host: hello guest not built" : `  real Xen host (hello)        ${fmt(r)}`);
  console.log(JSON.stringify({ steps: STEPS, trials: TRIALS, flatUsPerStepi: f.bestUs, realHostUsPerStepi: r?.bestUs ?? null, flatTrialsUs: f.trialsUs, realHostTrialsUs: r?.trialsUs ?? null }));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
