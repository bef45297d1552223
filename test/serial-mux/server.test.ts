import { afterEach, describe, expect, it } from "vitest";
import { MuxServer, type MuxServerOptions } from "../../src/serial-mux/index.js";
import { concatBytes, createSerialPair, openSerialTransport, type SerialPair, type TransportLineEnd } from "../../src/emu/serial/index.js";
import type { LineEndOptions } from "../../src/emu/serial/index.js";
import { ManualClock } from "../emu/serial/manual-clock.js";
import { TcpClient, sleep, until } from "./tcp-client.js";

const muxes: MuxServer[] = [];
const clients: TcpClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(muxes.splice(0).map((m) => m.close()));
});

interface Rig {
  mux: MuxServer;
  pair: SerialPair;
  /** What the testing computer's end has received. */
  atTesting: () => Buffer;
  console: () => Promise<TcpClient>;
  debugger: () => Promise<TcpClient>;
}

async function rig(opts: Partial<MuxServerOptions> = {}, line: LineEndOptions = {}, listenTesting = true): Promise<Rig> {
  const pair = createSerialPair(line);
  const got: Buffer[] = [];
  if (listenTesting) pair.testing.setReceiver((c) => got.push(c));
  const mux = await MuxServer.start({ line: pair.development, gdbPort: 0, consolePort: 0, ...opts });
  muxes.push(mux);
  const connect = async (port: number) => {
    const c = await TcpClient.connect(port);
    clients.push(c);
    return c;
  };
  return {
    mux,
    pair,
    atTesting: () => concatBytes(got),
    console: () => connect(mux.consolePort),
    debugger: () => connect(mux.gdbPort),
  };
}

const withBit7 = (s: string) => Buffer.from([...Buffer.from(s)].map((b) => b | 0x80));

