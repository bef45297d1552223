// The stub on the real host: the testing computer (Xen, the CPU, two hello guests) on an
// in-process serial line, the splitter on the other end, and the real gdb running the gdb
// Python script test/gdb/hello-guest.py: a breakpoint at a guest symbol, bt, list, next,
// finish, a watchpoint on a guest variable, Ctrl-C, a second inferior, monitor, detach.
import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { createSerialPair } from "../../src/emu/serial/index.js";
import { MuxServer } from "../../src/serial-mux/index.js";
import { until } from "../serial-mux/tcp-client.js";
import { guestVaToMa } from "../../src/xen/guest-memory.js";
import { startTestingComputer } from "../../src/xen/tools/testing-computer.js";

const HELLO = resolve("build/xen/guests/hello.elf");
const SCRIPT = fileURLToPath(new URL("../gdb/hello-guest.py", import.meta.url));
const CRASH_SCRIPT = fileURLToPath(new URL("../gdb/crash.py", import.meta.url));
const MONITOR_SCRIPT = fileURLToPath(new URL("../gdb/monitor.py", import.meta.url));
const MEMORY_SCRIPT = fileURLToPath(new URL("../gdb/memory-rules.py", import.meta.url));
const STEP_SCRIPT = fileURLToPath(new URL("../gdb/step-watch.py", import.meta.url));
const EXAMPLE_SCRIPT = fileURLToPath(new URL("../gdb/domains.py", import.meta.url));

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
  // What the stub hands the line, before the console marks it with bit 7: must be 7-bit.
  const sent: number[] = [];
  const debugTransmit = tc.console.debugTransmit.bind(tc.console);
  tc.console.debugTransmit = (bytes) => {
    sent.push(...bytes);
    debugTransmit(bytes);
  };
  // What crosses the wire towards the splitter: console text below 0x80, debugger bytes marked.
  const wire = { debug: 0, console: 0 };
  const write = pair.testing.write.bind(pair.testing);
  pair.testing.write = (bytes) => {
    for (const b of bytes) wire[b >= 0x80 ? "debug" : "console"]++;
    return write(bytes);
  };
  const mux = await MuxServer.start({ line: pair.development, gdbPort: 0, consolePort: 0 });
  cleanups.push(() => mux.close());
  return { tc, mux, sent, wire };
}

/** Every byte the stub sent was 7-bit, and each one crossed the wire marked with bit 7. */
function expectSevenBitClean(sent: number[], wire: { debug: number }): void {
  expect(sent.length).toBeGreaterThan(1000);
  expect(sent.filter((b) => b >= 0x80)).toEqual([]);
  expect(wire.debug).toBe(sent.length);
}

/** The address of a symbol of the hello guest, from nm. */
function symbolOf(name: string): number {
  const line = execFileSync("nm", [HELLO], { encoding: "utf8" }).split("\n").find((l) => l.endsWith(` ${name}`));
  if (line === undefined) throw new Error(`no symbol ${name} in ${HELLO}`);
  return Number.parseInt(line.split(" ")[0], 16);
}

/** The real gdb in batch mode running `commands` against `port`. */
function runGdb(port: number, commands: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((done) => {
    execFile("gdb", ["-batch", "-nx", "-ex", `target remote 127.0.0.1:${port}`, ...commands.flatMap((c) => ["-ex", c])], { timeout: 60_000 },
      (err, stdout, stderr) => done({ stdout, stderr, code: err === null ? 0 : typeof err.code === "number" ? err.code : -1 }));
  });
}

function runGdbScript(port: number, script: string, env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((done) => {
    execFile(
      "gdb",
      ["-batch", "-nx", "-ex", `target remote 127.0.0.1:${port}`, "-x", script],
      { env: { ...process.env, HELLO_ELF: HELLO, ...env }, timeout: 90_000 },
      (err, stdout, stderr) => done({ stdout, stderr, code: err === null ? 0 : typeof err.code === "number" ? err.code : -1 }),
    );
  });
}

it("debugs hello guests on the real host through the splitter with a gdb Python script", async () => {
  const { tc, mux, sent, wire } = await bootHost(2);
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
  expectSevenBitClean(sent, wire);
  // The host runs on after the debugger has gone.
  expect(tc.host.isStopped).toBe(false);
}, 120_000);

