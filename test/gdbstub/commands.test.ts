import { describe, expect, it } from "vitest";
import { SessionClient } from "./fixtures/gdb-client.js";
import { COUNTER, MemoryTarget, WINDOW_BASE, OP_CRASH } from "./fixtures/memory-target.js";
import { TARGET_XML } from "../../src/gdbstub/target-xml.js";
import { CORE_BLOCK_BYTES } from "../../src/gdbstub/registers.js";
import { framePacket } from "../../src/gdbstub/packet.js";

const le32 = (v: number) => Buffer.from(Uint32Array.of(v).buffer).toString("hex");
const hexText = (s: string) => Buffer.from(s, "latin1").toString("hex");
const fromHex = (h: string) => Buffer.from(h, "hex").toString("latin1");
/** Text of the O packets among replies. */
const consoleText = (replies: string[]) => replies.filter((r) => r.startsWith("O")).map((r) => fromHex(r.slice(1))).join("");

async function resumeAndWait(c: SessionClient, packet: string): Promise<string> {
  const n = c.replies.length;
  expect(c.ask(packet)).toEqual([]);
  const replies = await c.waitReplies(n);
  return replies[replies.length - 1];
}

describe("command table: connection", () => {
  it("qSupported offers the features gdb needs and a PacketSize for the line", () => {
    const c = new SessionClient();
    const reply = c.one("qSupported:multiprocess+;swbreak+;hwbreak+");
    const features = reply.split(";");
    for (const f of ["multiprocess+", "qXfer:features:read+", "qXfer:threads:read+", "swbreak+", "hwbreak+", "vContSupported+", "QStartNoAckMode+"]) {
      expect(features).toContain(f);
    }
    expect(features).toContain("PacketSize=20000");
    const paced = new SessionClient({ lossless: false, lineBytesPerSecond: 11520 }).one("qSupported");
    expect(paced.split(";")).toContain("PacketSize=2d00");
    expect(paced).not.toContain("QStartNoAckMode");
  });

  it("answers qAttached with 1, the X probe and unknown packets with the empty reply", () => {
    const c = new SessionClient();
    expect(c.one("qAttached")).toBe("1");
    expect(c.one("qAttached:1")).toBe("1");
    expect(c.one("X100000,0:")).toBe("");
    expect(c.one("vMustReplyEmpty")).toBe("");
    expect(c.one("qTStatus")).toBe("");
    expect(c.one("qCRC:0,4")).toBe("");
    expect(c.one("Z9,0,1")).toBe("");
  });

  it("defers '?' until the attach stop and then reports T05 with thread and expedited registers", async () => {
    const c = new SessionClient();
    c.one("qSupported:multiprocess+");
    expect(c.ask("?")).toEqual([]);
    const [stop] = await c.waitReplies(1);
    expect(stop).toBe(`T05thread:p1.1;04:${le32(WINDOW_BASE + 0xff00)};05:${le32(WINDOW_BASE + 0xff80)};08:${le32(WINDOW_BASE)};`);
    expect(c.one("?")).toBe(stop);
    expect(c.target.attachedCount).toBe(1);
  });

  it("acknowledges every packet and stops acknowledging after QStartNoAckMode", async () => {
    const c = await SessionClient.attached();
    const acks = c.acks;
    c.one("qC");
    expect(c.acks).toBe(acks + 1);
    expect(c.one("QStartNoAckMode")).toBe("OK");
    c.one("qC");
    expect(c.acks).toBe(acks + 2);
    expect(new SessionClient({ lossless: false }).one("QStartNoAckMode")).toBe("");
  });

  it("replies E01 to a packet longer than the line's PacketSize", () => {
    const c = new SessionClient({ lineBytesPerSecond: 1000, lossless: false });
    expect(c.session.packetSize).toBe(1000);
    c.sendRaw(framePacket(`M100000,800:${"00".repeat(0x800)}`));
    expect(c.replies).toEqual(["E01"]);
  });
});

