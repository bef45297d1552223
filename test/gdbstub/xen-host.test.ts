// The stub on the real host: the testing computer (Xen, the CPU, two hello guests) on an
// in-process serial line, the splitter on the other end, and the real gdb running the gdb
// Python script test/gdb/hello-guest.py: a breakpoint at a guest symbol, bt, list, next,
// finish, a watchpoint on a guest variable, Ctrl-C, a second inferior, monitor, detach.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { createSerialPair } from "../../src/emu/serial/index.js";
import { MuxServer } from "../../src/serial-mux/index.js";
import { startTestingComputer } from "../../src/xen/tools/testing-computer.js";

const HELLO = resolve("build/xen/guests/hello.elf");
const SCRIPT = fileURLToPath(new URL("../gdb/hello-guest.py", import.meta.url));
const CRASH_SCRIPT = fileURLToPath(new URL("../gdb/crash.py", import.meta.url));

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function bootHost(domains: number) {
  const dir = mkdtempSync(join(tmpdir(), "gdbstub-xen-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const configs = Array.from({ length: domains }, (_, i) => {
    const cfg = join(dir, `hello-${i}.cfg`);
    writeFileSync(cfg, `kernel = "${HELLO}"\nmemory = 4\nname = "hello-${i}"\ncmdline = "console=xen"\n`);
    return cfg;
  });
  const pair = createSerialPair();
  const tc = await startTestingComputer(pair.testing, { baud: 0, configs, memoryMiB: 32 });
  cleanups.push(() => tc.stop());
  const sent: number[] = [];
  const write = pair.testing.write.bind(pair.testing);
  pair.testing.write = (bytes) => {
    for (const b of bytes) if (b >= 0x80) sent.push(b & 0x7f);
    return write(bytes);
  };
  const mux = await MuxServer.start({ line: pair.development, gdbPort: 0, consolePort: 0 });
  cleanups.push(() => mux.close());
  return { tc, mux, sent };
}

function runGdbScript(port: number, script: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((done) => {
    execFile(
      "gdb",
      ["-batch", "-nx", "-ex", `target remote 127.0.0.1:${port}`, "-x", script],
      { env: { ...process.env, HELLO_ELF: HELLO }, timeout: 90_000 },
      (err, stdout, stderr) => done({ stdout, stderr, code: err === null ? 0 : typeof err.code === "number" ? err.code : -1 }),
    );
  });
}

it("debugs hello guests on the real host through the splitter with a gdb Python script", async () => {
  const { tc, mux, sent } = await bootHost(2);
  const run = await runGdbScript(mux.gdbPort, SCRIPT);
  const out = run.stdout;
  expect(run.code, run.stderr).toBe(0);
  expect(out).toContain("inferiors: 2");
  expect(out).toContain("threads: hello-0,hello-1");
  expect(out).toContain("stopped-in: on_event");
  expect(out).toMatch(/^breakpoint-hits: [1-9]\d*$/m);
  // The handler's first line, found in the guest's source so edits to hello.c move it.
  const helloLines = readFileSync("test/xen/guests/hello.c", "utf8").split("\n");
  const ifLine = helloLines.findIndex((l) => l.includes("if ((int)port == timer_port) {")) + 1;
  expect(ifLine).toBeGreaterThan(0);
  expect(out).toContain(`source: ${ifLine}\t\tif ((int)port == timer_port) {|${ifLine + 1}\t\t\tticks++;`);
  expect(out).toMatch(new RegExp(`^bt: #0 {2}on_event \\(port=\\d+\\) at test/xen/guests/hello\\.c:${ifLine}\\|#1 .* in trap_c `, "m"));
  expect(out).toContain("next-moved-lines: True");
  expect(out).toContain("ticks-after-next: 1");
  expect(out).toContain("finish-left: True");
  expect(out).toContain("watch: hit=True delta=1");
  expect(out).toContain("interrupt: SIGINT");
  expect(out).toContain("inferior-2-eip-readable: True");
  expect(out).toMatch(/^monitor-domains: .*hello-0.*hello-1/m);
  // xend's history of domain 1's control-ring console, served by the dom0 tools' monitor command.
  expect(out).toMatch(/^monitor-console: (.*\|)?hello from the hello guest\|/m);
  expect(out).toContain("done");
  expect(sent.length).toBeGreaterThan(1000);
  // The host runs on after the debugger has gone.
  expect(tc.host.isStopped).toBe(false);
}, 120_000);

it("reports a domain crash under the debugger on that domain's thread, state kept", async () => {
  const { tc, mux } = await bootHost(1);
  const run = await runGdbScript(mux.gdbPort, CRASH_SCRIPT);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain("crash-signal: SIGSEGV");
  expect(run.stdout).toContain("crash-thread: hello-0");
  expect(run.stdout).toContain("crash-eip: 0x10");
  expect(run.stdout).toMatch(/^crash-details: domain 1 vcpu 0: crashed: /m);
  expect(run.stderr).toMatch(/^domain 1 crashed: /m);
  expect(tc.xend.list().find((d) => d.name === "hello-0")?.state).toMatch(/crash/);
}, 120_000);