it("reports a domain crash under the debugger on that domain's thread, state kept", async () => {
  const { tc, mux, sent, wire } = await bootHost(1);
  const run = await runGdbScript(mux.gdbPort, CRASH_SCRIPT);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain("crash-signal: SIGSEGV");
  expect(run.stdout).toContain("crash-thread: hello-0");
  expect(run.stdout).toContain("crash-eip: 0x10");
  expect(run.stdout).toMatch(/^crash-details: domain 1 vcpu 0: crashed: /m);
  expect(run.stderr).toMatch(/^domain 1 crashed: /m);
  expect(tc.xend.list().find((d) => d.name === "hello-0")?.state).toMatch(/crash/);
  expectSevenBitClean(sent, wire);
}, 120_000);

it("keeps a crashed domain inspectable by a later gdb until xm destroy", async () => {
  const { tc, mux, sent, wire } = await bootHost(2);
  // crash.py crashes the domain gdb stopped in first (whichever was running at the attach).
  const name = /^crash-thread: (hello-\d)$/m.exec((await runGdbScript(mux.gdbPort, CRASH_SCRIPT)).stdout)![1];
  const other = name === "hello-0" ? "hello-1" : "hello-0";
  const crashed = tc.xend.list().find((d) => d.name === name)!;
  expect(crashed.state).toMatch(/crash/);
  const d = tc.host.core.domains.get(crashed.id)!;
  // The guest's code at on_event, as Xen's page tables for that domain map it.
  const code = symbolOf("on_event");
  const word = tc.host.mem.read32(guestVaToMa(tc.host.addressSpace(d), code, false));
  // A new debugger, with the host running on: the crashed domain's thread, registers and memory.
  const select = `python [t for i in gdb.inferiors() for t in i.threads() if t.name == "${name}"][0].switch()`;
  const again = await runGdb(mux.gdbPort, ["info threads", select, "p/x $eip", "p/x $esp", `x/1xw ${code}`, "monitor domains", "detach"]);
  expect(again.code, again.stderr).toBe(0);
  expect(again.stdout).toMatch(new RegExp(`Thread ${crashed.id + 1}\\.1 "${name}" \\(domain ${crashed.id} vcpu 0: crashed`));
  expect(again.stdout).toContain(`"${other}"`);
  expect(again.stdout).toContain("$1 = 0x10");
  expect(again.stdout).toContain("$2 = 0x10");
  expect(again.stdout).toMatch(new RegExp(`^0x${code.toString(16)}:\\t0x${word.toString(16).padStart(8, "0")}$`, "m"));
  expect(again.stderr).toMatch(new RegExp(`^${crashed.id} ${name} crashed `, "m"));
  // xm destroy removes it: the next debugger sees only the other domain.
  tc.xend.destroy(name);
  const after = await runGdb(mux.gdbPort, ["info threads", "detach"]);
  expect(after.code, after.stderr).toBe(0);
  expect(after.stdout).not.toContain(`"${name}"`);
  expect(after.stdout).toContain(`"${other}"`);
  expectSevenBitClean(sent, wire);
}, 120_000);

