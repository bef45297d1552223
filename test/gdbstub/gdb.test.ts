// Runs the real gdb (GNU gdb 13, -batch -nx) against the stub served on a TCP port with the
// in-memory test target. A missing gdb fails the test.
import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startGdbServer, type GdbServer } from "../../src/gdbstub/server.js";
import { COUNTER, MemoryTarget, WINDOW_BASE } from "./fixtures/memory-target.js";

let server: GdbServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

interface GdbRun {
  stdout: string;
  stderr: string;
  code: number;
}

function runGdb(args: string[], timeoutMs = 20_000): Promise<GdbRun> {
  return new Promise((resolve) => {
    execFile("gdb", ["-batch", "-nx", ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ stdout, stderr: err !== null && typeof err.code !== "number" ? `${stderr}\n${err.message}` : stderr, code });
    });
  });
}

async function serve(target: MemoryTarget): Promise<{ port: number; sent: number[] }> {
  const sent: number[] = [];
  server = await startGdbServer({ target, tap: (b) => sent.push(...b) });
  return { port: server.port, sent };
}

const hexWord = (m: Uint8Array, off: number) =>
  "0x" + new DataView(m.buffer).getUint32(off, true).toString(16).padStart(8, "0");

describe("the stub under the real gdb", () => {
  it("connects, shows registers and memory, breaks, steps, lists domains, runs monitor commands and detaches", async () => {
    const target = new MemoryTarget();
    const { port, sent } = await serve(target);
    const ex = [
      `target remote 127.0.0.1:${port}`,
      "info registers",
      `x/16xw ${WINDOW_BASE + 0x1000}`,
      `break *${WINDOW_BASE + 0x10}`,
      "continue",
      "stepi",
      "info registers eip",
      "info threads",
      "info inferiors",
      "p $st0",
      "p/x $cr3",
      "monitor help",
      "inferior 2",
      `x/2xb ${WINDOW_BASE + 0x1000}`,
      "detach",
    ].flatMap((c) => ["-ex", c]);
    const run = await runGdb(ex);
    const out = run.stdout;
    expect(run.code, run.stderr).toBe(0);
    expect(out).toMatch(/^eip\s+0x100000\s+0x100000$/m);
    expect(out).toMatch(/^eflags\s+0x202\s+\[ IF \]$/m);
    expect(out).toMatch(/^esp\s+0x10ff00\s+0x10ff00$/m);
    const mem = target.domain(0).memory;
    const words = Array.from({ length: 4 }, (_, i) => hexWord(mem, 0x1000 + i * 4)).join("\t");
    expect(out).toContain(`0x101000:\t${words}`);
    expect(out.match(/^0x1010[0-3]0:(\t0x[0-9a-f]{8}){4}$/gm)?.length).toBe(4);
    expect(out).toMatch(/Thread 1\.1 "Domain-0" hit Breakpoint 1, 0x00100010 in \?\? \(\)/);
    expect(out).toMatch(/^0x00100011 in \?\? \(\)$/m);
    expect(out).toMatch(/^eip\s+0x100011\s+0x100011$/m);
    expect(out).toMatch(/\* 1\.1\s+Thread 1\.1 "Domain-0"/);
    expect(out).toMatch(/ {2}2\.1\s+Thread 2\.1 "minix"/);
    expect(out).toMatch(/^\* 1\s+process 1\s/m);
    expect(out).toMatch(/^ {2}2\s+process 2\s/m);
    expect(out).toContain("= <unavailable>");
    expect(out).toContain("= 0x102000");
    // gdb prints target console output (the O packets of `monitor`) on stderr.
    for (const name of ["help", "mem", "domains", "counter"]) expect(run.stderr).toMatch(new RegExp(`^${name}\\b`, "m"));
    const dom1 = target.domain(1).memory;
    expect(out).toContain(`0x101000:\t0x${dom1[0x1000].toString(16).padStart(2, "0")}\t0x${dom1[0x1001].toString(16).padStart(2, "0")}`);
    expect(out).toContain("[Inferior 1 (process 1) detached]");
    expect(out).toContain("[Inferior 2 (process 2) detached]");
    expect(sent.length).toBeGreaterThan(1000);
    expect(sent.every((b) => b < 0x80)).toBe(true);
    expect(target.detachCount).toBe(1);
    expect(target.breakpoints).toEqual([]);
    expect(target.isRunning).toBe(true);
  });

  it("stops on a watchpoint and shows the old and new value", async () => {
    const target = new MemoryTarget();
    const { port, sent } = await serve(target);
    const run = await runGdb(
      [`target remote 127.0.0.1:${port}`, `watch *(int *)${COUNTER}`, "continue", "continue", "delete", "detach"].flatMap((c) => ["-ex", c]),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Hardware watchpoint 1: \*\(int \*\)1081344\s+Old value = 0\s+New value = 1/);
    expect(run.stdout).toMatch(/Old value = 1\s+New value = 2/);
    expect(sent.every((b) => b < 0x80)).toBe(true);
  });

  it("is interrupted by Ctrl-C from a gdb Python script", async () => {
    const target = new MemoryTarget();
    const { port, sent } = await serve(target);
    const script = fileURLToPath(new URL("../gdb/interrupt.py", import.meta.url));
    const run = await runGdb(["-ex", `target remote 127.0.0.1:${port}`, "-x", script]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("stop-signal: SIGINT");
    expect(run.stdout).toMatch(/thread: (Domain-0|minix)/);
    expect(run.stdout).toContain("eip-readable: True");
    expect(target.executed).toBeGreaterThan(100);
    expect(sent.every((b) => b < 0x80)).toBe(true);
  });

  it("runs the example gdb Python script shipped for users", async () => {
    const target = new MemoryTarget();
    const { port, sent } = await serve(target);
    const script = fileURLToPath(new URL("../gdb/domains.py", import.meta.url));
    const run = await runGdb(["-ex", `target remote 127.0.0.1:${port}`, "-x", script]);
    expect(run.code, run.stderr).toBe(0);
    const stack = Buffer.from(target.domain(1).memory.subarray(0xff00, 0xff10)).toString("hex");
    expect(run.stdout).toContain("domain 0 pid=1 name=Domain-0 eip=0x100000 esp=0x10ff00 stack=");
    expect(run.stdout).toContain(`domain 1 pid=2 name=minix eip=0x100000 esp=0x10ff00 stack=${stack}`);
    expect(run.stdout).toContain("stepi 0x100000 -> 0x100001");
    expect(run.stdout).toContain("monitor commands: help mem linear domains counter");
    expect(target.detachCount).toBe(1);
    expect(sent.every((b) => b < 0x80)).toBe(true);
  });

  it("serves a gdb/MI session as IDE front ends drive it", async () => {
    const target = new MemoryTarget();
    const { port } = await serve(target);
    const gdb = spawn("gdb", ["--interpreter=mi2", "-nx", "-q"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    gdb.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const waitFor = async (re: RegExp) => {
      const deadline = Date.now() + 15_000;
      while (!re.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(out).toMatch(re);
    };
    try {
      gdb.stdin.write(`1-target-select remote 127.0.0.1:${port}\n`);
      await waitFor(/^1\^connected/m);
      gdb.stdin.write("2-data-list-register-values x 8\n");
      await waitFor(/^2\^done,register-values=\[\{number="8",value="0x100000"\}\]/m);
      gdb.stdin.write(`3-data-read-memory-bytes ${WINDOW_BASE + 0x1000} 4\n`);
      await waitFor(/^3\^done,memory=\[\{begin="0x0*101000",offset="0x0*",end="0x0*101004",contents="00070e15"\}\]/m);
      gdb.stdin.write("4-thread-info\n");
      await waitFor(/^4\^done,threads=\[.*name="minix"/m);
      gdb.stdin.write("5-exec-step-instruction\n");
      await waitFor(/\*stopped,reason="end-stepping-range".*addr="0x00100001"/);
      gdb.stdin.write("6-target-detach\n");
      await waitFor(/^6\^done/m);
      gdb.stdin.write("7-gdb-exit\n");
      await new Promise((r) => gdb.once("exit", r));
    } finally {
      gdb.kill("SIGKILL");
    }
    expect(target.attachedCount).toBe(1);
  });

  it("connects to a host with no domain yet and still serves monitor commands", async () => {
    const target = new MemoryTarget([]);
    const { port } = await serve(target);
    const run = await runGdb(["target remote 127.0.0.1:" + port, "info threads", "monitor help", "detach"].flatMap((c) => ["-ex", c]));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Thread 1\.1 "Xen" \(domain 0 vcpu 0: no domain to debug yet\)/);
    expect(run.stderr).toMatch(/^domains\b/m);
    expect(run.stdout).toContain("[Inferior 1 (process 1) detached]");
  });

  it("treats a gdb that dies without detaching as a detach, and lets the next one attach", async () => {
    const target = new MemoryTarget();
    const { port } = await serve(target);
    await runGdb(["-ex", `target remote 127.0.0.1:${port}`, "-ex", `break *${WINDOW_BASE + 0x10}`, "-ex", "continue", "-ex", "kill"]);
    await new Promise((r) => setTimeout(r, 100));
    expect(target.breakpoints).toEqual([]);
    expect(target.isRunning).toBe(true);
    const again = await runGdb(["-ex", `target remote 127.0.0.1:${port}`, "-ex", "info threads", "-ex", "detach"]);
    expect(again.stdout).toMatch(/Thread 2\.1 "minix"/);
    expect(target.attachedCount).toBe(2);
  });
});
