import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSerialTransport, type TransportLineEnd, concatBytes, copyBytes } from "../../../src/emu/serial/index.js";

const ends: TransportLineEnd[] = [];
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(ends.splice(0).map((e) => e.close()));
  for (const c of children.splice(0)) c.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(spec: string, opts = {}): Promise<TransportLineEnd> {
  const e = await openSerialTransport(spec, { retryMs: 20, ...opts });
  ends.push(e);
  return e;
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "mox-serial-"));
  dirs.push(d);
  return d;
}

function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (cond()) resolve();
      else if (Date.now() - t0 > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

function received(end: TransportLineEnd): { bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  end.setReceiver((c) => chunks.push(c));
  return { bytes: () => concatBytes(chunks) };
}

const ALL_BYTES = Buffer.from(Array.from({ length: 512 }, (_, i) => i & 0xff));

describe("openSerialTransport()", () => {
  it("tcp-listen on port 0 reports the bound port; tcp: connects to it; all 256 byte values pass both ways", async () => {
    const listen = await open("tcp-listen:0");
    expect(listen.address).toMatch(/^tcp-listen:127\.0\.0\.1:[1-9]\d*$/);
    const port = Number(listen.address.split(":").pop());
    const conn = await open(`tcp:127.0.0.1:${port}`);
    const atListen = received(listen);
    const atConn = received(conn);
    await until(() => conn.peerPresent && listen.peerPresent, "both ends to see a peer");
    conn.write(copyBytes(ALL_BYTES));
    listen.write(copyBytes(ALL_BYTES));
    await until(() => atListen.bytes().length === 512 && atConn.bytes().length === 512, "bytes");
    expect(atListen.bytes()).toEqual(ALL_BYTES);
    expect(atConn.bytes()).toEqual(ALL_BYTES);
    expect(conn.lossless).toBe(true);
  });

  it("a connecting end with nobody listening discards and counts, then connects when a peer appears", async () => {
    const dir = tempDir();
    const path = join(dir, "line.sock");
    const conn = await open(`unix:${path}`);
    expect(conn.peerPresent).toBe(false);
    expect(conn.write(Buffer.from("lost"))).toBe(true);
    expect(conn.stats.txDiscarded).toBe(4);
    const listen = await open(`unix-listen:${path}`);
    const atListen = received(listen);
    await until(() => conn.peerPresent, "the connection retry");
    conn.write(Buffer.from("kept"));
    await until(() => atListen.bytes().length === 4, "bytes");
    expect(atListen.bytes().toString()).toBe("kept");
    // The peer leaves: sends are discarded again; it comes back and the line works again.
    await listen.close();
    ends.splice(ends.indexOf(listen), 1);
    await until(() => !conn.peerPresent, "the peer to leave");
    conn.write(Buffer.from("xx"));
    expect(conn.stats.txDiscarded).toBe(6);
  });

  it("a listening end keeps its first peer and turns a second away", async () => {
    const listen = await open("tcp-listen:0");
    const port = Number(listen.address.split(":").pop());
    const atListen = received(listen);
    const first = net.connect(port, "127.0.0.1");
    await until(() => listen.peerPresent, "first peer");
    const second = net.connect(port, "127.0.0.1");
    const secondClosed = new Promise<void>((r) => second.on("close", () => r()));
    second.on("error", () => {});
    await secondClosed;
    first.write("still here");
    await until(() => atListen.bytes().length === 10, "bytes from the first peer");
    expect(atListen.bytes().toString()).toBe("still here");
    first.destroy();
  });

  it("unix-listen replaces a stale socket file and refuses a non-socket path", async () => {
    const dir = tempDir();
    const path = join(dir, "stale.sock");
    const a = await open(`unix-listen:${path}`);
    // Simulate a dead owner: forget the server without closing it would keep it live, so
    // make a stale file by listening in a child that is then killed.
    await a.close();
    ends.splice(ends.indexOf(a), 1);
    const child = spawn(process.execPath, ["-e", `require("net").createServer().listen(process.argv[1], () => console.log("up"))`, path]);
    children.push(child);
    await new Promise<void>((r) => child.stdout!.once("data", () => r()));
    child.kill("SIGKILL");
    await new Promise<void>((r) => child.once("exit", () => r()));
    const b = await open(`unix-listen:${path}`);
    expect(b.address).toBe(`unix-listen:${path}`);
    const file = join(dir, "plain");
    writeFileSync(file, "x");
    await expect(openSerialTransport(`unix-listen:${file}`)).rejects.toThrow(/exists and is not a socket/);
  });

  it("refuses a path that is not a terminal", async () => {
    const dir = tempDir();
    const file = join(dir, "plain");
    writeFileSync(file, "x");
    await expect(openSerialTransport(file)).rejects.toThrow(/Cannot open serial device ".*plain": not a terminal device/);
    await expect(openSerialTransport(join(dir, "missing"))).rejects.toThrow(/Cannot open serial device/);
  });

  it("carries all byte values through a pty pair made by socat, raw", async () => {
    const socat = spawn("socat", ["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"], { stdio: ["ignore", "ignore", "pipe"] });
    children.push(socat);
    let log = "";
    socat.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    await until(() => (log.match(/PTY is (\S+)/g) ?? []).length === 2 && /starting data transfer/.test(log), "socat's ptys");
    const [a, b] = [...log.matchAll(/PTY is (\S+)/g)].map((m) => m[1]!);
    const endA = await open(a, { baud: 115200 });
    const endB = await open(b);
    expect(endA.lossless).toBe(false);
    const atB = received(endB);
    const atA = received(endA);
    endA.write(copyBytes(ALL_BYTES));
    endB.write(Buffer.from("\r\n\x03\x1b"));
    await until(() => atB.bytes().length === 512 && atA.bytes().length === 4, "bytes over the pty");
    expect(atB.bytes()).toEqual(ALL_BYTES);
    expect(atA.bytes()).toEqual(Buffer.from("\r\n\x03\x1b"));
  });
});
