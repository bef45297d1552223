// The hostile guest against the hypervisor: at least 100,000 hypercalls and faults, every
// hypercall number and its documented error paths hit many times, the domain re-created when it
// crashes, the host never throwing, and a second domain answering console echoes throughout.
import { describe, expect, it } from "vitest";
import {
  EFAULT, EINVAL, ENOSYS, EPERM, ESRCH, NR_hypercalls,
} from "../../src/xen/abi.js";
import { auditFrames } from "../../src/xen/audit.js";
import { readyHelloHost } from "./hello-host.js";
import { loadElfGuest, type LoadedGuest } from "./elf-loader.js";

const TARGET_ENTRIES = 100_000;

describe("hostile guest", () => {
  it("cannot hurt the host or its neighbour", { timeout: 600_000 }, () => {
    const { host, console, hello, ctl } = readyHelloHost();

    const hostileIds = new Set<number>();
    let hostile: LoadedGuest | null = null;
    let incarnations = 0;
    const spawn = () => {
      hostile = loadElfGuest(host, "build/xen/guests/hostile.elf", { name: `hostile${incarnations++}`, memoryMiB: 8 });
      hostileIds.add(hostile.d.id);
      host.unpause(hostile.d);
    };
    spawn();

    const entries = () => {
      let n = 0;
      for (let nr = 0; nr < NR_hypercalls; nr++) n += host.stats.count(nr, undefined, hostileIds);
      return n + host.entries.exceptions;
    };
    let echoes = 0;
    let round = 0;
    while (entries() < TARGET_ENTRIES) {
      // A console round trip to the neighbour every round.
      const word = `echo-${round++}\n`;
      const before = ctl.text.length;
      expect(ctl.type(word)).toBe(true);
      host.runUntil(() => ctl.text.length >= before + word.length, 100_000);
      expect(ctl.text.slice(before, before + word.length)).toBe(word);
      echoes++;
      host.runUntil(() => false, 2_000);
      const h = hostile as LoadedGuest | null;
      if (h && (h.d.runState === "crashed" || h.d.runState === "shutdown")) {
        host.destroyDomain(h.d);
        spawn();
      }
      expect(hello.d.crashWhy).toBe("");
    }

    // Every hypercall number, many times.
    for (let nr = 0; nr < NR_hypercalls; nr++) expect(host.stats.count(nr, undefined, hostileIds), `hypercall ${nr}`).toBeGreaterThan(50);
    // Each documented error path of the calls a domU can reach, many times.
    const paths: Array<[number, number]> = [
      [0, -EPERM], [0, -EFAULT], [1, -EINVAL], [1, -EFAULT], [2, -EINVAL], [2, -EFAULT], [3, -EPERM],
      [4, -EPERM], [6, -ENOSYS], [7, -EPERM], [8, -EPERM], [8, -EINVAL], [9, -EINVAL], [10, -EINVAL],
      [11, -1], [12, -EPERM], [12, -ENOSYS], [12, -EINVAL], [13, -EFAULT], [13, -EINVAL],
      [14, -EINVAL], [16, -EFAULT], [16, -EINVAL], [16, -ENOSYS], [16, -EPERM], [16, -ESRCH],
      [17, -ENOSYS], [18, -EFAULT], [18, -ENOSYS], [19, -EPERM], [20, -EINVAL], [20, -EFAULT],
      [21, -EINVAL], [21, -ENOSYS], [22, -EPERM], [23, -EINVAL], [24, -ENOSYS], [31, -ENOSYS],
    ];
    for (const [nr, rc] of paths) expect(host.stats.count(nr, rc, hostileIds), `hypercall ${nr} -> ${rc}`).toBeGreaterThan(10);
    for (const [nr] of [[0], [1], [10], [14], [16]]) expect(host.stats.count(nr, "ok", hostileIds), `hypercall ${nr} ok`).toBeGreaterThan(0);
    // switch_vm86 with random activations: each entered vm86 mode and came back by a bounce.
    expect(host.stats.count(23, "ok", hostileIds), "switch_vm86 ok").toBeGreaterThan(10);
    expect(host.core.counters.vm86Bounces).toBeGreaterThanOrEqual(host.stats.count(23, "ok", hostileIds));
    // Faults of every kind were reflected, and the failsafe path ran.
    for (const v of [0, 3, 6, 13, 14, 0x40, 0x80]) expect(host.vectors.get(v) ?? 0, `vector ${v}`).toBeGreaterThan(100);
    expect(host.core.counters.failsafe).toBeGreaterThan(10);
    expect(host.core.counters.ldtShadowMaps).toBeGreaterThan(10);
    expect(echoes).toBeGreaterThan(10);
    // The hostile domain crashed itself (a fault with an unusable stack) and was re-created.
    expect(incarnations).toBeGreaterThan(1);
    expect(host.core.counters.crashes).toBe(incarnations - 1 + (hostile!.d.crashed ? 1 : 0));
    expect(console.lines.some((l) => /Domain \d+ \(hostile0\) crashed: cannot write the trap 6 bounce frame/.test(l))).toBe(true);
    expect(console.textOf(hello.d.id)).not.toContain("unexpected trap");
    expect(auditFrames(host.core)).toEqual([]);
    // Frames are accounted for: every domain's frames (with shared_info, per-domain map and grant
    // table) plus the pool cover all non-Xen frames.
    const owned = [...host.core.domains.values()].reduce((n, d) => n + d.frameList.length + (d.id === 0 ? 0 : 2) + (d.grants?.frames.length ?? 0), 0);
    expect(owned + host.core.pool.freeCount).toBe(host.core.frames.count - host.core.m2pFrames.length - 2);
  });
});