describe("command table: threads", () => {
  it("lists one thread per domain and names them after the domains", async () => {
    const c = await SessionClient.attached();
    expect(c.one("qfThreadInfo")).toBe("mp1.1,p2.1");
    expect(c.one("qsThreadInfo")).toBe("l");
    expect(c.one("Tp2.1")).toBe("OK");
    expect(c.one("Tp9.1")).toBe("E02");
    expect(c.one("qC")).toBe("QCp1.1");
    const xml = c.one("qXfer:threads:read::0,fff");
    expect(xml[0]).toBe("l");
    expect(xml).toContain('<thread id="p2.1" core="0" name="minix">');
    expect(fromHex(c.one("qThreadExtraInfo,p2.1"))).toBe("minix: paused");
  });

  it("Hg selects whose registers and memory are served", async () => {
    const c = await SessionClient.attached();
    expect(c.one("Hgp2.1")).toBe("OK");
    expect(c.one("g").slice(0, 8)).toBe(le32(0x2000));
    expect(c.one("m101000,2")).toBe("0108");
    expect(c.one("Hgp1.1")).toBe("OK");
    expect(c.one("m101000,2")).toBe("0007");
    expect(c.one("Hgp7.1")).toBe("E02");
    expect(c.one("Hg0")).toBe("OK");
    expect(c.one("Hc-1")).toBe("OK");
    expect(c.one("Hx1")).toBe("E01");
  });
});

describe("command table: registers", () => {
  it("g sends the core block with unavailable registers as xx", async () => {
    const c = await SessionClient.attached();
    const g = c.one("g");
    expect(g.length).toBe(CORE_BLOCK_BYTES * 2);
    expect(g.slice(0, 8)).toBe(le32(0x1000));
    expect(g.slice(64, 72)).toBe(le32(WINDOW_BASE)); // eip
    expect(g.slice(128, 148)).toBe("xx".repeat(10)); // st0
  });

  it("G writes the core block back, leaving 'xx' registers alone", async () => {
    const c = await SessionClient.attached();
    const g = c.one("g");
    const changed = le32(0xdeadbeef) + g.slice(8);
    expect(c.one(`G${changed}`)).toBe("OK");
    expect(c.one("g")).toBe(changed);
    expect(c.one("G1234")).toBe("E01");
  });

  it("p reads any register, P writes one and refuses read-only ones", async () => {
    const c = await SessionClient.attached();
    expect(c.one("p8")).toBe(le32(WINDOW_BASE));
    expect(c.one("p10")).toBe("xx".repeat(10));
    expect(c.one("p40")).toBe(le32(0)); // cs_base, first system register
    expect(c.one("p4e")).toBe(le32(0x102000)); // cr3
    expect(c.one("p4f")).toBe(le32(0)); // xen_domid
    expect(c.one("p20")).toBe("xx"); // xmm0 in gdb's default layout: not ours
    expect(c.one("p3e7")).toBe("xx");
    expect(c.one(`P8=${le32(WINDOW_BASE + 4)}`)).toBe("OK");
    expect(c.one("p8")).toBe(le32(WINDOW_BASE + 4));
    expect(c.one(`P4c=${le32(0)}`)).toBe('E.Cannot write register "cr0": read-only');
    expect(c.one("P8")).toBe("E01");
    expect(c.one("P8=12")).toBe("E01");
    expect(c.one("pzz")).toBe("E01");
  });
});

