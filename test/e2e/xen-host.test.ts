// End to end: the testing computer through real sockets. `run` (both computers in one process)
// read with the real nc; `host` and `mux` as two processes joined by a Unix socket; xm against
// the running host, as a user would type it.
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TcpClient, until } from "../serial-mux/tcp-client.js";
import { Child, CLI, E2eResources, muxPorts } from "./mux-helpers.js";
import { execFile, spawn } from "node:child_process";

/** The real gdb in batch mode against a port. */
function gdb(port: number, ...commands: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((res) => {
    execFile("gdb", ["-batch", "-nx", "-ex", `target remote 127.0.0.1:${port}`, ...commands.flatMap((c) => ["-ex", c])], { timeout: 20_000 }, (err, out, errText) =>
      res({ code: err === null ? 0 : typeof err.code === "number" ? err.code : -1, out, err: errText }),
    );
  });
}

const res = new E2eResources();
afterEach(() => res.release());
const child = (c: Child): Child => res.child(c);
const client = (port: number): Promise<TcpClient> => res.client(port);

const tempDir = (): string => res.tempDir("xen-e2e-");

/** The hello guest in 4 MiB: a quiet domain (it blocks), so tests with several stay light. */
const HELLO_ELF = resolve("build/xen/guests/hello.elf");

function smallConfig(dir: string, name: string): string {
  const p = join(dir, `${name}.cfg`);
  writeFileSync(p, `kernel = '${HELLO_ELF}'\nmemory = 4\nname = '${name}'\n`);
  return p;
}

/** Runs `minix-on-xen xm --control SOCK ...args` to completion. */
function xm(sock: string, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [CLI, "xm", "--control", sock, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("exit", (code) => res({ code, out, err }));
  });
}

const CTRL_A_X3 = "\x01\x01\x01";
const HELLO = resolve("configs/hello.cfg");

describe("minix-on-xen run", () => {
  it("shows Xen's boot log and the hello guest to nc, echoes typed text, and moves focus with Ctrl-A x3", async () => {
    const dir = tempDir();
    // The control socket of this host lives in our temp dir (children inherit the environment).
    process.env.MINIX_ON_XEN_CONTROL = join(dir, "xend.sock");
    const run = child(Child.cli(["run", "--gdb-port", "0", "--console-port", "0", "--config", HELLO]));
    const ports = await muxPorts(run);
    const nc = child(new Child("nc", ["127.0.0.1", String(ports.console)]));
    await until(() => nc.stdout.includes("hello: ready\n"), "the hello guest ready at nc");
    expect(nc.stdout).toMatch(/\(XEN\) Xen version 2\.0/);
    expect(nc.stdout).toMatch(/\(XEN\) Serial console on pair/);
    expect(nc.stdout).toContain("(XEN) *** Serial input -> DOM1 (hello)");
    expect(nc.stdout).toContain("hello from the hello guest\n");

    // Typed text goes to the focused guest, which echoes it through its control ring.
    nc.proc.stdin!.write("ping\r");
    await until(() => nc.stdout.slice(nc.stdout.indexOf("hello: ready")).includes("ping\r"), "the echo of ping");

    // Ctrl-A x3: Xen takes input; its keys answer and the guest sees nothing.
    nc.proc.stdin!.write(CTRL_A_X3);
    await until(() => nc.stdout.includes("*** Serial input -> Xen (type 'CTRL-a' three times to switch input to DOM1 (hello))"), "focus on Xen");
    nc.proc.stdin!.write("q");
    await until(() => nc.stdout.includes("(XEN) Domain 1 (hello): 8 MiB"), "Xen's domain list");
    nc.proc.stdin!.write("x");
    await until(() => nc.stdout.includes("(XEN) 'x' pressed -> no handler"), "Xen's answer to x");

    // Ctrl-A x3 again: back to the guest.
    nc.proc.stdin!.write(CTRL_A_X3);
    await until(() => (nc.stdout.match(/\*\*\* Serial input -> DOM1 \(hello\)/g) ?? []).length === 2, "focus back on DOM1");
    const mark = nc.stdout.length;
    nc.proc.stdin!.write("pong\r");
    await until(() => nc.stdout.slice(mark).includes("pong\r"), "the echo of pong");
    expect(nc.stdout.slice(mark)).not.toContain("x");
    expect((await xm(join(dir, "xend.sock"), "dmesg")).out).toContain("(XEN) Xen version 2.0");
  }, 30_000);

  it("xm console shows the hello guest alone and carries typed text both ways", async () => {
    const dir = tempDir();
    const sock = join(dir, "xend.sock");
    process.env.MINIX_ON_XEN_CONTROL = sock;
    const run = child(Child.cli(["run", "--gdb-port", "0", "--console-port", "0", "--config", HELLO]));
    await muxPorts(run);
    const con = child(Child.cli(["xm", "console", "hello"]));
    // The guest's control-ring console only: no Xen log, no console_io lines.
    await until(() => con.stdout.includes("hello from the hello guest\n"), "the guest's history at xm console");
    expect(con.stdout).not.toContain("(XEN)");
    expect(con.stdout).not.toContain("hello: console_io works");
    con.proc.stdin!.write("via xm\r");
    await until(() => con.stdout.includes("via xm\r"), "the echo at xm console");
    con.proc.stdin!.write("\x1d");
    await until(() => con.exited, "xm console to exit");
    expect(con.exitCode).toBe(0);
  }, 30_000);
});

