// End to end: the built CLI (`mux`, `run`, `console`) in child processes, the other end of the
// serial line in this process or in socat, real TCP clients and the real nc.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { concatBytes, openSerialTransport, type TransportLineEnd } from "../../src/emu/serial/index.js";
import { TcpClient, until } from "../serial-mux/tcp-client.js";
import { CLI, Child, E2eResources, muxPorts } from "./mux-helpers.js";

const res = new E2eResources();
afterEach(() => res.release());
const child = (c: Child): Child => res.child(c);
const client = (port: number): Promise<TcpClient> => res.client(port);

async function lineEnd(spec: string, baud = 0): Promise<{ end: TransportLineEnd; got: () => Buffer }> {
  const end = res.closeLater(await openSerialTransport(spec, { baud, retryMs: 20 }));
  const chunks: Buffer[] = [];
  end.setReceiver((c) => chunks.push(c));
  return { end, got: () => concatBytes(chunks) };
}

const withBit7 = (s: string) => Buffer.from([...Buffer.from(s)].map((b) => b | 0x80));

/** Exercises a running splitter whose line's other end is `testing`. */
async function exerciseSplitter(ports: { gdb: number; console: number }, testing: { end: TransportLineEnd; got: () => Buffer }) {
  // The real nc as a console client, a plain socket as the debugger.
  const nc = child(new Child("nc", ["127.0.0.1", String(ports.console)]));
  const gdb = await client(ports.gdb);
  await until(() => testing.end.peerPresent, "the splitter on the line");
  testing.end.write(concatBytes([Buffer.from("Xen 2.0 "), withBit7("$S05#b8"), Buffer.from("login: ")]));
  await until(() => nc.stdout === "Xen 2.0 login: " && gdb.length === 7, "output at nc and the debugger");
  expect(gdb.text()).toBe("$S05#b8");
  nc.proc.stdin!.write("root\r");
  gdb.send("$g#67");
  await until(() => testing.got().length === 10, "input on the line");
  const got = testing.got();
  // The two sources interleave in arrival order; each keeps its own order and marking.
  expect(Buffer.from(got.filter((b) => b < 0x80)).toString()).toBe("root\r");
  expect(Buffer.from(got.filter((b) => b >= 0x80))).toEqual(withBit7("$g#67"));
}

describe("minix-on-xen mux (two processes)", () => {
  it("splits a line served over a Unix socket by this process", async () => {
    const dir = res.tempDir();
    const path = join(dir, "serial.sock");
    const testing = await lineEnd(`unix-listen:${path}`);
    const mux = child(Child.cli(["mux", "--serial", `unix:${path}`, "--gdb-port", "0", "--console-port", "0"]));
    expect((await mux.line(/^serial: (.*)$/m, "serial line"))[1]).toBe(`unix:${path} (unpaced)`);
    await exerciseSplitter(await muxPorts(mux), testing);
    expect(await mux.stop("SIGTERM")).toBe(0);
    expect(mux.stderr).toMatch(/mux: console 15 B out, 5 B in, 0 B skipped .*; debugger 7 B out \(0 with nobody connected\), 5 B in, 0 refused/);
  });

  it("listens for the line with tcp-listen:0 and reports the bound port", async () => {
    const mux = child(Child.cli(["mux", "--serial", "tcp-listen:0", "--gdb-port", "0", "--console-port", "0"]));
    const m = await mux.line(/^serial: tcp-listen:127\.0\.0\.1:(\d+) \(unpaced\)$/m, "serial line");
    const testing = await lineEnd(`tcp:127.0.0.1:${m[1]}`);
    await exerciseSplitter(await muxPorts(mux), testing);
  });

  it("splits a line carried by a pty pair made with socat, paced at 115200 baud", async () => {
    const socat = child(new Child("socat", ["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"]));
    await until(() => (socat.stderr.match(/PTY is \S+/g) ?? []).length === 2 && /starting data transfer/.test(socat.stderr), "socat's ptys");
    const [a, b] = [...socat.stderr.matchAll(/PTY is (\S+)/g)].map((m) => m[1]!);
    const mux = child(Child.cli(["mux", "--serial", a, "--baud", "115200", "--gdb-port", "0", "--console-port", "0"]));
    expect((await mux.line(/^serial: (.*)$/m, "serial line"))[1]).toBe(`${a} (115200 baud)`);
    const testing = await lineEnd(b, 115200);
    await exerciseSplitter(await muxPorts(mux), testing);
  });

  it("serves the line nobody is on: the splitter runs and counts, clients connect", async () => {
    const dir = res.tempDir();
    const mux = child(Child.cli(["mux", "--serial", `unix:${join(dir, "nobody.sock")}`, "--gdb-port", "0", "--console-port", "0"]));
    const ports = await muxPorts(mux);
    const c = await client(ports.console);
    c.send("typed into nothing\r");
    const gdb = await client(ports.gdb);
    gdb.send("$?#3f");
    await new Promise((r) => setTimeout(r, 100));
    expect(mux.exited).toBe(false);
    expect(c.closed).toBe(false);
    expect(await mux.stop("SIGTERM")).toBe(0);
    expect(mux.stderr).toMatch(/line 24 B sent to nobody, 0 B overrun/);
  });

  it("fails with one clear line for a bad transport", async () => {
    const mux = child(Child.cli(["mux", "--serial", "/nonexistent/tty"]));
    await until(() => mux.exited, "exit");
    expect(mux.exitCode).toBe(1);
    expect(mux.stderr.trim()).toMatch(/^Cannot open serial device "\/nonexistent\/tty": ENOENT/);
  });
});