describe("command table: memory", () => {
  it("m returns the readable prefix, E14 when nothing is readable", async () => {
    const c = await SessionClient.attached();
    expect(c.one("m101000,4")).toBe("00070e15");
    const end = WINDOW_BASE + 0x10000;
    expect(c.one(`m${(end - 2).toString(16)},10`)).toBe("0000");
    expect(c.one(`m${end.toString(16)},4`)).toBe("E14");
    expect(c.one("mffffffff,ffffffff")).toBe("E14");
    expect(c.one("m100000")).toBe("E01");
    expect(c.one("m1000000000,4")).toBe("E01");
  });

  it("M writes and reads back, and refuses mismatched or unmapped writes", async () => {
    const c = await SessionClient.attached();
    expect(c.one("M101100,4:deadbeef")).toBe("OK");
    expect(c.one("m101100,4")).toBe("deadbeef");
    expect(c.one("M101100,4:dead")).toBe("E01");
    expect(c.one("M101100,1:zz")).toBe("E01");
    expect(c.one("M100,1:00")).toBe("E.Cannot write memory at 0x100: not mapped");
    expect(c.one("Mffffffff,2:0000")).toBe("E14");
  });

  it("qXfer:features:read pages through an ASCII target description", async () => {
    const c = await SessionClient.attached();
    let doc = "";
    for (let off = 0; ; off += 0x100) {
      const r = c.one(`qXfer:features:read:target.xml:${off.toString(16)},100`);
      doc += r.slice(1);
      if (r[0] === "l") break;
      expect(r[0]).toBe("m");
    }
    expect(doc).toBe(TARGET_XML);
    expect([...doc].every((ch) => ch.charCodeAt(0) < 0x80)).toBe(true);
    expect(doc).toContain('<feature name="org.gnu.gdb.i386.core">');
    expect(doc).toContain('<reg name="st7" bitsize="80" type="i387_ext" regnum="23"/>');
    expect(doc).toContain('group="system"');
    expect(doc).not.toContain("i386.segments");
    expect(c.one("qXfer:features:read:other.xml:0,100")).toBe("E00");
    expect(c.one("qXfer:features:read:target.xml:zz")).toBe("E01");
  });
});

describe("command table: execution control", () => {
  it("vCont? lists c, C, s, S and r", async () => {
    const c = await SessionClient.attached();
    expect(c.one("vCont?")).toBe("vCont;c;C;s;S;r");
  });

  it("vCont;s steps one instruction of the named thread only", async () => {
    const c = await SessionClient.attached();
    const before = c.target.executed;
    const stop = await resumeAndWait(c, "vCont;s:p2.1;c");
    expect(stop).toMatch(/^T05thread:p2\.1;.*08:01001000;$/);
    expect(c.target.executed).toBe(before + 1);
    expect(c.target.domain(0).regs.get("eip")).toBe(WINDOW_BASE);
  });

  it("vCont;r keeps stepping inside the range", async () => {
    const c = await SessionClient.attached();
    const stop = await resumeAndWait(c, "vCont;r100000,100010:p1.1;c");
    expect(stop).toContain(`08:${le32(WINDOW_BASE + 0x10)};`);
  });

  it("a software breakpoint stops continue with swbreak and eip at the breakpoint", async () => {
    const c = await SessionClient.attached();
    expect(c.one("Z0,100010,1")).toBe("OK");
    const stop = await resumeAndWait(c, "vCont;c");
    expect(stop).toMatch(/^T05thread:p1\.1;.*08:10001000;swbreak:;$/);
    expect(c.one("z0,100010,1")).toBe("OK");
    expect(c.target.breakpoints).toEqual([]);
    expect(c.one("Z1,100020,1")).toBe("OK");
    expect(await resumeAndWait(c, "c")).toMatch(/hwbreak:;$/);
  });

  it("watchpoints report watch, rwatch and awatch with the address", async () => {
    const c = await SessionClient.attached();
    const addr = COUNTER.toString(16);
    expect(c.one(`Z2,${addr},4`)).toBe("OK");
    expect(await resumeAndWait(c, "vCont;c")).toMatch(new RegExp(`watch:${addr};$`));
    expect(c.one(`z2,${addr},4`)).toBe("OK");
    expect(c.one(`Z3,${addr},4`)).toBe("OK");
    expect(await resumeAndWait(c, "vCont;c")).toMatch(new RegExp(`;rwatch:${addr};$`));
    expect(c.one(`z3,${addr},4`)).toBe("OK");
    expect(c.one(`Z4,${addr},4`)).toBe("OK");
    expect(await resumeAndWait(c, "vCont;c")).toMatch(new RegExp(`;awatch:${addr};$`));
    expect(c.one("Z2,100000,0")).toBe("E01");
  });

  it("Ctrl-C stops a running host with T02", async () => {
    const c = await SessionClient.attached();
    expect(c.ask("vCont;c")).toEqual([]);
    await new Promise((r) => setTimeout(r, 20));
    expect(c.target.isRunning).toBe(true);
    const n = c.replies.length;
    c.sendRaw("\x03");
    const [stop] = await c.waitReplies(n);
    expect(stop).toMatch(/^T02thread:p[12]\.1;/);
    expect(c.target.isRunning).toBe(false);
  });

  it("a domain crash is reported on its thread with a console line and SIGSEGV", async () => {
    const c = await SessionClient.attached();
    c.target.domain(1).memory[0x8] = OP_CRASH;
    const n = c.replies.length;
    c.ask("vCont;c");
    const replies = await c.waitReplies(n, 2);
    expect(consoleText(replies)).toBe("domain 1 crashed: invalid opcode at 0x100008\n");
    expect(replies[1]).toMatch(/^T0bthread:p2\.1;.*08:08001000;$/);
  });

  it("a domain destroyed while running is reported as exited", async () => {
    const c = await SessionClient.attached();
    c.ask("vCont;c");
    c.target.destroyDomain(1);
    const [w] = await c.waitReplies(c.replies.length);
    expect(w).toBe("W00;process:2");
    expect(c.one("qfThreadInfo")).toBe("mp1.1");
  });

  it("malformed resume packets get E01 and leave the host stopped", async () => {
    const c = await SessionClient.attached();
    for (const p of ["vCont", "vCont;", "vCont;x", "vCont;Cz", "vCont;r1:p1.1", "Czz", "sq"]) expect(c.one(p), p).toBe("E01");
    expect(c.target.isRunning).toBe(false);
  });
});