describe("minix-on-xen run (npm start) by default", () => {
  it("boots MINIX with the report's configuration: banner, a typed line read back, xm shutdown", async () => {
    const dir = tempDir();
    const run = child(Child.cli(["run", "--gdb-port", "0", "--console-port", "0", "--control", join(dir, "ctl.sock")]));
    const ports = await muxPorts(run);
    const nc = child(new Child("nc", ["127.0.0.1", String(ports.console)]));
    await until(() => nc.stdout.includes("minix> "), "the MINIX prompt at nc", 20_000);
    expect(nc.stdout).toContain("(XEN) Domain 1 (MinixTester) created: 20 MiB, builder 'minix'");
    expect(nc.stdout).toMatch(/MINIX 3\.1\.1-xen on Xen/);
    nc.proc.stdin!.write("hello minix\r");
    await until(() => nc.stdout.includes("read 12 bytes: hello minix"), "MINIX reading the typed line", 20_000);

    // xm shutdown: CMSG_SHUTDOWN on its control ring; MINIX answers and shuts down, xend cleans up.
    const sock = join(dir, "ctl.sock");
    expect((await xm(sock, "shutdown", "MinixTester")).out).toBe("Asked domain MinixTester (id=1) to shut down\n");
    await until(() => nc.stdout.includes("(XEN) Domain 1 shutdown: poweroff"), "MINIX shutting down", 20_000);
    expect((await xm(sock, "list")).out.trim().split("\n")).toHaveLength(2); // header and Domain-0
  }, 40_000);
});

