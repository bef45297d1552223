// The real gdb through the real splitter: gdb -> TCP -> mux (sets bit 7) -> in-process serial
// line -> the stub (with the in-memory test target) and back. Also a gdb that is killed without
// detaching, followed by a new one: the splitter says the detach for it, so the target runs on.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSerialPair } from "../../src/emu/serial/index.js";
import { MuxServer } from "../../src/serial-mux/index.js";
import { MemoryTarget, WINDOW_BASE } from "./fixtures/memory-target.js";
import { serveOnLine } from "./fixtures/line-port.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function runGdb(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile("gdb", ["-batch", "-nx", ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err === null ? 0 : typeof err.code === "number" ? err.code : -1 });
    });
  });
}

async function setUp(baud = 0) {
  const pair = createSerialPair({ baud });
  const target = new MemoryTarget();
  const port = serveOnLine(pair.testing, target);
  const fromLine: number[] = [];
  const mux = await MuxServer.start({ line: pair.development, gdbPort: 0, consolePort: 0 });
  cleanups.push(() => mux.close());
  // Watch what crosses the wire towards the splitter.
  const original = pair.testing.write.bind(pair.testing);
  pair.testing.write = (bytes) => {
    for (const b of bytes) fromLine.push(b);
    return original(bytes);
  };
  return { target, port, mux, fromLine };
}

describe("the stub through the serial splitter", () => {
  it("serves gdb: registers, memory, break, stepi, threads, monitor, detach; all 7-bit, all marked", async () => {
    const { target, port, mux, fromLine } = await setUp();
    expect(target.attachedCount).toBe(0);
    const run = await runGdb(
      [
        `target remote 127.0.0.1:${mux.gdbPort}`,
        "info registers eip",
        `x/4xw ${WINDOW_BASE + 0x1000}`,
        `break *${WINDOW_BASE + 0x10}`,
        "continue",
        "stepi",
        "info threads",
        "monitor domains",
        "detach",
      ].flatMap((c) => ["-ex", c]),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^eip\s+0x100000\s+0x100000$/m);
    expect(run.stdout).toContain("0x101000:\t0x150e0700\t0x312a231c\t0x4d463f38\t0x69625b54");
    expect(run.stdout).toMatch(/hit Breakpoint 1, 0x00100010/);
    expect(run.stdout).toMatch(/^0x00100011 in \?\? \(\)$/m);
    expect(run.stdout).toMatch(/Thread 2\.1 "minix"/);
    expect(run.stderr).toMatch(/^1 minix ok$/m);
    expect(run.stdout).toContain("[Inferior 2 (process 2) detached]");
    expect(port.sent.length).toBeGreaterThan(500);
    expect(port.sent.every((b) => b < 0x80)).toBe(true);
    expect(fromLine.every((b) => b >= 0x80)).toBe(true);
    expect(mux.stats.debugHighBytes).toBe(0);
    expect(target.attachedCount).toBe(1);
    expect(target.detachCount).toBe(1);
    expect(target.isRunning).toBe(true);
  });

  it("keeps every reply within gdb's timeout on a 115200-baud line", async () => {
    const { target, port, mux } = await setUp(115200);
    const dir = mkdtempSync(join(tmpdir(), "gdbstub-paced-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "dump.bin");
    const run = await runGdb([
      "-ex", `target remote 127.0.0.1:${mux.gdbPort}`,
      "-ex", `dump binary memory ${file} ${WINDOW_BASE} ${WINDOW_BASE + 0x4000}`,
      "-ex", "detach",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/timed out|Ignoring packet error/i);
    expect(port.session.packetSize).toBe(11520);
    // Replies are run-length encoded on a paced line; gdb decoded them into the right bytes.
    expect(port.sent.filter((b) => b === 0x2a).length).toBeGreaterThan(10);
    expect(readFileSync(file).toString("hex")).toBe(Buffer.from(target.domain(0).memory.subarray(0, 0x4000)).toString("hex"));
  });

  it("lets a new gdb take over after the previous one was killed mid-session", async () => {
    const { target, mux } = await setUp();
    const first = spawn("gdb", ["-nx", "-q", "-ex", `target remote 127.0.0.1:${mux.gdbPort}`, "-ex", "set confirm off",
      "-ex", "set remote noack-packet on", "-ex", `break *${WINDOW_BASE + 0x10}`, "-ex", "continue"], { stdio: ["pipe", "pipe", "pipe"] });
    cleanups.push(() => void first.kill("SIGKILL"));
    let out = "";
    first.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 15_000;
    while (!/hit Breakpoint 1/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toMatch(/hit Breakpoint 1/);
    expect(target.breakpoints.length).toBe(0); // gdb lifts breakpoints while stopped
    expect(target.isRunning).toBe(false);
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    // The splitter says the vanished debugger's detach: the target runs again, and nothing
    // of the old session (breakpoints, a stopped host) waits for the next debugger.
    const deadline2 = Date.now() + 5_000;
    while (!target.isRunning && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 20));
    expect(target.isRunning).toBe(true);
    expect(target.detachCount).toBe(1);
    expect(target.breakpoints).toEqual([]);
    expect(target.attachedCount).toBe(1);
    const second = await runGdb(["-ex", `target remote 127.0.0.1:${mux.gdbPort}`, "-ex", "info registers eip", "-ex", "info threads", "-ex", "detach"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^eip\s+0x1000[0-9a-f]{2}\s+0x1000[0-9a-f]{2}$/m);
    expect(second.stdout).toMatch(/Thread 2\.1 "minix"/);
    expect(target.attachedCount).toBe(2);
    expect(target.detachCount).toBe(2);
    expect(target.isRunning).toBe(true);
  });
});