it("answers every monitor command on the real host; virt, phys, machine and xp views agree", async () => {
  const { tc, mux, sent, wire } = await bootHost(2);
  const run = await runGdbScript(mux.gdbPort, MONITOR_SCRIPT);
  const out = run.stdout;
  expect(run.code, run.stderr).toBe(0);
  const line = (key: string): string => {
    const m = new RegExp(`^${key}: (.*)$`, "m").exec(out);
    expect(m, key).not.toBeNull();
    return m![1];
  };
  // info registers: the core set and the system feature.
  expect(line("info-registers-names").split(" ")).toEqual(expect.arrayContaining(["eax", "eip", "eflags", "cs", "gs", "cs_base", "cs_limit", "cr0", "cr2", "cr3", "xen_domid", "evtchn_upcall_mask"]));
  const domid = Number(line("domid"));
  const helpNames = line("help").split("|").map((l) => l.split(" ")[0]);
  for (const name of ["help", "status", "domains", "mem", "xp", "pt", "gdt", "seg", "evtchn", "console", "pause", "unpause", "sstep-events"]) {
    expect(helpNames, name).toContain(name);
  }
  expect(line("status")).toMatch(/^stopped time=\d+ns mode=interactive hypercalls=\d+ exceptions=\d+ upcalls=\d+ free-frames=\d+$/);
  expect(line("domains")).toMatch(/^1 hello-0 \w+ pages=1024 instr=\d+\|2 hello-1 \w+ pages=1024 instr=\d+$/);
  // hello binds VIRQ_TIMER and has its control channel to the native dom0.
  expect(line("evtchn")).toMatch(/(^|\|)\d+ virq 0(\||$)/);
  expect(line("evtchn")).toMatch(/(^|\|)\d+ interdomain -> d0:\d+(\||$)/);
  expect(line("gdt")).toMatch(/^\d+ entries in frames [\d ]+/);
  expect(line("seg-cs")).toMatch(/^selector 0x819: 00cfb[ab]00_0000c3ff base 0x0 limit 0xfc3fffff dpl 1 present code$/);
  expect(line("console")).toContain("hello from the hello guest");
  // The page walk names the frame Xen's tables hold for that page.
  const walk = /frame mfn (\d+) pfn (\d+) owner (\d+)/.exec(line("pt"))!;
  const d = tc.host.core.domains.get(domid)!;
  expect(Number(walk[3])).toBe(domid);
  expect(d.frameList[Number(walk[2])]).toBe(Number(walk[1]));
  expect(line("mem-phys")).toBe("memory mode: physical");
  expect(line("mem-machine")).toBe("memory mode: machine");
  expect(line("mem-virt")).toBe("memory mode: virtual");
  expect(line("mem-views-agree")).toBe("True");
  expect(line("stack-words").split(" ")).toHaveLength(16);
  expect(line("pause")).toBe("domain 2 paused");
  expect(line("domains-paused")).toMatch(/\|2 hello-1 paused /);
  expect(line("unpause")).toBe("domain 2 unpaused");
  expect(line("domains-unpaused")).not.toMatch(/paused/);
  expect(line("sstep-events-on")).toBe("sstep-events on");
  expect(line("sstep-events-off")).toBe("sstep-events off");
  expect(line("bad-pt")).toBe('Cannot walk the page tables for "nowhere": expected a virtual address');
  expect(line("stepi-moved")).toBe("True");
  expect(out).toContain("done");
  expect(tc.host.stepDeliversEvents).toBe(false);
  expect(tc.host.isStopped).toBe(false);
  expectSevenBitClean(sent, wire);
}, 120_000);