describe("minix-on-xen run", () => {
  it("prints its ports, serves the console and one debugger, and stops on SIGTERM", async () => {
    const run = child(Child.cli(["run", "--gdb-port", "0", "--console-port", "0"]));
    const ports = await muxPorts(run);
    expect(run.stdout.split("\n").slice(0, 2)).toEqual([`gdb: 127.0.0.1:${ports.gdb}`, `console: 127.0.0.1:${ports.console}`]);
    const con = await client(ports.console);
    const gdb = await client(ports.gdb);
    await new Promise((r) => setTimeout(r, 50));
    const second = await client(ports.gdb);
    await until(() => second.closed, "the second debugger to be refused");
    expect(second.text()).toMatch(/refused/);
    expect(gdb.closed).toBe(false);
    expect(con.closed).toBe(false);
    expect(await run.stop("SIGTERM")).toBe(0);
  });
});

describe("minix-on-xen console", () => {
  it("passes keys (Ctrl-C, Ctrl-A included) to the line, shows output, and quits on Ctrl-] q", async () => {
    const dir = res.tempDir();
    const path = join(dir, "serial.sock");
    const testing = await lineEnd(`unix-listen:${path}`);
    const mux = child(Child.cli(["mux", "--serial", `unix:${path}`, "--gdb-port", "0", "--console-port", "0"]));
    const ports = await muxPorts(mux);
    await until(() => testing.end.peerPresent, "the splitter on the line");
    testing.end.write(Buffer.from("boot log\r\n"));
    const con = child(Child.cli(["console", "--port", String(ports.console)]));
    await until(() => con.stdout === "boot log\r\n", "scrollback at the console client");
    expect(con.stderr).toMatch(/Ctrl-] then q quits/);
    con.proc.stdin!.write("ls\r\x03\x01\x1d\x1d");
    await until(() => testing.got().length === 6, "keys on the line");
    expect(testing.got().toString("latin1")).toBe("ls\r\x03\x01\x1d");
    testing.end.write(Buffer.from("$ "));
    await until(() => con.stdout.endsWith("$ "), "live output");
    con.proc.stdin!.write("\x1dq");
    await until(() => con.exited, "the console client to quit");
    expect(con.exitCode).toBe(0);
    expect(testing.got().length).toBe(6);
  });

  it("in a real terminal (a pty from script): raw mode, no local echo, Ctrl-C reaches the guest", async () => {
    const dir = res.tempDir();
    const path = join(dir, "serial.sock");
    const testing = await lineEnd(`unix-listen:${path}`);
    const mux = child(Child.cli(["mux", "--serial", `unix:${path}`, "--gdb-port", "0", "--console-port", "0"]));
    const ports = await muxPorts(mux);
    await until(() => testing.end.peerPresent, "the splitter on the line");
    const con = child(new Child("script", ["-qfec", `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} console --port ${ports.console}`, "/dev/null"]));
    await until(() => /Ctrl-\] then q quits/.test(con.stdout), "the console client's banner");
    testing.end.write(Buffer.from("guest\n"));
    await until(() => con.stdout.includes("guest"), "guest output");
    con.proc.stdin!.write("ab\x03c\r");
    await until(() => testing.got().length === 5, "keys on the line");
    expect(testing.got().toString("latin1")).toBe("ab\x03c\r");
    await new Promise((r) => setTimeout(r, 100));
    expect(con.stdout).not.toMatch(/ab/); // no local echo
    expect(con.stdout).toMatch(/guest\n/); // output not post-processed (no NL -> CR NL)
    expect(con.exited).toBe(false); // Ctrl-C went to the guest, not to the client
    con.proc.stdin!.write("\x1dq");
    await until(() => con.exited, "the console client to quit");
    expect(con.exitCode).toBe(0);
  });

  it("says what is wrong when nothing listens on the port", async () => {
    const con = child(Child.cli(["console", "--port", "1"]));
    await until(() => con.exited, "exit");
    expect(con.exitCode).toBe(1);
    expect(con.stderr.trim()).toMatch(/^Cannot connect to the console at 127\.0\.0\.1:1: .*ECONNREFUSED/);
  });
});


describe("--help", () => {
  it("every command prints its usage and exits 0", async () => {
    for (const cmd of ["run", "mux", "console"]) {
      const c = child(Child.cli([cmd, "--help"]));
      await until(() => c.exited, `${cmd} --help`);
      expect(c.exitCode).toBe(0);
      expect(c.stdout).toMatch(new RegExp(`^Usage: minix-on-xen ${cmd}`));
    }
  });
});
