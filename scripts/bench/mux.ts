// npm run bench -- mux: the splitter's cost. Throughput of the console and debugger streams in
// both directions through the splitter and the in-process serial line (unpaced), and the round
// trip of a 1-byte ping through splitter + line next to a direct loopback TCP round trip
// measured in the same run (the peer). Also the ping over a line carried by a Unix socket.
// Readable lines first; the last line is one JSON object with all figures.
import net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asUint8Array, createSerialPair, openSerialTransport, type SerialLineEnd } from "../../src/emu/serial/index.js";
import { MuxServer } from "../../src/serial-mux/index.js";

const STREAM_BYTES = Number(process.env.MUX_BENCH_BYTES ?? 128 * 1024 * 1024);
const PINGS = Number(process.env.MUX_BENCH_PINGS ?? 20_000);
const WARMUP = 2_000;
const CHUNK = 64 * 1024;

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.setNoDelay(true);
      resolve(s);
    });
    s.once("error", reject);
  });
}

const mbps = (bytes: number, ns: bigint) => bytes / 1e6 / (Number(ns) / 1e9);

/** The testing computer's end of the line writes `total` bytes; the client counts them. */
async function lineToClient(testing: SerialLineEnd, client: net.Socket, fill: number): Promise<number> {
  const chunk = Buffer.alloc(CHUNK, fill);
  let received = 0;
  let sent = 0;
  let wake: (() => void) | null = null;
  const onData = (c: Buffer) => {
    received += c.length;
    wake?.();
  };
  client.on("data", onData);
  const t0 = process.hrtime.bigint();
  while (received < STREAM_BYTES) {
    // Keep at most 512 KiB in flight: the splitter drops for a client more than 1 MiB behind.
    while (sent < STREAM_BYTES && sent - received < 512 * 1024) {
      testing.write(chunk.subarray(0)); // the line takes ownership; a view per write is enough here
      sent += CHUNK;
    }
    await new Promise<void>((r) => (wake = r));
    wake = null;
  }
  const dt = process.hrtime.bigint() - t0;
  client.off("data", onData);
  return mbps(received, dt);
}

/** The client writes `total` bytes as fast as TCP takes them; the testing end counts them. */
async function clientToLine(testing: SerialLineEnd, client: net.Socket, fill: number): Promise<number> {
  const chunk = Buffer.alloc(CHUNK, fill);
  let received = 0;
  let done: (() => void) | null = null;
  testing.setReceiver((c) => {
    received += c.length;
    if (received >= STREAM_BYTES) done?.();
  });
  const t0 = process.hrtime.bigint();
  const finished = new Promise<void>((r) => (done = r));
  for (let sent = 0; sent < STREAM_BYTES; sent += CHUNK) {
    if (!client.write(asUint8Array(chunk))) await new Promise((r) => client.once("drain", r));
  }
  await finished;
  const dt = process.hrtime.bigint() - t0;
  testing.setReceiver(null);
  return mbps(received, dt);
}

/** Ping-pong of one byte, `n` times after a warm-up; returns sorted round trips in microseconds. */
function pingPong(client: net.Socket, byte: number, n: number): Promise<Float64Array> {
  const out = new Float64Array(n);
  const ping = Buffer.from([byte]);
  return new Promise((resolve) => {
    let i = -WARMUP;
    let t0 = process.hrtime.bigint();
    const onData = () => {
      const t = process.hrtime.bigint();
      if (i >= 0) out[i] = Number(t - t0) / 1000;
      i++;
      if (i === n) {
        client.off("data", onData);
        resolve(out.sort());
        return;
      }
      t0 = process.hrtime.bigint();
      client.write(asUint8Array(ping));
    };
    client.on("data", onData);
    client.write(asUint8Array(ping));
  });
}

