import { describe, expect, it } from "vitest";
import { CMSG_CONSOLE, CMSG_CONSOLE_DATA, CMSG_SHUTDOWN, CMSG_SHUTDOWN_POWEROFF, CMSG_SHUTDOWN_REBOOT, SHARED_INFO, SHUTDOWN_poweroff, SHUTDOWN_reboot, START_INFO } from "../../../src/xen/abi.js";
import { readConfigFile } from "../../../src/xen/tools/config.js";
import { registerBuilder, builderNames } from "../../../src/xen/tools/builder.js";
import { buildElfDomain } from "../../../src/xen/tools/elf-builder.js";
import { GuestControl, makeRig, startInfoField, tinyConfig, writeConfig, TINY_KERNEL } from "./xend-rig.js";

const enc = (s: string) => new TextEncoder().encode(s);

describe("Xend.create()", () => {
  it("builds an ELF domain that passes Xen's page-table validation and starts it", () => {
    const { xend, host, text, domain } = makeRig();
    const row = xend.create(readConfigFile(writeConfig(`kernel='${TINY_KERNEL}'\nmemory=4\nname='tiny'\ncmdline='x=1'\n`)));
    expect(row).toMatchObject({ id: 1, name: "tiny", memoryMiB: 4, builder: "linux", state: "runnable" });
    const d = domain(1);
    expect(d.vcpu.regs.eip >>> 0).toBe(0xc0000000);
    expect(startInfoField(host, d, START_INFO.nr_pages)).toBe(1024);
    expect(startInfoField(host, d, START_INFO.shared_info)).toBe(d.sharedInfoMfn * 4096);
    expect(startInfoField(host, d, START_INFO.domain_controller_evtchn, 2)).toBeGreaterThan(0);
    expect(text()).toContain("(XEN) Domain 1 built: entry c0000000");
    expect(text()).toContain("(XEN) Domain 1 (tiny) created: 4 MiB, builder 'linux'");
    expect(xend.list().map((r) => r.name)).toEqual(["tiny"]);
  });

  it("refuses a taken name, an unknown builder, a missing kernel and too much memory, leaving no domain behind", () => {
    const { xend, host, create } = makeRig();
    create("a");
    const free = host.core.pool.freeCount;
    expect(() => create("a")).toThrow('Cannot create domain "a": a domain of that name exists (id 1)');
    // Each error also names the config file and the line of the setting at fault.
    const plan9 = writeConfig(`kernel='${TINY_KERNEL}'\nbuilder='plan9'\nmemory=4`);
    expect(() => xend.create(readConfigFile(plan9))).toThrow(/no builder "plan9" \(registered: linux.*\)/);
    expect(() => xend.create(readConfigFile(plan9))).toThrow(new RegExp(` \\(${plan9} line 2\\)$`));
    const nope = writeConfig(`# a kernel that is not there\nmemory=4\nkernel='nope.elf'`);
    expect(() => xend.create(readConfigFile(nope))).toThrow(/^Cannot read kernel ".*nope.elf": no such file \(.*t\.cfg line 3\)$/);
    expect(() => create("big", 200)).toThrow(/^Cannot create domain "big": 200 MiB asked.* \(.*big\.cfg line 2\)$/);
    expect(() => create("tiny", 1)).toThrow(/needs 4 MiB, the domain has 1 MiB.* \(.*tiny\.cfg line 1\)$/);
    // Settings given on the command line have no line.
    expect(() => xend.create(readConfigFile(tinyConfig("x", 4), ["kernel=gone.elf"]))).toThrow(/no such file \(.*x\.cfg\)$/);
    expect(host.core.pool.freeCount).toBe(free);
    expect(xend.list().map((r) => r.id)).toEqual([1]);
  });
});