describe("minix-on-xen run with gdb", () => {
  it("serves the real gdb on the debug port while the console keeps working", async () => {
    const dir = tempDir();
    const run = child(Child.cli(["run", "--gdb-port", "0", "--console-port", "0", "--config", HELLO, "--control", join(dir, "ctl.sock")]));
    const ports = await muxPorts(run);
    const con = await client(ports.console);
    await until(() => con.text().includes("hello: ready\n"), "the hello guest");
    const g = await gdb(ports.gdb, "info threads", "monitor domains", "x/1xb 0xc0000000", "detach");
    expect(g.code, g.err).toBe(0);
    expect(g.out).toMatch(/Thread \d+\.1 "hello" \(domain 1 vcpu 0/);
    expect(g.out + g.err).toMatch(/^1 hello /m); // monitor output comes as gdb console text
    expect(g.out).toMatch(/^0xc0000000:\s+0x[0-9a-f]{2}$/m);
    // Detached: the host runs again and the guest still echoes.
    con.send("after gdb\r");
    await until(() => con.text().includes("after gdb\r"), "the echo after gdb detached");
  }, 40_000);
});

describe("minix-on-xen run flags", () => {
  it("boots the configs, memory and control socket it is given", async () => {
    const dir = tempDir();
    const sock = join(dir, "ctl.sock");
    const run = child(Child.cli(["run", "--gdb-port", "0", "--console-port", "0", "--memory", "32", "--config", smallConfig(dir, "t1"), "--control", sock]));
    await muxPorts(run);
    expect((await xm(sock, "list")).out).toMatch(/^t1\s+1\s+4\s+/m);
    expect((await xm(sock, "dmesg")).out).toContain("(XEN) Physical RAM: 32MB");
  }, 30_000);

  it("replays byte for byte with --time deterministic and an --input-script", async () => {
    const dir = tempDir();
    const script = join(dir, "input.txt");
    writeFileSync(script, "expect hello: ready\nsend one\\r\nexpect one\\r\nsend two\\r\n");
    const once = async (n: number) => {
      const run = child(Child.cli(["run", "--gdb-port", "0", "--console-port", "0", "--config", HELLO, "--time", "deterministic",
        "--input-script", script, "--control", join(dir, `c${n}.sock`)]));
      const con = await client((await muxPorts(run)).console);
      await until(() => con.text().includes("two\r") && con.text().includes("hello: 5 timer ticks\n"), "the scripted session");
      await run.stop();
      // The boot log names this run's control socket; the rest must match exactly.
      return con.text().replace(`c${n}.sock`, "cN.sock");
    };
    const a = await once(1);
    const b = await once(2);
    expect(a).toContain("one\r");
    expect(b).toBe(a);
  }, 40_000);

  it("refuses a bad --time with one clear line", async () => {
    const run = child(Child.cli(["run", "--gdb-port", "0", "--console-port", "0", "--time", "fast"]));
    await until(() => run.exited, "run to exit");
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('Cannot use --time "fast": expected interactive, deterministic, realtime\n');
  });
});

describe("minix-on-xen host and mux in two processes", () => {
  it("carries the console over a Unix socket and answers xm create/list/pause/destroy/dmesg", async () => {
    const dir = tempDir();
    const line = join(dir, "serial.sock");
    const sock = join(dir, "xend.sock");
    const host = child(Child.cli(["host", "--serial", `unix-listen:${line}`, "--config", smallConfig(dir, "tiny"), "--control", sock]));
    await host.line(/^serial: unix-listen:/m, "the host's serial line");
    const mux = child(Child.cli(["mux", "--serial", `unix:${line}`, "--gdb-port", "0", "--console-port", "0"]));
    const ports = await muxPorts(mux);
    await host.line(/^control: /m, "the host's control line once the splitter is there");
    const con = await client(ports.console);
    await until(() => con.text().includes("Domain 1 (tiny) created"), "the boot domain on the console");
    expect(con.text()).toContain("(XEN) Xen version 2.0");
    expect(con.text()).toContain("(XEN) *** Serial input -> DOM1 (tiny)");

    const list = await xm(sock, "list");
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^tiny\s+1\s+4\s+0\s+[r-][b-]---\s+\d+\.\d$/m);
    expect((await xm(sock, "list", "-l")).out).toMatch(/^tiny\s+1\s+4\s+0\s+[r-][b-]---\s+\d+\.\d\s+linux\s+\/.*hello\.elf$/m);

    const created = await xm(sock, "create", smallConfig(dir, "second"), "memory=5");
    expect(created).toMatchObject({ code: 0, out: "Started domain second (id=2)\n" });
    expect((await xm(sock, "pause", "second")).out).toBe("Domain second (id=2) paused\n");
    expect((await xm(sock, "list")).out).toMatch(/^second\s+2\s+5\s+0\s+--p--/m);
    expect((await xm(sock, "unpause", "second")).out).toBe("Domain second (id=2) unpaused\n");
    expect((await xm(sock, "shutdown", "second", "--reboot")).out).toBe("Asked domain second (id=2) to reboot\n");
    expect((await xm(sock, "destroy", "2")).out).toBe("Destroyed domain second (id=2)\n");
    const dmesg = await xm(sock, "dmesg");
    expect(dmesg.out).toContain("(XEN) Domain 2 destroyed");
    await until(() => con.text().includes("(XEN) Domain 2 destroyed"), "the destroy on the serial console");

    const bad = await xm(sock, "destroy", "nope");
    expect(bad).toMatchObject({ code: 1, err: 'Cannot find domain "nope": no such domain (see xm list)\n' });
  }, 30_000);

  it("boots the hello guest, echoes what a console client types and serves gdb on the same cable", async () => {
    const dir = tempDir();
    const line = join(dir, "serial.sock");
    const host = child(Child.cli(["host", "--serial", `unix-listen:${line}`, "--config", HELLO, "--control", join(dir, "xend.sock")]));
    await host.line(/^serial: /m, "the host's serial line");
    const mux = child(Child.cli(["mux", "--serial", `unix:${line}`, "--gdb-port", "0", "--console-port", "0"]));
    const con = await client((await muxPorts(mux)).console);
    await until(() => con.text().includes("hello: ready\n"), "the hello guest over the Unix socket");
    con.send("over the cable\r");
    await until(() => con.text().includes("over the cable\r"), "the echo over the Unix socket");
    // The debugger half of the same cable: gdb -> mux -> Unix socket -> the stub in the host process.
    const g = await gdb((await muxPorts(mux)).gdb, "info registers eip", "detach");
    expect(g.code, g.err).toBe(0);
    expect(g.out).toMatch(/^eip\s+0xc0[0-9a-f]{6}\s/m);
  }, 30_000);

  it("runs the gdb Python session of the in-process tests over the Unix socket and cycles focus with Ctrl-A x3", async () => {
    const dir = tempDir();
    const line = join(dir, "serial.sock");
    const sock = join(dir, "xend.sock");
    const host = child(Child.cli(["host", "--serial", `unix-listen:${line}`, "--config", smallConfig(dir, "alpha"), "--config", smallConfig(dir, "beta"), "--control", sock]));
    await host.line(/^serial: /m, "the host's serial line");
    const mux = child(Child.cli(["mux", "--serial", `unix:${line}`, "--gdb-port", "0", "--console-port", "0"]));
    const ports = await muxPorts(mux);
    const con = await client(ports.console);
    await until(() => con.text().includes("hello: ready\n"), "alpha ready over the Unix socket");
    expect(con.text()).toContain("(XEN) *** Serial input -> DOM1 (alpha)");

    // Ctrl-A x3 cycles Xen -> DOM1 -> DOM2 -> Xen; typed text reaches the focused domain only.
    con.send(CTRL_A_X3);
    await until(() => con.text().includes("*** Serial input -> DOM2 (beta) (type 'CTRL-a' three times to switch input to Xen)"), "focus on DOM2");
    const mark = con.text().length;
    con.send("to-beta\r");
    await until(() => con.text().slice(mark).includes("to-beta\r"), "beta's echo on the serial console");
    con.send(CTRL_A_X3);
    await until(() => con.text().includes("*** Serial input -> Xen (type 'CTRL-a' three times to switch input to DOM1 (alpha))"), "focus on Xen");
    con.send(CTRL_A_X3);
    await until(() => (con.text().match(/\*\*\* Serial input -> DOM1 \(alpha\)/g) ?? []).length === 2, "focus back on DOM1");
    con.send("to-alpha\r");
    await until(() => con.text().includes("to-alpha\r"), "alpha's echo");
    // Each domain's own console (xm console's history) holds its own echo only.
    const history = async (name: string, echo: string): Promise<string> => {
      const c = child(Child.cli(["xm", "--control", sock, "console", name]));
      await until(() => c.stderr.includes("Ctrl-] detaches"), `xm console ${name}`);
      await until(() => c.stdout.includes("hello from the hello guest\n") && c.stdout.includes(echo), `${name}'s history`);
      c.proc.stdin!.write("\x1d");
      await until(() => c.exited, "xm console to exit");
      return c.stdout;
    };
    const beta = await history("beta", "to-beta\r");
    expect(beta).toContain("to-beta\r");
    expect(beta).not.toContain("to-alpha");
    const alpha = await history("alpha", "to-alpha\r");
    expect(alpha).toContain("to-alpha\r");
    expect(alpha).not.toContain("to-beta");

    // The same gdb Python session as test/gdbstub/xen-host.test.ts, across the process boundary.
    const run = await new Promise<{ code: number; out: string; err: string }>((done) => {
      execFile("gdb", ["-batch", "-nx", "-ex", `target remote 127.0.0.1:${ports.gdb}`, "-x", resolve("test/gdb/hello-guest.py")],
        { env: { ...process.env, HELLO_ELF: HELLO_ELF }, timeout: 90_000 },
        (err, out, errText) => done({ code: err === null ? 0 : typeof err.code === "number" ? err.code : -1, out, err: errText }));
    });
    expect(run.code, run.err).toBe(0);
    for (const want of ["inferiors: 2", "threads: alpha,beta", "stopped-in: on_event", "next-moved-lines: True", "ticks-after-next: 1",
      "finish-left: True", "watch: hit=True delta=1", "interrupt: SIGINT", "inferior-2-eip-readable: True", "done"]) {
      expect(run.out).toContain(want);
    }
    expect(run.out).toMatch(/^bt: #0 {2}on_event \(port=\d+\) at test\/xen\/guests\/hello\.c:\d+\|#1 .* in trap_c /m);
    expect(run.out).toMatch(/^monitor-console: (.*\|)?hello from the hello guest\|/m);
    // The host ran on after the debugger left: the console still echoes.
    con.send("after-gdb\r");
    await until(() => con.text().includes("after-gdb\r"), "the echo after gdb detached");
  }, 120_000);

  it("xm create -c starts a domain and attaches to its console", async () => {
    const dir = tempDir();
    const line = join(dir, "serial.sock");
    const sock = join(dir, "xend.sock");
    const host = child(Child.cli(["host", "--serial", `unix-listen:${line}`, "--no-wait", "--no-domain", "--control", sock]));
    await host.line(/^control: /m, "the host's control line");
    const con = child(Child.cli(["xm", "--control", sock, "create", "-c", HELLO, "name=h2"]));
    await until(() => con.stdout.includes("Started domain h2 (id=1)\n"), "the create line");
    await until(() => con.stdout.includes("hello from the hello guest\n"), "the new domain's console");
    con.proc.stdin!.write("typed\r");
    await until(() => con.stdout.includes("typed\r"), "the echo at xm create -c");
    con.proc.stdin!.write("\x1d");
    await until(() => con.exited, "xm to exit");
    expect(con.exitCode).toBe(0);
  }, 30_000);

  it("xm console attaches to one domain and detaches on Ctrl-]", async () => {
    const dir = tempDir();
    const line = join(dir, "serial.sock");
    const sock = join(dir, "xend.sock");
    const host = child(Child.cli(["host", "--serial", `unix-listen:${line}`, "--no-wait", "--config", smallConfig(dir, "tiny"), "--control", sock]));
    await host.line(/^control: /m, "the host's control line");
    const con = child(Child.cli(["xm", "--control", sock, "console", "tiny"]));
    await until(() => con.stderr.includes("Attached to domain 1 (tiny); Ctrl-] detaches."), "the attach note");
    con.proc.stdin!.write("\x1d");
    await until(() => con.exited, "xm console to exit");
    expect(con.exitCode).toBe(0);
    expect(con.stderr).toContain("Detached.");
  }, 30_000);

  it("runs over a pty pair made by socat at 115200 baud, like the report's null-modem cable", async () => {
    const dir = tempDir();
    const a = join(dir, "ttyA");
    const b = join(dir, "ttyB");
    child(new Child("socat", [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`]));
    await until(() => existsSync(a) && existsSync(b), "socat's ptys");
    const host = child(Child.cli(["host", "--serial", a, "--baud", "115200", "--config", HELLO, "--control", join(dir, "x.sock")]));
    await host.line(/^serial: .*\(115200 baud\)$/m, "the host on the pty");
    const mux = child(Child.cli(["mux", "--serial", b, "--baud", "115200", "--gdb-port", "0", "--console-port", "0"]));
    const ports = await muxPorts(mux);
    const con = await client(ports.console);
    await until(() => con.text().includes("hello: ready\n"), "the hello guest over the pty", 20_000);
    con.send("slow line\r");
    await until(() => con.text().includes("slow line\r"), "the echo over the pty");
    const g = await gdb(ports.gdb, "info registers eip", "detach");
    expect(g.code, g.err).toBe(0);
    expect(g.out).toMatch(/^eip\s+0xc0[0-9a-f]{6}\s/m);
  }, 40_000);

  it("stops on SIGTERM with exit code 0 and removes its control socket", async () => {
    const dir = tempDir();
    const sock = join(dir, "xend.sock");
    const host = child(Child.cli(["host", "--serial", `unix-listen:${join(dir, "line.sock")}`, "--no-wait", "--no-domain", "--control", sock]));
    await host.line(/^control: /m, "the host's control line");
    expect(existsSync(sock)).toBe(true);
    expect(await host.stop("SIGTERM"), host.stderr).toBe(0);
    expect(existsSync(sock)).toBe(false);
  });

  it("says clearly when no host is running", async () => {
    const r = await xm(join(tempDir(), "none.sock"), "list");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Cannot reach host at ".*none.sock": no host is running there/);
  });
});
