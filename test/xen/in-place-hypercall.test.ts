// Xen's exit path after a hypercall that leaves the vcpu context alone: when nothing else is due
// (timer, tick, upcall, another domain, a stop) the CPU goes on with the context it holds, so an
// idle guest's timer tick costs one return to the guest, not one per hypercall.
import { describe, expect, it } from "vitest";
import type { XenCore } from "../../src/xen/core.js";
import { BufferConsole } from "../../src/xen/console-sink.js";
import { CpuPort } from "../../src/xen/cpu-port.js";
import type { Domain } from "../../src/xen/domain.js";
import { XenHost } from "../../src/xen/host.js";
import { loadElfGuest } from "./elf-loader.js";

/** The real CPU port, counting how often Xen loads a context into it and resumes one. */
class CountingCpuPort extends CpuPort {
  loads = 0;
  resumes = 0;
  override load(x: XenCore, d: Domain, tsc: number): string | null {
    this.loads++;
    return super.load(x, d, tsc);
  }
  override resume(d: Domain, tsc: number): void {
    this.resumes++;
    super.resume(d, tsc);
  }
}

function idleHello(): { host: XenHost; port: CountingCpuPort; console: BufferConsole; d: Domain } {
  const console = new BufferConsole();
  const host = new XenHost({ timeMode: "deterministic", memoryMiB: 32, console });
  const port = new CountingCpuPort(host.core);
  host.attachCpu(port);
  const g = loadElfGuest(host, "build/xen/guests/hello.elf", { name: "hello", memoryMiB: 8 });
  host.unpause(g.d);
  expect(host.runUntil(() => console.textOf(g.d.id).includes("hello: ready"))).toBe(true);
  return { host, port, console, d: g.d };
}

describe("hypercalls handled in place", () => {
  it("an idle guest's timer tick (upcall, set_timer_op, block) loads its context once", () => {
    const { host, port } = idleHello();
    // Past the guest's one-off "5 timer ticks" ring message (an event channel send, not in place).
    const t1 = host.clock.nowNs();
    host.runUntil(() => host.clock.nowNs() - t1 >= 100_000_000);
    const upcalls0 = host.core.counters.upcalls;
    const loads0 = port.loads;
    const resumes0 = port.resumes;
    const t0 = host.clock.nowNs();
    host.runUntil(() => host.clock.nowNs() - t0 >= 500_000_000);
    const ticks = host.core.counters.upcalls - upcalls0;
    expect(ticks).toBeGreaterThanOrEqual(49);
    expect(port.loads - loads0).toBe(ticks);
    expect(port.resumes - resumes0).toBe(ticks);
  });

  it("replays byte for byte: two runs give the same console text, registers and clock", () => {
    const runs = [idleHello(), idleHello()].map(({ host, console, d }) => {
      const t0 = host.clock.nowNs();
      host.runUntil(() => host.clock.nowNs() - t0 >= 300_000_000);
      const r = d.vcpu.regs;
      return { text: console.textOf(d.id), gpr: [...r.gpr], eip: r.eip, now: host.clock.nowNs(), instr: d.cpuTimeInstr };
    });
    expect(runs[1]).toEqual(runs[0]);
  });
});