describe("Xend builder registry", () => {
  it("builds with whatever builder the config names, as a later MINIX builder will plug in", () => {
    const { xend, host, domain } = makeRig();
    const seen: string[] = [];
    if (!builderNames().includes("test-wrapped")) {
      registerBuilder({
        name: "test-wrapped",
        description: "the ELF builder, recording what it was asked",
        build: (req) => {
          seen.push(`${req.config.extra}|${req.p2mMfn.length}|${req.controlEvtchnPort}`);
          return buildElfDomain({ ...req, cmdline: "wrapped" });
        },
      });
    }
    xend.create(readConfigFile(writeConfig(`kernel='${TINY_KERNEL}'\nbuilder='test-wrapped'\nmemory=4\nextra='rootdev=896'\n`)));
    expect(seen).toEqual([`rootdev=896|1024|${startInfoField(host, domain(1), START_INFO.domain_controller_evtchn, 2)}`]);
    const cmd = [0, 1, 2, 3, 4, 5, 6].map((i) => startInfoField(host, domain(1), START_INFO.cmd_line + i, 2) & 0xff);
    expect(String.fromCharCode(...cmd)).toBe("wrapped");
  });
});

describe("Xend console plumbing", () => {
  it("sends guest console output to the serial console while focused, to attached consoles, and keeps history", () => {
    const { xend, host, text, create, domain } = makeRig();
    create("one");
    const g = new GuestControl(host, domain(1));
    g.send(CMSG_CONSOLE, CMSG_CONSOLE_DATA, enc("early\n"));
    expect(g.txResponses()).toBe(1);
    expect(text().endsWith("early\n")).toBe(true);
    const seen: string[] = [];
    const att = xend.attachConsole("one", (b) => seen.push(Buffer.from(b).toString()), () => undefined);
    expect(Buffer.from(att.history).toString()).toBe("early\n");
    g.send(CMSG_CONSOLE, CMSG_CONSOLE_DATA, enc("late\n"));
    expect(seen).toEqual(["late\n"]);
    att.close();
    g.send(CMSG_CONSOLE, CMSG_CONSOLE_DATA, enc("after\n"));
    expect(seen).toEqual(["late\n"]);
    expect(Buffer.from(xend.recentConsole(1)).toString()).toBe("early\nlate\nafter\n");
  });

  it("delivers serial input to the focused domain's rx ring and raises its control port", () => {
    const { console, host, create, domain } = makeRig();
    create("one");
    create("two");
    const g1 = new GuestControl(host, domain(1));
    const g2 = new GuestControl(host, domain(2));
    g1.clearPending();
    console.receive(enc("ls\r"));
    expect(g1.portPending()).toBe(true);
    expect(g1.receive()).toEqual([[CMSG_CONSOLE, CMSG_CONSOLE_DATA, "ls\r"]]);
    console.receive(Uint8Array.from([1, 1, 1]));
    console.receive(enc("pwd"));
    expect(g2.receive()).toEqual([[CMSG_CONSOLE, CMSG_CONSOLE_DATA, "pwd"]]);
    expect(g1.receive()).toEqual([]);
  });

  it("writes typed bytes from an attached console to the domain", () => {
    const { xend, host, create, domain } = makeRig();
    create("one");
    create("two");
    const att = xend.attachConsole("2", () => undefined, () => undefined);
    att.write(enc("x"));
    expect(new GuestControl(host, domain(2)).receive()).toEqual([[CMSG_CONSOLE, CMSG_CONSOLE_DATA, "x"]]);
  });
});

describe("Xend console history", () => {
  it("keeps only the last CONSOLE_HISTORY_BYTES of a domain's output, whole chunks", () => {
    const { xend, host, create, domain } = makeRig();
    create("one");
    const g = new GuestControl(host, domain(1));
    for (let i = 0; i < 400; i++) g.send(CMSG_CONSOLE, CMSG_CONSOLE_DATA, enc(`line ${String(i).padStart(4, "0")} ${"x".repeat(40)}\n`));
    const h = Buffer.from(xend.recentConsole("one")).toString();
    expect(h.length).toBeLessThanOrEqual(16 * 1024);
    expect(h.length).toBeGreaterThan(16 * 1024 - 60);
    expect(h.endsWith(`line 0399 ${"x".repeat(40)}\n`)).toBe(true);
    expect(h.startsWith("line ")).toBe(true);
  });
});