describe("command table: monitor", () => {
  it("monitor help lists the stub's and the target's commands", async () => {
    const c = await SessionClient.attached();
    const replies = c.ask(`qRcmd,${hexText("help")}`);
    expect(replies[replies.length - 1]).toBe("OK");
    const text = consoleText(replies);
    for (const name of ["help", "mem", "domains", "counter"]) expect(text).toMatch(new RegExp(`^${name}\\b`, "m"));
  });

  it("monitor mem switches m to another address space", async () => {
    const c = await SessionClient.attached();
    expect(consoleText(c.ask(`qRcmd,${hexText("mem phys")}`))).toBe("memory mode: physical\n");
    expect(c.one("m1000,2")).toBe("0007");
    expect(consoleText(c.ask(`qRcmd,${hexText("mem bogus")}`))).toBe(
      'Cannot set memory mode "bogus": expected one of virt, phys, machine\n',
    );
  });

  it("an unknown monitor command or a failing one prints a reason", async () => {
    const c = await SessionClient.attached();
    expect(consoleText(c.ask(`qRcmd,${hexText("frobnicate")}`))).toContain('unknown command (try "monitor help")');
    expect(consoleText(c.ask(`qRcmd,${hexText("counter 9")}`))).toBe('Cannot show counter of domain "9": no such domain\n');
    expect(c.one("qRcmd,zz")).toBe("E01");
  });
});

