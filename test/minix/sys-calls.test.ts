// The SYSTEM task's process calls (src/minix/guest/kernel/system/do_{fork,newmap,exec,privctl,
// segctl,copy,vcopy}.c) compiled with the guest's headers and run natively with system.c, proc.c and
// protect.c (fixtures/sys-harness.c): refusals, what each call changes in the process table,
// and the descriptors it writes. The running boot (boot.test.ts) shows them working together.
import { beforeAll, describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { GUEST, harnessLines, runKernelHarness } from "./native-kernel.js";

const G = GUEST;
let out: Map<string, string[]>;

beforeAll(() => {
  out = harnessLines(runKernelHarness("sys", [
    `${G}/kernel/system.c`, `${G}/kernel/proc.c`, `${G}/kernel/protect.c`, `${G}/lib/sigset.c`,
    ...readdirSync(`${G}/kernel/system`).filter((f) => f.endsWith(".c")).map((f) => `${G}/kernel/system/${f}`),
    "test/minix/fixtures/sys-harness.c", "test/minix/fixtures/kernel-globals.c",
  ]));
});

const NO_MAP = 0x02;
const RECEIVING = 0x08;
const line = (k: string) => out.get(k)?.join(" ");

describe("SYSTEM's process calls", () => {
  it("SYS_FORK refuses a taken child slot, an empty parent and kernel tasks", () => {
    expect(line("fork-refused")).toBe("-22 -22 -22"); // EINVAL
  });

  it("SYS_FORK copies the slot: waiting for its map, no own privileges, 0 in eax, fresh times, half the quantum, own descriptors", () => {
    expect(line("fork")).toBe(`0 flags ${NO_MAP | RECEIVING} nr 20 user-priv 1 retreg 0 times 0 0 ticks 4 3 own-cs 1 queued 0`);
  });

  it("SYS_NEWMAP refuses a map outside the caller's data, then installs the map and rebuilds the data descriptor", () => {
    expect(line("newmap")).toBe(`-14 0 flags ${RECEIVING} data-base-ok 1`);
  });

  it("SYS_EXEC sets sp, pc and a printable name, ends the wait so the process is queued, and nulls the extra descriptors", () => {
    expect(line("exec")).toBe("0 flags 0 queued 1 sp 3ff0 pc 123 name execd nulled 3");
  });

  it("SYS_PRIVCTL is refused to user callers and for processes with privileges; it copies the caller's and lets them answer", () => {
    expect(line("privctl-refused")).toBe("-1 -1"); // EPERM
    expect(line("privctl")).toBe("0 own 1 calls 1 traps 1 answerable 1 again -1");
  });

  it("SYS_SEGCTL hands out the three extra GDT entries as ring-3 selectors, exact or 64 KiB-rounded, and refuses the kernel", () => {
    expect(line("segctl-kernel")).toBe("-14");
    const [r, , sel, , off, , index, , baseOk] = out.get("segctl")!;
    expect([r, off, index, baseOk]).toEqual(["0", "0", "100", "1"]); // REMOTE_SEG | 0
    expect(parseInt(sel, 16) & 7).toBe(3); // GDT, RPL 3
    expect(line("segctl-big")).toBe("0 off-ok 1 base-ok 1 granular 1");
    expect(line("segctl-full")).toBe("0 -28"); // ENOSPC once all three are used
  });

  it("SYS_PHYSCOPY copies physical ranges but not into the kernel or the builder's tables; VIRCOPY reads remote segments within bounds", () => {
    expect(line("physcopy")).toBe("0 physical vircopy-phys -14 into-kernel -14 into-tables -14");
  });

  it("SYS_PHYSVCOPY copies a vector of pseudo-physical ranges, stops at the first refused one and refuses a vector too long", () => {
    expect(line("physvcopy")).toBe("0 1 vector into-tables -14 1 too-long -22");
    expect(line("remote")).toBe("0 window! beyond -14");
  });

  it("SYS_EXIT takes a process blocked in SEND out of its destination's queue, tells those waiting for it, frees its privileges", () => {
    // After PM ends: its receiver gets ESRCDIED (-108), its sender EDSTDIED (-109), both runnable.
    expect(line("exit-sender")).toBe("0 flags 4 queued-at-pm 1 exit 0 free 1 queue-empty 1 waiters 0 0 -108 0 -109 own-priv-freed 0 1");
  });
});