it("serves a gdb/MI session (as IDE front ends drive it) on the real host through the splitter", async () => {
  const { tc, mux, sent, wire } = await bootHost(2);
  const onEvent = symbolOf("on_event");
  const gdb = spawn("gdb", ["--interpreter=mi2", "-nx", "-q", HELLO], { stdio: ["pipe", "pipe", "pipe"] });
  cleanups.push(() => void gdb.kill("SIGKILL"));
  let out = "";
  gdb.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const waitFor = async (re: RegExp): Promise<RegExpExecArray> => {
    const deadline = Date.now() + 30_000;
    while (!re.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(out).toMatch(re);
    return re.exec(out)!;
  };
  gdb.stdin.write(`1-target-select remote 127.0.0.1:${mux.gdbPort}\n`);
  await waitFor(/^1\^connected/m);
  gdb.stdin.write("2-thread-info\n");
  await waitFor(/^2\^done,threads=\[.*name="hello-[01]".*name="hello-[01]"/m);
  // Only timer events: with another port on_event returns at once and `next` leaves it.
  gdb.stdin.write("3-break-insert -c \"port == timer_port\" on_event\n");
  await waitFor(/^3\^done,bkpt=\{number="1",type="breakpoint".*func="on_event",file="test\/xen\/guests\/hello\.c"/m);
  gdb.stdin.write("4-exec-continue\n");
  await waitFor(/^4\^running/m);
  await waitFor(/\*stopped,reason="breakpoint-hit",disp="keep",bkptno="1",frame=\{addr="0x[0-9a-f]+",func="on_event"/);
  gdb.stdin.write("5-stack-list-frames\n");
  await waitFor(/^5\^done,stack=\[frame=\{level="0",addr="0x[0-9a-f]+",func="on_event",file="test\/xen\/guests\/hello\.c".*level="1"/m);
  gdb.stdin.write("6-data-evaluate-expression ticks\n");
  await waitFor(/^6\^done,value="\d+"/m);
  gdb.stdin.write("7-data-list-register-values x 8\n");
  const eip = Number((await waitFor(/^7\^done,register-values=\[\{number="8",value="(0x[0-9a-f]+)"\}\]/m))[1]);
  expect(eip).toBeGreaterThanOrEqual(onEvent);
  expect(eip).toBeLessThan(onEvent + 0x40);
  gdb.stdin.write(`8-data-read-memory-bytes ${onEvent} 4\n`);
  await waitFor(/^8\^done,memory=\[\{begin="0x[0-9a-f]+",offset="0x0+",end="0x[0-9a-f]+",contents="[0-9a-f]{8}"\}\]/m);
  gdb.stdin.write("9-exec-next\n");
  await waitFor(/\*stopped,reason="end-stepping-range",frame=\{addr="0x[0-9a-f]+",func="on_event",args=\[\{name="port",value="\d+"\}\],file="test\/xen\/guests\/hello\.c",fullname="[^"]+",line="(20[3-9])"/);
  gdb.stdin.write("10-break-delete 1\n");
  await waitFor(/^10\^done/m);
  gdb.stdin.write("11-target-detach\n");
  await waitFor(/^11\^done/m);
  gdb.stdin.write("12-gdb-exit\n");
  await new Promise((r) => gdb.once("exit", r));
  expect(tc.host.isStopped).toBe(false);
  expect(tc.host.core.domains.get(1)!.crashed).toBe(false);
  expectSevenBitClean(sent, wire);
}, 120_000);

it("reads the guest's machine-to-phys table, and writes only into the selected domain's own frames", async () => {
  const { tc, mux, sent, wire } = await bootHost(2);
  const PFN = 5;
  const domains = [...tc.host.core.domains.values()].filter((d) => d.id !== 0);
  const frames = domains.map((d) => `${d.id}:${d.frameList[PFN]}`).join(",");
  const run = await runGdbScript(mux.gdbPort, MEMORY_SCRIPT, { DOMAIN_FRAMES: frames, PFN: String(PFN), XEN_FRAME: String(tc.host.core.m2pFrames[0]) });
  expect(run.code, run.stderr).toBe(0);
  const out = run.stdout;
  expect(out).toMatch(/^domid: [12]$/m);
  // Each frame's M2P entry names its pseudo-physical frame, the other domain's as well.
  expect(out).toContain(`m2p-own: ${PFN}`);
  expect(out).toContain(`m2p-other: ${PFN}`);
  expect(out).toContain("m2p-write: refused");
  expect(out).toContain("xen-area: None");
  expect(out).toContain("machine-own: ok");
  expect(out).toContain("machine-other: refused");
  expect(out).toContain("machine-xen: refused");
  expect(out).toContain("phys-own: ok");
  expect(out).toContain("phys-beyond: unreadable");
  expect(out).toContain("done");
  for (const d of domains) expect(d.crashed).toBe(false);
  expectSevenBitClean(sent, wire);
}, 120_000);

it("steps with the clock and other domains frozen, stops on rwatch/awatch, and runs code the debugger patched", async () => {
  const { tc, mux, sent, wire } = await bootHost(2);
  const run = await runGdbScript(mux.gdbPort, STEP_SCRIPT);
  const out = run.stdout;
  expect(run.code, run.stderr).toBe(0);
  expect(out).toContain("step-clock-frozen: True");
  expect(out).toContain("step-others-frozen: True");
  expect(out).toMatch(/^step-self-ran: (1\d|20)$/m); // 20 steps (a step into an upcall counts its entry too)
  expect(out).toContain("step-moved: True");
  // hello.c reads ticks in on_event (ticks++) and in guest_main's loop.
  expect(out).toMatch(/^rwatch: hit=True in=(on_event|guest_main)$/m);
  expect(out).toMatch(/^awatch: hit=True in=(on_event|guest_main)$/m);
  const setIn = /^breakpoint-set-in: (\d)$/m.exec(out)![1];
  expect(out).toContain(`breakpoint-domains: ${[setIn, setIn, setIn, setIn].join(",")}`);
  expect(out).toContain("at-on_event: True");
  expect(out).toContain("patched-step: eax=0x1234567 eip+5");
  expect(out).toContain("restored-step: eax-kept=True eip+1");
  expect(out).toContain("done");
  // The guests run on unharmed.
  for (const d of tc.host.core.domains.values()) expect(d.crashed).toBe(false);
  const before = tc.host.core.domains.get(1)!.cpuTimeInstr;
  await new Promise((r) => setTimeout(r, 200));
  expect(tc.host.core.domains.get(1)!.cpuTimeInstr).toBeGreaterThan(before);
  expectSevenBitClean(sent, wire);
}, 120_000);

it("treats a gdb killed while stopped or while running as a detach: breakpoints gone, host running", async () => {
  const { tc, mux, sent, wire } = await bootHost(2);
  const points = () => [...tc.host.core.domains.values()].reduce((n, d) => n + d.debugPoints.length, 0);
  const killedGdb = async (commands: string[], ready: (out: string) => boolean): Promise<void> => {
    // stdin stays open, so gdb waits at its prompt (or in `continue`) until it is killed.
    const gdb = spawn("gdb", ["-nx", "-q", HELLO, "-ex", `target remote 127.0.0.1:${mux.gdbPort}`, ...commands.flatMap((c) => ["-ex", c])], { stdio: ["pipe", "pipe", "pipe"] });
    cleanups.push(() => void gdb.kill("SIGKILL"));
    let out = "";
    gdb.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!ready(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(ready(out), out).toBe(true);
    gdb.kill("SIGKILL");
    await new Promise((r) => gdb.once("exit", r));
  };
  const waitRunning = (): Promise<void> => until(() => !tc.host.isStopped, "the host running again");

  // Killed at a breakpoint, the host stopped.
  await killedGdb(["break on_event", "continue"], (o) => /hit Breakpoint 1, on_event/.test(o));
  await waitRunning();
  expect(points()).toBe(0);
  const ticks = tc.host.core.domains.get(1)!.cpuTimeInstr;
  await new Promise((r) => setTimeout(r, 200));
  expect(tc.host.core.domains.get(1)!.cpuTimeInstr).toBeGreaterThan(ticks);

  // Killed in `continue`, with a breakpoint (at code never run) and a watchpoint inserted.
  await killedGdb(["break *(int)&ticks", "watch *(int *)((int)&ticks + 4)", "continue"], (o) => /Continuing\./.test(o) && points() === 2);
  await until(() => points() === 0, "the killed debugger's breakpoint and watchpoint removed");
  await waitRunning();

  // A later gdb attaches as usual.
  const again = await runGdb(mux.gdbPort, ["info threads", "detach"]);
  expect(again.code, again.stderr).toBe(0);
  expect(again.stdout).toMatch(/"hello-0"/);
  expect(tc.host.isStopped).toBe(false);
  // Each attach and detach was said on Xen's console.
  const log = tc.console.dmesg();
  expect(log.match(/^\(XEN\) Debugger attached: Xen is in a debugging state, all domains stopped$/gm)).toHaveLength(3);
  expect(log.match(/^\(XEN\) Debugger detached: domains running again$/gm)).toHaveLength(3);
  expectSevenBitClean(sent, wire);
}, 120_000);

it("runs the example script shipped for users (test/gdb/domains.py) on the real host", async () => {
  const { tc, mux, sent, wire } = await bootHost(2);
  const run = await runGdbScript(mux.gdbPort, EXAMPLE_SCRIPT);
  expect(run.code, run.stderr).toBe(0);
  for (const [id, name] of [[1, "hello-0"], [2, "hello-1"]] as const) {
    expect(run.stdout).toMatch(new RegExp(`^domain ${id} pid=${id + 1} name=${name} eip=0xc0[0-9a-f]{6} esp=0xc0[0-9a-f]{6} stack=[0-9a-f]{32}$`, "m"));
  }
  expect(run.stdout).toMatch(/^stepi 0xc0[0-9a-f]{6} -> 0xc0[0-9a-f]{6}$/m);
  const listed = /^monitor commands: (.*)$/m.exec(run.stdout)![1].split(" ");
  expect(listed).toEqual(expect.arrayContaining(["help", "mem", "domains", "status", "xp", "pt", "gdt", "seg", "evtchn", "console", "pause", "unpause", "sstep-events"]));
  expect(tc.host.isStopped).toBe(false);
  expectSevenBitClean(sent, wire);
}, 120_000);
