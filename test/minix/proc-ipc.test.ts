// The kernel's message passing and scheduling (src/minix/guest/kernel/proc.c), compiled with the
// guest's own headers and run natively against a fake process table (fixtures/ipc-harness.c):
// rendezvous, notify, SENDREC, the deadlock check and MINIX's error codes.
import { beforeAll, describe, expect, it } from "vitest";
import { GUEST, harnessLines, runKernelHarness } from "./native-kernel.js";

const G = GUEST;
let out: Map<string, string[]>;

beforeAll(() => {
  out = harnessLines(runKernelHarness("ipc", ["test/minix/fixtures/ipc-harness.c", "test/minix/fixtures/kernel-globals.c", "test/minix/fixtures/process-areas.c", `${G}/kernel/proc.c`]));
});

const SENDING = 0x04;
const RECEIVING = 0x08;
const NOTIFY_FROM = (p: number) => (0x1000 | (p + 5)).toString(16);
const line = (k: string) => out.get(k);

describe("proc.c IPC", () => {
  it("blocks a sender until the receiver comes, and the kernel writes m_source", () => {
    expect(line("send-blocks")).toEqual(["0", String(SENDING), "11"]);
    expect(line("receive")).toEqual(["0", "10", String(0x55), "0"]);
  });

  it("delivers at once to a waiting receiver", () => {
    expect(line("receive-blocks")).toEqual(["0", String(RECEIVING)]);
    expect(line("send-delivers")).toEqual(["0", "0", "0", String(0x66)]);
  });

  it("refuses a send that would deadlock, for two and for three processes", () => {
    expect(line("deadlock-first")).toEqual(["0"]);
    expect(line("deadlock-second")).toEqual(["-101"]); // ELOCKED
    expect(line("deadlock-resolved")).toEqual(["0", "0"]);
    expect(line("deadlock-cycle")).toEqual(["-101"]);
    expect(line("cycle-unwound")).toEqual(["0", "0", "0"]);
  });

  it("returns MINIX's errors for bad destinations, permissions, buffers and calls", () => {
    expect(line("bad-nr")).toEqual(["-103"]); // EBADSRCDST
    expect(line("empty-slot")).toEqual(["-105"]); // EDEADSRCDST
    expect(line("send-to-task")).toEqual(["-110"]); // ETRAPDENIED: only SENDREC/RECEIVE to tasks
    expect(line("trap-denied")).toEqual(["-110"]);
    expect(line("bad-buffer")).toEqual(["-14"]); // EFAULT
    expect(line("bad-call")).toEqual(["-102"]); // EBADCALL: primitive 7 does not exist
  });

  it("keeps a notification pending and delivers it with the notifier and uptime", () => {
    const [r, pending] = line("notify-pending")!;
    expect(r).toBe("0");
    expect(parseInt(pending, 16)).not.toBe(0);
    expect(line("notify-received")).toEqual(["0", "10", NOTIFY_FROM(10), "1234"]);
  });

  it("holds notifications back while a SENDREC waits for its reply", () => {
    expect(line("sendrec-blocks")).toEqual(["0", String(SENDING | RECEIVING)]);
    expect(line("sendrec-request")).toEqual(["0", "11", String(RECEIVING)]);
    expect(line("sendrec-reply")).toEqual(["0", "77", "0"]);
    expect(line("notify-after-reply")).toEqual(["0", "10", NOTIFY_FROM(10)]);
  });

  it("answers ENOTREADY to non-blocking calls that would block, and delivers when the peer waits", () => {
    expect(line("nb-send")).toEqual(["-106", "0"]);
    expect(line("nb-receive")).toEqual(["-106", "0"]);
    expect(line("nb-send-ready")).toEqual(["0", "88"]);
  });

  it("echoes a message back with the caller as source", () => {
    expect(line("echo")).toEqual(["0", "13", "99"]);
  });

  it("schedules kernel tasks first and picks the next process when one blocks", () => {
    expect(line("pick")).toEqual(["-2"]);
    expect(line("pick-task")).toEqual(["-2"]);
    expect(line("task-blocks")![0]).toBe("0");
    expect(line("task-blocks")![1]).not.toBe("-2");
    expect(line("sendrec-to-task")).toEqual(["0", "-2", "13"]);
  });
});
