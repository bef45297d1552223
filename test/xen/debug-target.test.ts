// The Xen host as a debug target, driven by the real gdb through the stub's TCP server: registers
// of a domain's vcpu, a breakpoint in the guest, single steps, memory through the guest's page
// tables, and a refused write into a page table.
import { afterEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { execFileSync } from "node:child_process";
import { startGdbServer, type GdbServer } from "../../src/gdbstub/index.js";
import { BufferConsole } from "../../src/xen/console-sink.js";
import { CpuPort } from "../../src/xen/cpu-port.js";
import { XenDebugTarget } from "../../src/xen/debug-target.js";
import { XenHost } from "../../src/xen/host.js";
import { TestController } from "./control-ring.js";
import { loadElfGuest } from "./elf-loader.js";

const HELLO = "build/xen/guests/hello.elf";

function symbol(name: string): number {
  const line = execFileSync("nm", [HELLO], { encoding: "utf8" }).split("\n").find((l) => l.endsWith(` ${name}`));
  if (!line) throw new Error(`no symbol ${name} in ${HELLO}`);
  return parseInt(line.split(" ")[0], 16);
}

function gdb(port: number, commands: string[]): Promise<string> {
  const args = ["-batch", "-nx", "-ex", "set architecture i386", "-ex", `target remote 127.0.0.1:${port}`];
  for (const c of commands) args.push("-ex", c);
  return new Promise((resolve, reject) => {
    execFile("gdb", args, { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && !stdout) reject(new Error(`gdb failed: ${err.message}\n${stderr}`));
      else resolve(`${stdout}\n${stderr}`);
    });
  });
}

let server: GdbServer | null = null;
let host: XenHost | null = null;
afterEach(async () => {
  host?.stop();
  await server?.close();
  server = null;
  host = null;
});