const pct = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  console.log(`mux bench: ${STREAM_BYTES / 1024 / 1024} MiB per stream, ${PINGS} pings (+${WARMUP} warm-up), node ${process.version}`);

  // Splitter on an in-process, unpaced line.
  const pair = createSerialPair();
  const mux = await MuxServer.start({ line: pair.development, gdbPort: 0, consolePort: 0 });
  const con = await connect(mux.consolePort);
  const gdb = await connect(mux.gdbPort);
  await new Promise((r) => setTimeout(r, 50));

  const consoleOut = await lineToClient(pair.testing, con, 0x41);
  const debugOut = await lineToClient(pair.testing, gdb, 0xc1);
  const consoleIn = await clientToLine(pair.testing, con, 0x41);
  const debugIn = await clientToLine(pair.testing, gdb, 0x41);
  console.log(`console  line->client ${round(consoleOut)} MB/s   client->line ${round(consoleIn)} MB/s`);
  console.log(`debugger line->client ${round(debugOut)} MB/s   client->line ${round(debugIn)} MB/s`);

  // Echo at the testing computer: what arrives goes straight back (bit 7 kept, so a debugger
  // ping comes back to the debugger).
  pair.testing.setReceiver((c) => pair.testing.write(c));
  const viaSplitter = await pingPong(gdb, 0x2b, PINGS);
  const viaSplitterConsole = await pingPong(con, 0x2e, PINGS);

  // The peer: a direct loopback TCP echo in this process.
  const echo = net.createServer((s) => {
    s.setNoDelay(true);
    s.on("data", (c: Buffer) => s.write(asUint8Array(c)));
  });
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", () => r()));
  const direct = await connect((echo.address() as net.AddressInfo).port);
  const viaLoopback = await pingPong(direct, 0x2b, PINGS);

  // The same splitter over a line carried by a Unix socket (two processes' worth of hops).
  const dir = mkdtempSync(join(tmpdir(), "mux-bench-"));
  const far = await openSerialTransport(`unix-listen:${join(dir, "line.sock")}`);
  far.setReceiver((c) => far.write(c));
  const near = await openSerialTransport(`unix:${join(dir, "line.sock")}`, { retryMs: 10 });
  const mux2 = await MuxServer.start({ line: near, gdbPort: 0, consolePort: 0 });
  while (!near.peerPresent) await new Promise((r) => setTimeout(r, 5));
  const gdb2 = await connect(mux2.gdbPort);
  const viaUnixLine = await pingPong(gdb2, 0x2b, PINGS);

  const figures = {
    splitter: { p50: pct(viaSplitter, 50), p99: pct(viaSplitter, 99) },
    splitterConsole: { p50: pct(viaSplitterConsole, 50), p99: pct(viaSplitterConsole, 99) },
    loopback: { p50: pct(viaLoopback, 50), p99: pct(viaLoopback, 99) },
    unixLine: { p50: pct(viaUnixLine, 50), p99: pct(viaUnixLine, 99) },
  };
  const ratio = (a: number, b: number) => round(a / b, 2);
  const line = (name: string, f: { p50: number; p99: number }) =>
    console.log(
      `${name.padEnd(38)} p50 ${round(f.p50).toString().padStart(6)} us  p99 ${round(f.p99).toString().padStart(6)} us` +
        (name.startsWith("direct") ? "" : `   x${ratio(f.p50, figures.loopback.p50)} / x${ratio(f.p99, figures.loopback.p99)} of direct`),
    );
  line("ping via splitter + line (gdb)", figures.splitter);
  line("ping via splitter + line (console)", figures.splitterConsole);
  line("direct loopback TCP (peer)", figures.loopback);
  line("ping via splitter + unix-socket line", figures.unixLine);
  const minMBps = Math.min(consoleOut, debugOut, consoleIn, debugIn);
  const latencyRatio = ratio(figures.splitter.p50, figures.loopback.p50);
  console.log(`targets: throughput >= 50 MB/s: ${minMBps >= 50 ? "met" : "NOT met"} (min ${round(minMBps)});` +
    ` splitter round trip < 2x direct: ${latencyRatio < 2 ? "met" : "NOT met"} (x${latencyRatio} at p50)`);

  for (const s of [con, gdb, direct, gdb2]) s.destroy();
  await Promise.all([mux.close(), mux2.close(), near.close(), far.close()]);
  await new Promise<void>((r) => echo.close(() => r()));
  rmSync(dir, { recursive: true, force: true });

  console.log(
    JSON.stringify({
      bench: "mux",
      streamBytes: STREAM_BYTES,
      pings: PINGS,
      consoleLineToClientMBps: round(consoleOut),
      consoleClientToLineMBps: round(consoleIn),
      debugLineToClientMBps: round(debugOut),
      debugClientToLineMBps: round(debugIn),
      splitterRttP50Us: round(figures.splitter.p50),
      splitterRttP99Us: round(figures.splitter.p99),
      splitterConsoleRttP50Us: round(figures.splitterConsole.p50),
      splitterConsoleRttP99Us: round(figures.splitterConsole.p99),
      loopbackRttP50Us: round(figures.loopback.p50),
      loopbackRttP99Us: round(figures.loopback.p99),
      unixLineRttP50Us: round(figures.unixLine.p50),
      unixLineRttP99Us: round(figures.unixLine.p99),
      splitterVsLoopbackP50: latencyRatio,
      splitterVsLoopbackP99: ratio(figures.splitter.p99, figures.loopback.p99),
      unixLineVsLoopbackP50: ratio(figures.unixLine.p50, figures.loopback.p50),
      addedRttP50Us: round(figures.splitter.p50 - figures.loopback.p50),
      addedRttP99Us: round(figures.splitter.p99 - figures.loopback.p99),
      throughputTargetMet: minMBps >= 50,
      latencyTargetMet: latencyRatio < 2,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