describe("MuxServer", () => {
  it("binds port 0 and reports distinct real ports on 127.0.0.1", async () => {
    const { mux } = await rig();
    expect(mux.host).toBe("127.0.0.1");
    expect(mux.gdbPort).toBeGreaterThan(0);
    expect(mux.consolePort).toBeGreaterThan(0);
    expect(mux.gdbPort).not.toBe(mux.consolePort);
  });

  it("fails with a clear error when a port is taken", async () => {
    const { mux } = await rig();
    const pair = createSerialPair();
    await expect(MuxServer.start({ line: pair.development, gdbPort: 0, consolePort: mux.consolePort })).rejects.toThrow(
      new RegExp(`Cannot listen for the console on 127\\.0\\.0\\.1:${mux.consolePort}: .*EADDRINUSE`),
    );
    await expect(MuxServer.start({ line: pair.development, gdbPort: 70000 })).rejects.toThrow(/port 70000 is not 0-65535/);
  });

  it("routes line bytes by bit 7: console text to every console client, the rest to the debugger", async () => {
    const r = await rig();
    const c1 = await r.console();
    const c2 = await r.console();
    const gdb = await r.debugger();
    await until(() => r.mux.stats.consoleClients === 2 && r.mux.stats.debuggerConnected, "clients");
    r.pair.testing.write(concatBytes([Buffer.from("Xen "), withBit7("$OK#9a"), Buffer.from("boots\r\n")]));
    await until(() => c1.length === 11 && c2.length === 11 && gdb.length === 6, "routed bytes");
    expect(c1.text()).toBe("Xen boots\r\n");
    expect(c2.text()).toBe("Xen boots\r\n");
    expect(gdb.text()).toBe("$OK#9a");
  });

  it("sends debugger bytes with bit 7 set and console bytes as they are; every client may type", async () => {
    const r = await rig();
    const c1 = await r.console();
    const c2 = await r.console();
    const gdb = await r.debugger();
    gdb.send("$g#67");
    await until(() => r.atTesting().length === 5, "debugger bytes on the line");
    c1.send("ls\r");
    await until(() => r.atTesting().length === 8, "console 1 bytes on the line");
    c2.send("\x03\x01");
    await until(() => r.atTesting().length === 10, "console 2 bytes on the line");
    expect(r.atTesting()).toEqual(concatBytes([withBit7("$g#67"), Buffer.from("ls\r\x03\x01")]));
  });

  it("drops console-client bytes >= 0x80, tells that client and counts them; the debugger never sees them", async () => {
    const r = await rig();
    const typist = await r.console();
    const other = await r.console();
    const gdb = await r.debugger();
    typist.send(Buffer.from("a\u00e9b", "utf8"));
    await until(() => /dropped/.test(typist.text()), "the notice");
    expect(typist.text()).toMatch(/2 input byte\(s\) >= 0x80 dropped/);
    expect(r.mux.stats.consoleHighDropped).toBe(2);
    await until(() => r.atTesting().length === 2, "the carried bytes");
    expect(r.atTesting().toString()).toBe("ab");
    // Loop the line back: nothing of it may come out at the debugger.
    r.pair.testing.write(r.atTesting());
    await until(() => other.length === 2, "echo at the other console");
    expect(gdb.length).toBe(0);
    expect(other.text()).toBe("ab");
  });

  it("replays the scrollback (bounded) to each new console client, then streams live", async () => {
    const r = await rig({ scrollbackBytes: 1000 });
    const log = Buffer.from(Array.from({ length: 3000 }, (_, i) => 0x20 + (i % 90)));
    r.pair.testing.write(log);
    const late = await r.console();
    await until(() => late.length === 1000, "the scrollback");
    expect(late.bytes()).toEqual(log.subarray(2000));
    r.pair.testing.write(Buffer.from("live"));
    await until(() => late.length === 1004, "live output");
    expect(late.text().endsWith("live")).toBe(true);
  });

  it("with no debugger connected, discards and counts debugger bytes", async () => {
    const r = await rig();
    r.pair.testing.write(withBit7("$T05#b9"));
    expect(r.mux.stats.debugDiscarded).toBe(7);
    const gdb = await r.debugger();
    await until(() => r.mux.stats.debuggerConnected, "debugger");
    await sleep(20);
    expect(gdb.length).toBe(0); // discarded bytes are not replayed to a later debugger
  });

  it("refuses a second debugger with a reason and leaves the first undisturbed", async () => {
    const r = await rig();
    const first = await r.debugger();
    await until(() => r.mux.stats.debuggerConnected, "first debugger");
    const second = await r.debugger();
    second.send("$g#67");
    await until(() => second.closed, "the refusal to close the second connection");
    expect(second.text()).toMatch(/refused: a debugger is already connected .*only one at a time/);
    expect(r.mux.stats.debuggersRefused).toBe(1);
    expect(r.atTesting().length).toBe(0); // the refused debugger's bytes never reach the line
    first.send("$?#3f");
    r.pair.testing.write(withBit7("$S05#b8"));
    await until(() => first.length === 7 && r.atTesting().length === 5, "traffic of the first debugger");
    expect(first.text()).toBe("$S05#b8");
    expect(first.closed).toBe(false);
  });

  it("bounds a stalled debugger's queue: the excess is dropped and counted, the line goes on", async () => {
    const queue = 64 * 1024;
    const r = await rig({ clientQueueBytes: queue });
    const gdb = await r.debugger();
    const con = await r.console();
    await until(() => r.mux.stats.debuggerConnected && r.mux.stats.consoleClients === 1, "clients");
    gdb.socket.pause();
    const total = 16 * 1024 * 1024;
    const chunk = withBit7("x".repeat(32 * 1024));
    for (let sent = 0; sent < total; sent += chunk.length) {
      r.pair.testing.write(chunk);
      r.pair.testing.write(Buffer.from("."));
      await sleep(0);
    }
    expect(r.mux.stats.debugMissed).toBeGreaterThan(0);
    gdb.socket.resume();
    await until(() => gdb.length + r.mux.stats.debugMissed === total, "delivered + dropped = sent");
    await until(() => con.length === total / chunk.length, "console bytes interleaved with the flood");
  });

  it("survives a debugger that vanishes mid-packet; the next one works", async () => {
    const r = await rig();
    const a = await r.debugger();
    a.send("$m1000,");
    await until(() => r.atTesting().length === 7, "partial packet");
    a.close();
    await until(() => !r.mux.stats.debuggerConnected, "debugger to leave");
    r.pair.testing.write(withBit7("$E01#a6")); // reply into the void
    r.pair.testing.write(withBit7("+$OK#9a")); // the stub's answer to the splitter's detach
    const b = await r.debugger();
    await until(() => r.mux.stats.debuggerConnected, "second debugger");
    r.pair.testing.write(withBit7("+"));
    await until(() => b.length === 1, "byte at the new debugger");
    expect(b.text()).toBe("+");
  });

  it("sends a detach for a vanished debugger, and its reply never reaches the next debugger", async () => {
    const r = await rig();
    const a = await r.debugger();
    a.send("$?#3f");
    await until(() => r.atTesting().length === 5, "packet on the line");
    a.close();
    await until(() => r.atTesting().includes(withBit7("$D#44")), "the splitter's detach on the line");
    const b = await r.debugger();
    await until(() => r.mux.stats.debuggerConnected, "second debugger");
    // The stub answers the old `?` and the detach only now, after the new debugger came.
    r.pair.testing.write(withBit7("+$S05#b8+$OK#9a"));
    r.pair.testing.write(withBit7("$T05#b9"));
    await until(() => b.length === 7, "the new debugger's bytes");
    expect(b.text()).toBe("$T05#b9");
  });

  it("polls for the debugger's next packet only briefly after a reply, then sleeps again", async () => {
    const r = await rig();
    const gdb = await r.debugger();
    await until(() => r.mux.stats.debuggerConnected, "debugger");
    expect(r.mux.pollingForDebugger).toBe(false);
    r.pair.testing.write(withBit7("$OK#9a"));
    await until(() => gdb.length === 6, "reply at the debugger");
    expect(r.mux.stats.debugPollWindows).toBe(1);
    await until(() => !r.mux.pollingForDebugger, "the poll to end");
    await sleep(20);
    expect(r.mux.pollingForDebugger).toBe(false);
  });

  it("stops looking for the detach reply when none comes, so a later debugger gets everything", async () => {
    const r = await rig();
    const a = await r.debugger();
    a.close();
    await until(() => r.atTesting().includes(withBit7("$D#44")), "the splitter's detach on the line");
    await sleep(600); // nobody answered (no stub on the line)
    const b = await r.debugger();
    await until(() => r.mux.stats.debuggerConnected, "second debugger");
    r.pair.testing.write(withBit7("$OK#9a"));
    await until(() => b.length === 6, "the new debugger's bytes");
    expect(b.text()).toBe("$OK#9a");
  });

  it("tells a stalled console client how much it missed, while the line and other clients go on", async () => {
    const queue = 64 * 1024;
    const r = await rig({ clientQueueBytes: queue, scrollbackBytes: 0 });
    const stalled = await r.console();
    const live = await r.console();
    await until(() => r.mux.stats.consoleClients === 2, "clients");
    stalled.socket.pause(); // stops reading: kernel buffers fill, then the mux queue
    const chunk = Buffer.alloc(32 * 1024, 0x2e);
    let sent = 0;
    const total = 24 * 1024 * 1024;
    while (sent < total) {
      r.pair.testing.write(chunk);
      sent += chunk.length;
      // Keep pace with the live client only: the line itself never waits for the stalled one.
      while (sent - live.length > queue / 2) await sleep(1);
    }
    await until(() => live.length === total, "the live client to get everything");
    expect(r.mux.stats.consoleMissed).toBeGreaterThan(0);
    stalled.socket.resume();
    const noticeRe = /\r\n\[mux: this console client fell behind; (\d+) bytes of output were skipped\]\r\n/g;
    const accounted = () => {
      const text = stalled.text();
      const missed = [...text.matchAll(noticeRe)].reduce((n, m) => n + Number(m[1]), 0);
      return text.replace(noticeRe, "").length + missed;
    };
    // A last byte after the backlog drains makes the mux report what is still unreported.
    await until(() => stalled.socket.readableLength === 0 && stalled.length > 0, "the backlog to arrive");
    r.pair.testing.write(Buffer.from("."));
    await until(() => accounted() === total + 1, "every byte to be delivered or reported missed", 20_000);
    const missedReported = [...stalled.text().matchAll(noticeRe)].reduce((n, m) => n + Number(m[1]), 0);
    expect(missedReported).toBe(r.mux.stats.consoleMissed);
    expect(live.text().includes("[mux:")).toBe(false);
  });

  it("slows a flooding client through TCP instead of losing its bytes, and keeps serving the others", async () => {
    const clock = new ManualClock();
    const r = await rig({}, { baud: 10_000_000, clock, bufferBytes: 256 * 1024 });
    const flood = await r.console();
    const watcher = await r.console();
    const total = 4 * 1024 * 1024;
    const payload = Buffer.alloc(total, 0x61);
    flood.send(payload);
    let maxPending = 0;
    let step = 0;
    while (r.atTesting().length < total) {
      clock.advance(20); // 10 Mbaud = 1 MB/s: 20 000 bytes per step
      maxPending = Math.max(maxPending, r.pair.development.pendingBytes);
      if (step++ % 20 === 0) r.pair.testing.write(Buffer.from("*"));
      await sleep(1);
    }
    expect(r.atTesting().length).toBe(total);
    expect(r.pair.development.stats.txOverrun).toBe(0);
    expect(maxPending).toBeLessThanOrEqual(256 * 1024);
    // The line kept flowing the other way all along.
    await until(() => watcher.length === Math.ceil(step / 20), "console output during the flood");
  });

  it("pauses client input while a socket line is backed up, and loses nothing", async () => {
    const far = await openSerialTransport("tcp-listen:0");
    const port = Number(far.address.split(":").pop());
    const near: TransportLineEnd = await openSerialTransport(`tcp:127.0.0.1:${port}`, { retryMs: 10, bufferBytes: 256 * 1024 });
    try {
      let got = 0;
      far.setReceiver((c) => (got += c.length));
      const mux = await MuxServer.start({ line: near, gdbPort: 0, consolePort: 0 });
      muxes.push(mux);
      await until(() => near.peerPresent && far.peerPresent, "the line");
      const farSocket = far.attachedInput!;
      farSocket.pause(); // the testing computer stops reading: the line backs up
      const flood = await TcpClient.connect(mux.consolePort);
      clients.push(flood);
      const total = 16 * 1024 * 1024;
      flood.send(Buffer.alloc(total, 0x62));
      let maxPending = 0;
      for (let i = 0; i < 50; i++) {
        await sleep(5);
        maxPending = Math.max(maxPending, near.pendingBytes);
      }
      expect(got).toBeLessThan(total);
      farSocket.resume();
      await until(() => got === total, "every flooded byte at the far end", 20_000);
      expect(near.stats.txOverrun).toBe(0);
      expect(maxPending).toBeLessThanOrEqual(256 * 1024 + 64 * 1024); // bound plus one read chunk
    } finally {
      await near.close();
      await far.close();
    }
  });

  it("survives a console client that vanishes with output queued; the others get everything", async () => {
    const r = await rig({ clientQueueBytes: 256 * 1024 });
    const goner = await r.console();
    const stay = await r.console();
    await until(() => r.mux.stats.consoleClients === 2, "clients");
    goner.socket.pause();
    const chunk = Buffer.alloc(16 * 1024, 0x2d);
    for (let i = 0; i < 64; i++) {
      r.pair.testing.write(chunk);
      if (i === 32) goner.socket.destroy();
      while (i * chunk.length - stay.length > 128 * 1024) await sleep(1);
    }
    await until(() => stay.length === 64 * chunk.length && r.mux.stats.consoleClients === 1, "the rest");
    expect(stay.text()).toBe("-".repeat(64 * chunk.length));
  });

  it("stops routing after close() and frees both ports", async () => {
    const r = await rig();
    const c = await r.console();
    await r.mux.close();
    muxes.splice(muxes.indexOf(r.mux), 1);
    await until(() => c.closed, "client to be disconnected");
    r.pair.testing.write(Buffer.from("x"));
    expect(r.pair.testing.stats.txDiscarded).toBe(1);
    const again = await MuxServer.start({ line: r.pair.development, gdbPort: r.mux.gdbPort, consolePort: r.mux.consolePort });
    muxes.push(again);
    expect(again.gdbPort).toBe(r.mux.gdbPort);
  });
});