describe("XenDebugTarget with gdb", () => {
  it("stops at a guest breakpoint, steps, reads registers and memory, refuses page-table writes", { timeout: 120_000 }, async () => {
    const console = new BufferConsole();
    const h = new XenHost({ timeMode: "interactive", memoryMiB: 32, console });
    host = h;
    h.attachCpu(new CpuPort(h.core));
    const g = loadElfGuest(h, HELLO, { name: "hello", memoryMiB: 8 });
    const ctl = new TestController(h, g);
    h.unpause(g.d);
    h.runUntil(() => console.textOf(g.d.id).includes("hello: ready"), 200_000);
    h.start();
    const target = new XenDebugTarget(h);
    server = await startGdbServer({ target });
    const ringRead = symbol("ring_read");
    // Console input makes the guest call ring_read while gdb waits at the breakpoint.
    const typer = setInterval(() => ctl.type("x"), 50);
    const out = await gdb(server.port, [
      "info threads",
      `break *0x${ringRead.toString(16)}`,
      "continue",
      "print/x $eip",
      "print/x $cs",
      "print $xen_domid",
      "stepi",
      "print/x $eip",
      `x/2xb 0x${ringRead.toString(16)}`,
      `set {int}0x${(g.startInfoVa + 0x800).toString(16)} = 0x1234`,
      `print/x *(int*)0x${(g.startInfoVa + 0x800).toString(16)}`,
      `set {int}0x${g.ptBaseVa.toString(16)} = 0`,
      "monitor domains",
      `monitor pt 0x${ringRead.toString(16)}`,
      "monitor seg 0x819",
      "monitor gdt",
      "monitor audit",
      "delete",
      "detach",
    ]).finally(() => clearInterval(typer));
    if (process.env.SHOW_GDB) process.stdout.write(out);
    expect(out).toContain("hello");
    expect(out).toContain(`$1 = 0x${ringRead.toString(16)}`);
    expect(out).toContain("$2 = 0x819");
    expect(out).toContain(`$3 = ${g.d.id}`);
    expect(out).toMatch(/\$4 = 0xc0[0-9a-f]+/);
    expect(out).not.toContain(`$4 = 0x${ringRead.toString(16)}`);
    const bytes = execFileSync("objdump", ["-d", `--start-address=0x${ringRead.toString(16)}`, `--stop-address=0x${(ringRead + 2).toString(16)}`, HELLO], { encoding: "utf8" });
    const first = bytes.split("\n").find((l) => l.includes(`${ringRead.toString(16)}:`))!.split("\t")[1].trim().split(" ")[0];
    expect(out).toContain(`0x${first}`);
    expect(out).toMatch(/1 hello (running|blocked|paused|runnable)/);
    const codeMfn = g.d.frameList[(ringRead - 0xc0000000) >>> 12];
    expect(out).toContain(`frame mfn ${codeMfn} pfn ${(ringRead - 0xc0000000) >>> 12} owner ${g.d.id}`);
    // The CPU may have set the accessed bit (0xba -> 0xbb) when it loaded CS.
    expect(out).toMatch(/selector 0x819: 00cfb[ab]00_0000c3ff base 0x0 limit 0xfc3fffff dpl 1 present code/);
    expect(out).toContain("296 entries in frames");
    expect(out).toContain("frame accounting consistent");
    // start_info sits in an ordinary page: writable. The bootstrap L2 is not.
    expect(out).toContain("$5 = 0x1234");
    expect(out).toContain(`Cannot access memory at address 0x${g.ptBaseVa.toString(16)}`);
    expect(h.isStopped).toBe(false);
  });

  it("stops on a write watchpoint when the guest's timer handler counts a tick", { timeout: 120_000 }, async () => {
    const console = new BufferConsole();
    const h = new XenHost({ timeMode: "interactive", memoryMiB: 32, console });
    host = h;
    h.attachCpu(new CpuPort(h.core));
    const g = loadElfGuest(h, HELLO, { name: "hello", memoryMiB: 8 });
    new TestController(h, g);
    h.unpause(g.d);
    h.runUntil(() => console.textOf(g.d.id).includes("hello: ready"), 200_000);
    h.start();
    server = await startGdbServer({ target: new XenDebugTarget(h) });
    const ticks = symbol("ticks");
    const out = await gdb(server.port, [
      `watch *(int*)0x${ticks.toString(16)}`,
      "continue",
      "print/x $eip",
      `print *(int*)0x${ticks.toString(16)}`,
      "delete",
      "detach",
    ]);
    if (process.env.SHOW_GDB) process.stdout.write(out);
    expect(out).toMatch(/[Ww]atchpoint 1: \*\(int\*\)0x[0-9a-f]+/);
    expect(out).toMatch(/Old value = (\d+)\s+New value = (\d+)/);
    const m = /Old value = (\d+)\s+New value = (\d+)/.exec(out)!;
    expect(Number(m[2])).toBe(Number(m[1]) + 1);
    const onEvent = symbol("on_event");
    const eip = Number(/\$1 = (0x[0-9a-f]+)/.exec(out)![1]);
    expect(eip).toBeGreaterThan(onEvent);
    expect(eip).toBeLessThan(onEvent + 0x100);
  });

  it("steps without entering a pending upcall unless sstep-events is on", () => {
    const console = new BufferConsole();
    const h = new XenHost({ timeMode: "deterministic", memoryMiB: 32, console });
    h.attachCpu(new CpuPort(h.core));
    const g = loadElfGuest(h, HELLO, { name: "hello", memoryMiB: 8 });
    new TestController(h, g);
    h.unpause(g.d);
    h.runUntil(() => console.textOf(g.d.id).includes("hello: ready") && g.d.runState === "blocked", 200_000);
    const target = new XenDebugTarget(h);
    target.attach();
    target.requestStop();
    h.raiseDebugVirq(g.d); // pending and unmasked: the block left events enabled
    const vcpu = { domain: g.d.id, vcpu: 0 };
    const callback = symbol("hypervisor_callback");
    const eip0 = g.d.vcpu.regs.eip;
    target.resume({ kind: "step", vcpu });
    expect(g.d.vcpu.regs.eip).not.toBe(callback);
    expect(g.d.vcpu.regs.eip).not.toBe(eip0);
    const monitor = target.monitorCommands().find((c) => c.name === "sstep-events")!;
    expect(monitor.run(["on"], { vcpu, space: "virtual" })).toBe("sstep-events on");
    target.resume({ kind: "step", vcpu });
    // The upcall frame was built, then one instruction of the callback ran.
    expect(g.d.vcpu.regs.eip).toBeGreaterThan(callback);
    expect(g.d.vcpu.regs.eip).toBeLessThan(callback + 8);
    target.detach();
  });

  it("reads memory within a page and across a page boundary as the guest's frames hold it", () => {
    const h = new XenHost({ timeMode: "deterministic", memoryMiB: 32, console: new BufferConsole() });
    h.attachCpu(new CpuPort(h.core));
    const g = loadElfGuest(h, HELLO, { name: "hello", memoryMiB: 8 });
    const target = new XenDebugTarget(h);
    const vcpu = { domain: g.d.id, vcpu: 0 };
    const machineOf = (va: number) => g.d.frameList[(va - 0xc0000000) >>> 12] * 4096 + (va & 0xfff);
    const expected = (va: number, n: number) => Array.from({ length: n }, (_, i) => h.mem.u8[machineOf(va + i)]);
    const start = symbol("ring_read");
    expect([...target.readMemory(vcpu, "virtual", start, 64)]).toEqual(expected(start, 64));
    // The last 8 bytes of a page and the first 8 of the next, which lies in another frame.
    const edge = ((start | 0xfff) + 1 - 8) >>> 0;
    expect(machineOf(edge + 8) - machineOf(edge)).not.toBe(8);
    expect([...target.readMemory(vcpu, "virtual", edge, 16)]).toEqual(expected(edge, 16));
    expect([...target.readMemory(vcpu, "physical", 0x1ff8, 16)]).toEqual(expected(0xc0001ff8, 16));
    // What a read returned reflects memory at the time of the read, and a later write shows.
    h.mem.u8[machineOf(start)] ^= 0xff;
    expect(target.readMemory(vcpu, "virtual", start, 1)[0]).toBe(h.mem.u8[machineOf(start)]);
    expect(target.readMemory(vcpu, "virtual", 0xbfff0000, 4).length).toBe(0);
  });
});
