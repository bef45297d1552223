// Fuzzes the stub over the real Xen debug target (two booted hello guests), where the packet
// fuzz test uses the in-memory target: hostile arguments to every monitor command of the
// hypervisor, memory reads and writes in every address space at addresses around Xen's area,
// register writes, breakpoints and single steps. The host must never throw, every reply must be
// 7-bit and well framed, and Xen's frame accounting must stay consistent.
import { expect, it } from "vitest";
import { GdbSession } from "../../src/gdbstub/session.js";
import { PacketDecoder, asciiBytes, framePacket } from "../../src/gdbstub/packet.js";
import { auditFrames } from "../../src/xen/audit.js";
import { BufferConsole } from "../../src/xen/console-sink.js";
import { CpuPort } from "../../src/xen/cpu-port.js";
import { XenDebugTarget } from "../../src/xen/debug-target.js";
import { XenHost } from "../../src/xen/host.js";
import { TestController } from "../xen/control-ring.js";
import { loadElfGuest } from "../xen/elf-loader.js";
import { fuzzRng } from "./fixtures/fuzz-rng.js";

const PACKETS = 50_000;
const SEED = Number(process.env.FUZZ_SEED ?? 0x0dd5eed);

const hexOf = (s: string) => Buffer.from(s, "latin1").toString("hex");

it(`survives ${PACKETS} hostile packets against the real Xen target`, { timeout: 300_000 }, async () => {
  const r = fuzzRng(SEED);
  const console = new BufferConsole();
  const host = new XenHost({ timeMode: "deterministic", memoryMiB: 48, console });
  host.attachCpu(new CpuPort(host.core));
  for (const name of ["hello-a", "hello-b"]) {
    const g = loadElfGuest(host, "build/xen/guests/hello.elf", { name, memoryMiB: 8 });
    new TestController(host, g);
    host.unpause(g.d);
  }
  host.runUntil(() => (console.textOf(1).includes("hello: ready") && console.textOf(2).includes("hello: ready")), 400_000);
  const target = new XenDebugTarget(host);
  const names = ["help", "mem", "linear", ...target.monitorCommands().map((c) => c.name)];

  const decoder = new PacketDecoder({ maxPacketSize: 1 << 20 });
  let replies = 0;
  const session = () => new GdbSession({
    target,
    lossless: true,
    write: (bytes) => {
      if (bytes.some((b) => b >= 0x80)) throw new Error("the stub sent a byte >= 0x80");
      for (const e of decoder.push(bytes)) {
        if (e.kind === "error") throw new Error(`the stub sent an undecodable frame: ${e.message}`);
        if (e.kind === "packet") replies++;
      }
    },
  });
  let s = session();

  const addr = (): string => r.pick([
    () => (0xc0000000 + r.int(0x900000)).toString(16),
    () => (0xfbfff000 + r.int(0x2000)).toString(16),
    () => (0xfc000000 + r.int(0x400000)).toString(16),
    () => (0xfc3ff000 + r.int(0x2000)).toString(16),
    () => r.int(host.mem.bytes + 0x10000).toString(16),
    () => (r.int(0x100000000)).toString(16),
    () => "ffffffff",
    () => "-1",
    () => "zz",
  ])();
  const arg = (): string => r.pick([
    addr, () => String(r.int(5)), () => `0x${r.int(0x10000).toString(16)}`, () => "-1", () => "1e9", () => "0x", () => "",
    () => "on", () => "off", () => "virt", () => "phys", () => "machine", () => "hello-a", () => "\u0007", () => "9".repeat(40),
  ])();
  const monitor = (): string => [r.pick(names), ...Array.from({ length: r.int(4) }, arg)].join(" ").trim();
  const thread = (): string => r.pick(["p1.1", "p2.1", "p3.1", "p0.0", "-1", "0", "p1.-1", "pffffffff.1"]);
  const makePacket = (): string => {
    switch (r.int(12)) {
      case 0: case 1: case 2: return `qRcmd,${hexOf(monitor())}`;
      case 3: return `m${addr()},${r.pick(["1", "4", "40", "1000", "20000", "0", "ffffffff"])}`;
      case 4: return `M${addr()},4:${r.pick(["00000000", "deadbeef", "zz", ""])}`;
      case 5: return `p${r.int(0x40).toString(16)}`;
      case 6: return `P${r.int(0x40).toString(16)}=${r.pick(["00000000", "10000000", "ffffffff", "xx", "0"])}`;
      case 7: return `Hg${thread()}`;
      case 8: return `${r.pick(["Z", "z"])}${r.int(5)},${addr()},${r.pick(["1", "4", "8", "0", "1000"])}`;
      case 9: return `vCont;s:${thread()}`;
      case 10: return r.pick(["g", "?", "qfThreadInfo", "qC", "qXfer:threads:read::0,1000", `qThreadExtraInfo,${thread()}`]);
      default: return `qRcmd,${hexOf(`mem ${r.pick(["virt", "phys", "machine"])}`)}`;
    }
  };

  const counts = { packets: 0, monitor: 0, memory: 0, steps: 0, reconnects: 0 };
  for (let i = 0; i < PACKETS; i++) {
    const packet = makePacket();
    counts.packets++;
    if (packet.startsWith("qRcmd")) counts.monitor++;
    if (/^[mM]/.test(packet)) counts.memory++;
    if (packet.startsWith("vCont;s")) counts.steps++;
    s.receive(framePacket(asciiBytes(packet)));
    if (!s.attached) {
      s = session();
      counts.reconnects++;
    }
    // Let the target's stop events (attach, steps) reach the session now and then.
    if (i % 100 === 0) await new Promise((res) => setImmediate(res));
  }
  // Still serving, and Xen's books balance whatever the debugger wrote.
  const before = replies;
  s.receive(framePacket(asciiBytes("qfThreadInfo")));
  expect(replies).toBeGreaterThan(before);
  expect(replies).toBeGreaterThan(PACKETS / 2);
  expect(counts.monitor).toBeGreaterThan(PACKETS / 5);
  expect(counts.memory).toBeGreaterThan(PACKETS / 10);
  expect(counts.steps).toBeGreaterThan(PACKETS / 20);
  expect(auditFrames(host.core)).toEqual([]);
  s.disconnected();
  expect(host.isStopped).toBe(false);
});
