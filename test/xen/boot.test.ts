// Booting real guests on the emulated CPU: the hello guest's console, every hypercall's result
// as the guest sees it, timer events and console echo through the control ring.
import { describe, expect, it } from "vitest";
import { BufferConsole } from "../../src/xen/console-sink.js";
import { CpuPort } from "../../src/xen/cpu-port.js";
import { XenHost } from "../../src/xen/host.js";
import { TestController } from "./control-ring.js";
import { loadElfGuest } from "./elf-loader.js";

const HELLO = "build/xen/guests/hello.elf";

export function bootHello(host?: XenHost) {
  const console = host ? (host.console as BufferConsole) : new BufferConsole();
  const h = host ?? new XenHost({ timeMode: "deterministic", memoryMiB: 32, console });
  if (!h.cpu) h.attachCpu(new CpuPort(h.core));
  const g = loadElfGuest(h, HELLO, { name: "hello", memoryMiB: 8 });
  const ctl = new TestController(h, g);
  h.unpause(g.d);
  return { host: h, g, ctl, console };
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, "0")}`;

describe("hello guest", () => {
  it("prints through console_io and the control ring, and sees each hypercall's result", () => {
    const { host, g, ctl, console } = bootHello();
    host.runUntil(() => console.textOf(g.d.id).includes("hello: ready") || g.d.runState === "crashed", 200000);
    expect(g.d.crashWhy).toBe("");
    expect(ctl.text).toContain("hello from the hello guest\n");
    const out = console.textOf(g.d.id);
    const expected: Array<[number, number]> = [
      [0, 0], [1, 0], [2, -22], [3, 0], [4, 0], [5, 0], [6, 0], [7, -1], [8, 0], [9, 0xc0001000],
      [10, -22], [11, 0], [12, 0], [13, 0], [13, 0x20000], [13, -1], [14, 0], [15, 0], [16, 0],
      [17, 0x20000], [18, 0], [19, -1], [20, 0], [21, 0], [22, -1], [23, 14], [24, -38],
    ];
    const lines = out.split("\n").filter((l) => l.startsWith("hypercall "));
    expect(lines).toEqual(expected.map(([n, v]) => `hypercall ${n} = ${hex(v)}`));
    const grantFrame = g.d.grants?.frames[0] ?? -1;
    expect(host.core.frames.owner[grantFrame]).toBe(g.d.id);
    expect(out).toContain(`hello: grant setup_table 0x00000000 status 0x00000000 frame ${hex(grantFrame)}\n`);
    expect(out).toContain("hello: int3 bounced\n");
    // switch_vm86: the fetch at 1000:0000 (nothing mapped there) comes back as a #PF from vm86 mode
    // with IOPL cleared and IF and VM set in the frame's EFLAGS.
    expect(out).toContain("hello: vm86 #PF error 0x00000004 cr2 0x00010000 at 0x00001000:0x00000000 eflags 0x00020202 ds 0x00004000\n");
    expect(out).toContain("hello: m2p matches p2m for 64 of 64 pages\n");
    expect(out).toContain("hello: writable page tables ok\n");
    // Long batches are preempted and re-entered (Xen's continuations) and still complete.
    expect(out).toContain("hello: long mmu_update rc 0x00000000 done 1000\n");
    expect(out).toContain("hello: long multicall rc 0x00000000 ok 300\n");
    const delta = Number(/hello: tsc delta (\d+) same high/.exec(out)?.[1]);
    expect(delta).toBeGreaterThan(0);
    expect(delta).toBeLessThan(1_000_000); // under 10 ms of virtual time after the last publish
    expect(host.stats.count(1)).toBe(1 + 2 + 1); // the exercise, 512 + 488 requests, the L1 hook
    expect(host.stats.count(13)).toBe(1 + 3); // the exercise, then 128 + 128 + 44 entries
    // Privileged instructions in ring 1 are #GP(0) for the guest; int n without a gate is #GP((n<<3)|2).
    for (const insn of ["cli", "sti", "hlt", "in", "out", "mov cr3"]) expect(out).toContain(`hello: ${insn} -> trap 13 error 0\n`);
    expect(out).toContain(`hello: int 0x41 -> trap 13 error ${(0x41 << 3) | 2}\n`);
    expect(host.stats.count(17)).toBeGreaterThan(0);
  });

  it("takes timer events and echoes console input", () => {
    const { host, g, ctl } = bootHello();
    host.runUntil(() => ctl.text.includes("5 timer ticks") || g.d.runState === "crashed", 500000);
    expect(ctl.text).toContain("hello: 5 timer ticks\n");
    expect(host.clock.nowNs()).toBeGreaterThanOrEqual(50_000_000);
    for (const word of ["ping", "a longer line of console input that spans more than sixty bytes in one go\n"]) {
      const before = ctl.text.length;
      expect(ctl.type(word)).toBe(true);
      host.runUntil(() => ctl.text.length >= before + word.length, 200000);
      expect(ctl.text.slice(before)).toBe(word);
    }
    // With nothing to do the guest blocks until its next timer event.
    expect(host.runUntil(() => g.d.runState === "blocked", 10000)).toBe(true);
    expect(g.d.timerDeadlineNs).toBeGreaterThan(host.clock.nowNs());
  });

  it("replays byte for byte in deterministic mode", () => {
    const run = () => {
      const { host, g, ctl, console } = bootHello();
      host.runUntil(() => ctl.text.includes("5 timer ticks"), 500000);
      ctl.type("replay me");
      host.runUntil(() => ctl.text.includes("replay me"), 200000);
      return `${console.lines.join("\n")}\n${console.textOf(g.d.id)}\n${ctl.text}\n${host.clock.nowNs()}`;
    };
    const a = run();
    expect(a).toContain("replay me");
    expect(run()).toBe(a);
  });
});