describe("session life cycle", () => {
  it("D;pid detaches one domain and removes its breakpoints; the last one detaches everything", async () => {
    const c = await SessionClient.attached();
    c.one("Hgp2.1");
    c.one("Z0,100040,1");
    c.one("Hgp1.1");
    c.one("Z0,100050,1");
    expect(c.one("D;2")).toBe("OK");
    expect(c.target.breakpoints.map((b) => b.domain)).toEqual([0]);
    expect(c.one("qfThreadInfo")).toBe("mp1.1");
    expect(c.target.detachCount).toBe(0);
    expect(c.one("D;1")).toBe("OK");
    expect(c.target.detachCount).toBe(1);
    expect(c.target.breakpoints).toEqual([]);
    expect(c.target.isRunning).toBe(true);
    expect(c.hungUp).toBe(true);
    expect(c.session.attached).toBe(false);
  });

  it("k detaches without a reply and a dropped connection detaches too", async () => {
    const c = await SessionClient.attached();
    c.one("Z0,100040,1");
    expect(c.ask("k")).toEqual([]);
    expect(c.target.detachCount).toBe(1);
    expect(c.target.breakpoints).toEqual([]);
    const target = new MemoryTarget();
    const d = await SessionClient.attached({ target });
    d.one("Z0,100040,1");
    d.session.disconnected();
    expect(target.detachCount).toBe(1);
    expect(target.breakpoints).toEqual([]);
    expect(target.isRunning).toBe(true);
    // A later debugger can attach again.
    const e = await SessionClient.attached({ target });
    expect(e.one("qfThreadInfo")).toBe("mp1.1,p2.1");
    expect(target.isRunning).toBe(false);
  });

  it("escapes $ # } * in a thread list chunk and leaves plain text as it is", async () => {
    /** The reply to `packet` as the wire carried it, framing stripped. */
    const rawReply = (c: SessionClient, packet: string) => {
      const before = c.wire.length;
      const decoded = c.one(packet);
      const raw = Buffer.from(c.wire.slice(before)).toString("latin1");
      return { decoded, body: raw.slice(raw.indexOf("$") + 1, raw.lastIndexOf("#")) };
    };
    const odd = rawReply(await SessionClient.attached({ target: new MemoryTarget(["a*b}c$d#e", "plain"]) }), "qXfer:threads:read::0,fff");
    expect(odd.decoded).toContain('name="a*b}c$d#e"');
    expect(odd.body).not.toMatch(/[*$#]/);
    expect(odd.body).toContain("a}\x0ab}]c}\x04d}\x03e");
    const plain = rawReply(await SessionClient.attached({ target: new MemoryTarget(["plain", "other"]) }), "qXfer:threads:read::0,fff");
    expect(plain.decoded).toContain('name="other"');
    expect(plain.body).toBe(plain.decoded);
  });

  it("sends only bytes below 0x80 whatever the target's names and texts hold", async () => {
    const target = new MemoryTarget(["Dom\u00e9-0", "mi\u00ffnix"]);
    const c = await SessionClient.attached({ target });
    c.one("qXfer:threads:read::0,fff");
    c.ask(`qRcmd,${hexText("domains")}`);
    c.one("qThreadExtraInfo,p1.1");
    expect(c.wire.every((b) => b < 0x80)).toBe(true);
  });
});

describe("session on a line that outlives debuggers (reattach)", () => {
  it("attaches again on the next packet after a detach, but not on a stray ack", async () => {
    const c = await SessionClient.attached({ reattach: true });
    expect(c.one("D")).toBe("OK");
    expect(c.target.isRunning).toBe(true);
    c.sendRaw("+");
    expect(c.target.attachedCount).toBe(1);
    // A goodbye to nobody (the splitter's detach for a debugger that left) attaches nothing,
    // and is answered (but `k`, which has no reply), so the splitter can drop that one reply.
    for (const bye of ["D", "D;1", "vKill;1"]) expect(c.one(bye)).toBe("OK");
    const before = c.replies.length;
    c.sendRaw(framePacket("k"));
    expect(c.replies.length).toBe(before);
    expect(c.target.attachedCount).toBe(1);
    expect(c.target.isRunning).toBe(true);
    c.one("qSupported:multiprocess+");
    expect(c.target.attachedCount).toBe(2);
    const n = c.replies.length;
    c.ask("?");
    expect((await c.waitReplies(n))[0]).toMatch(/^T05thread:/);
    expect(c.target.isRunning).toBe(false);
  });

  it("a qSupported mid-session drops the vanished debugger's breakpoints and no-ack mode", async () => {
    const c = await SessionClient.attached({ reattach: true });
    c.one("Z0,100010,1");
    expect(c.one("QStartNoAckMode")).toBe("OK");
    const acks = c.acks;
    c.one("qC");
    expect(c.acks).toBe(acks);
    c.one("qSupported:multiprocess+");
    expect(c.acks).toBe(acks + 1);
    expect(c.target.breakpoints).toEqual([]);
    expect(c.target.detachCount).toBe(1);
    expect(c.target.attachedCount).toBe(2);
    c.one("qC");
    expect(c.acks).toBe(acks + 2);
  });
});

describe("stop replies for targets that only know 'access'", () => {
  it("reports the kind gdb inserted when only one kind covers the address", async () => {
    const c = await SessionClient.attached();
    const addr = COUNTER.toString(16);
    c.one(`Z2,${addr},4`);
    // Make the test target report a write as a plain access, as the Xen target does.
    c.target.breakpoints[0] = { ...c.target.breakpoints[0], type: "access" };
    expect(await resumeAndWait(c, "vCont;c")).toMatch(new RegExp(`;watch:${addr};$`));
    c.one(`Z3,${addr},4`);
    c.target.breakpoints[1] = { ...c.target.breakpoints[1], type: "access" };
    expect(await resumeAndWait(c, "vCont;c")).toMatch(new RegExp(`;awatch:${addr};$`));
  });
});

describe("stop replies for targets that do not tell Z0 from Z1", () => {
  it("reports hwbreak when only a hardware breakpoint sits at eip", async () => {
    const c = await SessionClient.attached();
    c.one("Z1,100010,1");
    // The target reports every breakpoint as software, as the Xen target does.
    c.target.breakpoints[0] = { ...c.target.breakpoints[0], type: "software" };
    expect(await resumeAndWait(c, "vCont;c")).toMatch(/;hwbreak:;$/);
  });
});

describe("linear view of segmented vcpus", () => {
  async function segmented() {
    const c = await SessionClient.attached();
    const regs = c.target.domain(1).regs;
    regs.set("cs_base", 0x11000);
    regs.set("ss_base", 0x20000);
    c.one("Hgp2.1");
    return c;
  }

  it("shows eip as CS.base + eip and esp/ebp as SS.base + esp/ebp, and writes them back as offsets", async () => {
    const c = await segmented();
    const g = c.one("g");
    expect(g.slice(16 * 2, 20 * 2)).toBe(le32(WINDOW_BASE + 0xff00 + 0x20000)); // esp
    expect(g.slice(32 * 2, 36 * 2)).toBe(le32(WINDOW_BASE + 0x11000)); // eip
    expect(c.one("p8")).toBe(le32(WINDOW_BASE + 0x11000));
    expect(c.one(`P8=${le32(WINDOW_BASE + 0x11004)}`)).toBe("OK");
    expect(c.target.domain(1).regs.get("eip")).toBe(WINDOW_BASE + 4);
    expect(c.one(`G${g}`)).toBe("OK");
    expect(c.target.domain(1).regs.get("eip")).toBe(WINDOW_BASE);
    expect(c.target.domain(1).regs.get("esp")).toBe(WINDOW_BASE + 0xff00);
  });

  it("turns a linear step range into eip values and reports the stop linearly", async () => {
    const c = await segmented();
    const stop = await resumeAndWait(c, `vCont;r${(WINDOW_BASE + 0x11000).toString(16)},${(WINDOW_BASE + 0x11008).toString(16)}:p2.1;c`);
    expect(c.target.domain(1).regs.get("eip")).toBe(WINDOW_BASE + 8);
    expect(stop).toContain(`08:${le32(WINDOW_BASE + 0x11008)};`);
  });

  it("monitor linear off shows the raw registers", async () => {
    const c = await segmented();
    expect(consoleText(c.ask(`qRcmd,${hexText("linear off")}`))).toBe("linear view: off\n");
    expect(c.one("p8")).toBe(le32(WINDOW_BASE));
    expect(consoleText(c.ask(`qRcmd,${hexText("linear maybe")}`))).toBe('Cannot set linear view "maybe": expected on or off\n');
  });
});