describe("Xend lifecycle", () => {
  it("pauses, unpauses and destroys, giving every frame back", () => {
    const { xend, host, create } = makeRig();
    const free = host.core.pool.freeCount;
    create("one");
    expect(xend.pause("one").state).toBe("paused");
    expect(xend.unpause(1).state).toBe("runnable");
    xend.destroy("one");
    expect(xend.list()).toEqual([]);
    expect(host.core.pool.freeCount).toBe(free);
    expect(() => xend.pause("one")).toThrow('Cannot find domain "one": no such domain (see xm list)');
  });

  it("asks the guest to shut down with CMSG_SHUTDOWN and cleans up when it does", () => {
    const { xend, host, text, create, domain } = makeRig();
    create("one");
    const d = domain(1);
    const g = new GuestControl(host, d);
    xend.shutdown("one");
    xend.shutdown("one", "reboot");
    expect(g.receive()).toEqual([
      [CMSG_SHUTDOWN, CMSG_SHUTDOWN_POWEROFF, ""],
      [CMSG_SHUTDOWN, CMSG_SHUTDOWN_REBOOT, ""],
    ]);
    const exits: string[] = [];
    xend.attachConsole("one", () => undefined, (why) => exits.push(why));
    host.shutdownDomain(d, SHUTDOWN_poweroff);
    expect(exits).toEqual(["poweroff"]);
    expect(xend.list()).toEqual([]);
    expect(text()).toContain("(XEN) Domain 1 shutdown: poweroff");
  });

  it("keeps a crashed domain listed for inspection until destroyed, and gives input focus back to Xen", () => {
    const { xend, console, host, text, create, domain } = makeRig();
    create("one");
    const exits: string[] = [];
    xend.attachConsole("one", () => undefined, (why) => exits.push(why));
    const free = host.core.pool.freeCount;
    host.crashDomain(domain(1), "test");
    expect(xend.list()).toMatchObject([{ id: 1, name: "one", state: "crashed" }]);
    expect(exits).toEqual(["crash"]);
    expect(console.getFocus()).toEqual({ kind: "xen" });
    expect(text()).toContain("(XEN) *** Serial input -> Xen.\n");
    xend.destroy("one");
    expect(xend.list()).toEqual([]);
    expect(host.core.pool.freeCount).toBeGreaterThan(free);
  });

  it("restarts a domain that rebooted (restart='onreboot') and one that crashed with restart='always'", async () => {
    const { xend, host, text, domain } = makeRig();
    xend.create(readConfigFile(writeConfig(`kernel='${TINY_KERNEL}'\nmemory=4\nname='rb'\n`)));
    xend.create(readConfigFile(writeConfig(`kernel='${TINY_KERNEL}'\nmemory=4\nname='al'\nrestart='always'\n`)));
    xend.create(readConfigFile(writeConfig(`kernel='${TINY_KERNEL}'\nmemory=4\nname='nv'\nrestart='never'\n`)));
    host.shutdownDomain(domain(1), SHUTDOWN_reboot);
    host.crashDomain(domain(2), "test");
    host.shutdownDomain(domain(3), SHUTDOWN_reboot);
    await new Promise((r) => setImmediate(r));
    expect(xend.list().map((d) => [d.id, d.name, d.state])).toEqual([
      [4, "rb", "runnable"],
      [5, "al", "runnable"],
    ]);
    expect(text()).toContain("(XEN) Domain rb restarted as domain 4 (restart='onreboot')");
    expect(text()).toContain("(XEN) Domain al restarted as domain 5 (restart='always')");
  });

  it("answers Xen's 'q' key with the domain list and VIRQ_DEBUG to each guest", () => {
    const rig2 = makeRig();
    const { console, text, create } = rig2;
    create("one");
    console.receive(Uint8Array.from([1, 1, 1]));
    const { host, domain } = rig2;
    const pending = () => host.mem.read32(domain(1).sharedInfoMfn * 4096 + SHARED_INFO.evtchn_pending) & 1;
    expect(pending()).toBe(0);
    console.receive(enc("q"));
    expect(text()).toContain("(XEN) Domain 1 (one): 4 MiB, runnable, builder 'linux'");
    // VIRQ_DEBUG is unbound in the tiny guest, so it lands on port 0 (VIRQ_MISDIRECT).
    expect(pending()).toBe(1);
  });
});
