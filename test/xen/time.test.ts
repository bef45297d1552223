// The host clock in its three modes, and guest-visible time in shared_info.
import { describe, expect, it } from "vitest";
import { SHARED_INFO } from "../../src/xen/abi.js";
import { MachineMemory } from "../../src/emu/memory.js";
import { CPU_FREQ_HZ, Clock, DETERMINISTIC_BOOT_WALLCLOCK_MS, NS_PER_INSTRUCTION } from "../../src/xen/time.js";
import { BufferConsole } from "../../src/xen/console-sink.js";
import { CpuPort } from "../../src/xen/cpu-port.js";
import { XenHost } from "../../src/xen/host.js";
import { TestController } from "./control-ring.js";
import { loadElfGuest } from "./elf-loader.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Clock", () => {
  it("deterministic: instructions advance time and idle jumps straight to the deadline", () => {
    const c = new Clock("deterministic");
    c.executed(1000);
    expect(c.nowNs()).toBe(1000 * NS_PER_INSTRUCTION);
    expect(c.goIdle(5_000_000)).toBe(0);
    c.wake(5_000_000);
    expect(c.nowNs()).toBe(5_000_000);
    expect(c.tsc()).toBe(5_000_000 / NS_PER_INSTRUCTION);
    expect(c.bootWallclockMs).toBe(DETERMINISTIC_BOOT_WALLCLOCK_MS);
  });

  it("interactive: idle asks for a sleep until the deadline and catches up with the wall clock", async () => {
    const c = new Clock("interactive");
    c.executed(100);
    const ms = c.goIdle(c.nowNs() + 40_000_000);
    expect(ms).toBeCloseTo(40, 0);
    await sleep(20);
    c.wake(c.nowNs() + 40_000_000);
    expect(c.nowNs()).toBeGreaterThanOrEqual(1000 + 15_000_000);
    // Never past the deadline it slept for.
    const d = c.nowNs() + 1_000_000;
    c.goIdle(d);
    await sleep(15);
    c.wake(d);
    expect(c.nowNs()).toBe(d);
  });

  it("interactive: the clock stands still from the debugger stop on, with the idle time before the stop counted", async () => {
    const c = new Clock("interactive");
    const idleFrom = performance.now();
    c.goIdle(c.nowNs() + 1_000_000_000);
    await sleep(10);
    c.freeze();
    const idleMs = performance.now() - idleFrom;
    const atStop = c.nowNs();
    await sleep(30);
    c.wake(c.nowNs() + 1_000_000_000); // a timer armed before the stop fires during it
    const frozen = c.nowNs();
    expect(frozen).toBe(atStop);
    expect(frozen).toBeGreaterThanOrEqual(8_000_000);
    expect(frozen).toBeLessThanOrEqual(Math.ceil(idleMs * 1e6));
    await sleep(20);
    c.goIdle(null);
    c.wake(null);
    expect(c.nowNs()).toBe(frozen);
    // After the stop, idle time counts again, without the frozen span.
    c.thaw();
    c.goIdle(null);
    await sleep(10);
    c.wake(null);
    expect(c.nowNs()).toBeGreaterThanOrEqual(frozen + 8_000_000);
  });

  it("realtime follows the wall clock and stands still while frozen", async () => {
    const c = new Clock("realtime");
    const a = c.nowNs();
    await sleep(20);
    const b = c.nowNs();
    expect(b - a).toBeGreaterThanOrEqual(15_000_000);
    c.freeze();
    const f = c.nowNs();
    await sleep(10);
    expect(c.nowNs()).toBe(f);
  });

  it("publish() writes shared_info time between two version bumps", () => {
    const mem = new MachineMemory(1 << 16);
    const c = new Clock("deterministic");
    c.executed(123456);
    c.publish(mem, 4096);
    const v = mem.view;
    expect(v.getUint32(4096 + SHARED_INFO.time_version1, true)).toBe(1);
    expect(v.getUint32(4096 + SHARED_INFO.time_version2, true)).toBe(1);
    expect(v.getBigUint64(4096 + SHARED_INFO.system_time, true)).toBe(BigInt(123456 * NS_PER_INSTRUCTION));
    expect(v.getBigUint64(4096 + SHARED_INFO.cpu_freq, true)).toBe(BigInt(CPU_FREQ_HZ));
    expect(v.getBigUint64(4096 + SHARED_INFO.tsc_timestamp, true)).toBe(123456n);
    expect(v.getUint32(4096 + SHARED_INFO.wc_sec, true)).toBe(Math.floor(DETERMINISTIC_BOOT_WALLCLOCK_MS / 1000 + 1.23456e-3));
  });
});

describe("interactive host", () => {
  it("sleeps while the guest is idle, follows the wall clock and answers input", { timeout: 60_000 }, async () => {
    const console = new BufferConsole();
    const h = new XenHost({ timeMode: "interactive", memoryMiB: 32, console });
    h.attachCpu(new CpuPort(h.core));
    const g = loadElfGuest(h, "build/xen/guests/hello.elf", { name: "hello", memoryMiB: 8 });
    const ctl = new TestController(h, g);
    h.unpause(g.d);
    h.start();
    try {
      const t0 = performance.now();
      while (!ctl.text.includes("5 timer ticks") && performance.now() - t0 < 30_000) await sleep(10);
      expect(ctl.text).toContain("5 timer ticks");
      const v0 = h.clock.nowNs();
      const w0 = performance.now();
      await sleep(300);
      const dv = (h.clock.nowNs() - v0) / 1e6;
      const dw = performance.now() - w0;
      expect(dv).toBeGreaterThan(dw * 0.5);
      expect(dv).toBeLessThan(dw + 100);
      ctl.type("live");
      h.kick();
      const t1 = performance.now();
      while (!ctl.text.includes("live") && performance.now() - t1 < 10_000) await sleep(5);
      expect(ctl.text).toContain("live");
    } finally {
      h.stop();
    }
  });
});
