// Several domains on one CPU: two guests that never block share it evenly through the
// scheduler's slices, and a third, blocked one still answers console input promptly.
import { describe, expect, it } from "vitest";
import { SLICE_NS } from "../../src/xen/sched.js";
import { NS_PER_INSTRUCTION } from "../../src/xen/time.js";
import { readyHelloHost } from "./hello-host.js";
import { loadElfGuest } from "./elf-loader.js";

describe("several domains", () => {
  it("share the CPU round robin while a blocked neighbour still echoes", { timeout: 120_000 }, () => {
    const { host, console, ctl } = readyHelloHost();
    const a = loadElfGuest(host, "build/xen/guests/spin.elf", { name: "spin-a", memoryMiB: 4 });
    const b = loadElfGuest(host, "build/xen/guests/spin.elf", { name: "spin-b", memoryMiB: 4 });
    host.unpause(a.d);
    host.unpause(b.d);
    const t0 = host.clock.nowNs();
    const a0 = a.d.cpuTimeInstr;
    const b0 = b.d.cpuTimeInstr;
    // Twenty slices of virtual time, with an echo round trip in the middle.
    host.runUntil(() => host.clock.nowNs() - t0 >= 10 * SLICE_NS, 1_000_000);
    const before = ctl.text.length;
    ctl.type("are you there?");
    const sent = host.clock.nowNs();
    host.runUntil(() => ctl.text.length >= before + 14, 1_000_000);
    const rtt = host.clock.nowNs() - sent;
    host.runUntil(() => host.clock.nowNs() - t0 >= 20 * SLICE_NS, 1_000_000);
    expect(ctl.text.slice(before)).toBe("are you there?");
    // The woken domain runs next: the echo does not wait for the spinners' slices.
    expect(rtt).toBeLessThan(SLICE_NS);
    const da = a.d.cpuTimeInstr - a0;
    const db = b.d.cpuTimeInstr - b0;
    const total = (host.clock.nowNs() - t0) / NS_PER_INSTRUCTION;
    expect(da + db).toBeGreaterThan(total * 0.9);
    expect(Math.abs(da - db)).toBeLessThan((da + db) * 0.15);
    expect(console.textOf(a.d.id)).toBe("spin: start\n");
  });
});
