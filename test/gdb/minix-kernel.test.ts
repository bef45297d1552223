// The real gdb on the MINIX kernel's symbol file, through the GDB stub inside the emulated Xen:
// a gdb Python script (minix-kernel.py) breaks in xen_cstart and in the clock's tick handler,
// prints the process table, steps through a hypercall to its return, and breaks in the TTY
// driver on a typed key (the kernel's control-interface handler, then the ring-3 TTY process).
// A missing gdb fails the test.
import { afterEach, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { createSerialPair } from "../../src/emu/serial/index.js";
import { startGdbServer, type GdbServer } from "../../src/gdbstub/index.js";
import { XenDebugTarget } from "../../src/xen/debug-target.js";
import { readConfigFile } from "../../src/xen/tools/config.js";
import { startTestingComputer, type TestingComputer } from "../../src/xen/tools/testing-computer.js";
import { readFileSync } from "node:fs";
import { readImage } from "../../src/minix/image.js";
import { FLAT_RING1_CS, FLAT_RING1_DS } from "../../src/xen/abi.js";
import { KERNEL_CS_DESCRIPTOR, KERNEL_DS_DESCRIPTOR, planMinixLayout } from "../../src/minix/builder.js";

let tc: TestingComputer | null = null;
let server: GdbServer | null = null;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await server?.close();
  await tc?.stop();
  for (const c of closers.splice(0)) await c();
  server = null;
  tc = null;
});

describe("gdb on the MINIX kernel", () => {
  it("breaks in start-up and the tick handler, prints the process table, steps a hypercall, breaks on a typed key", { timeout: 120_000 }, async () => {
    const pair = createSerialPair();
    closers.push(async () => {
      await Promise.all([pair.testing.close(), pair.development.close()]);
    });
    pair.development.setReceiver((chunk) => {
      if (process.env.SHOW_GDB) process.stdout.write(`[console] ${JSON.stringify(chunk.toString("latin1"))}\n`);
    });
    tc = await startTestingComputer(pair.testing, { baud: 0, configs: [], controlPath: null, timeMode: "interactive" });
    server = await startGdbServer({ target: new XenDebugTarget(tc.host) });
    // Created with the host stopped, so gdb sees the domain before its first instruction.
    tc.host.stopHost();
    tc.xend.create(readConfigFile(resolve("configs/minix.cfg")));

    const gdb = spawn("gdb", ["-batch", "-nx", "-x", "test/gdb/minix-kernel.py"], {
      env: { ...process.env, MINIX_GDB_PORT: String(server.port) },
    });
    let out = "";
    let typer: NodeJS.Timeout | null = null;
    gdb.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      if (process.env.SHOW_GDB) process.stdout.write(b.toString());
      if (typer === null && out.includes("READY-FOR-KEY")) {
        typer = setInterval(() => pair.development.write(new Uint8Array([0x6b])), 100);
      }
    });
    gdb.stderr.on("data", (b: Buffer) => {
      out += b.toString();
      if (process.env.SHOW_GDB) process.stdout.write(b.toString());
    });
    const code = await new Promise<number | null>((res, rej) => {
      gdb.on("error", rej);
      gdb.on("close", res);
    }).finally(() => {
      if (typer !== null) clearInterval(typer);
    });
    const results = new Map([...out.matchAll(/^RESULT (\S+) (.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(code, out).toBe(0);
    expect(out).toContain("DONE");
    // Report 5.2.5 in the running domain: entry at VA 0 on Xen's flat ring-1 selectors, esi = the
    // start information, the stack at the top of the page after it.
    const layout = planMinixLayout(readImage(new Uint8Array(readFileSync("build/minix/image"))), 5120, "image");
    const hx = (n: number) => "0x" + n.toString(16);
    expect(["eip", "esi", "esp", "cs", "ds", "ss", "es"].map((r) => results.get(`entry-${r}`))).toEqual(
      [0, layout.startInfoVa, layout.stackTopVa, FLAT_RING1_CS, FLAT_RING1_DS, FLAT_RING1_DS, FLAT_RING1_DS].map(hx),
    );
    expect(results.get("cstart-function")).toBe("xen_cstart");
    expect(results.get("cstart-nr-procs")).toBe("5");
    expect(results.get("cstart-cs")).toBe("0x9");
    // At the C start-up the builder's ring-1 descriptors are live: base 0, limit 0xFC3FF pages (Xen's most).
    const hex = ([lo, hi]: readonly [number, number]) => `${hi.toString(16).padStart(8, "0")}_${lo.toString(16).padStart(8, "0")}`;
    expect(results.get("cstart-gdt-kernel-cs")).toBe(hex(KERNEL_CS_DESCRIPTOR));
    expect(results.get("cstart-gdt-kernel-ds")).toBe(hex(KERNEL_DS_DESCRIPTOR));
    expect(results.get("tick-function")).toBe("clock_handler");
    expect(results.get("tick-advanced")).toBe("True");
    expect(results.get("proc-tty-name")).toBe("tty");
    // The TTY's data segment starts where the builder placed it (its text, for common I&D).
    const image = readImage(new Uint8Array(readFileSync("build/minix/image")));
    const ttyVa = planMinixLayout(image, 5120, "image").processes.find((p) => p.name === "tty")!.baseVa;
    expect(results.get("proc-tty-base")).toBe("0x" + (ttyVa >>> 12).toString(16));
    expect(results.get("proc-idle-nr")).toBe("-5");
    expect(results.get("proc-clock-name")).toBe("CLOCK");
    // `p proc` prints every slot (NR_TASKS + NR_PROCS), `p proc[10]` the TTY's with its fields.
    expect(Number(results.get("p-proc-slots"))).toBe(5 + 100);
    expect(results.get("p-proc-has-tty")).toBe("True");
    expect(results.get("p-proc-10")).toMatch(/^\$\d+ = \{.*p_nr = 5,.*p_memmap = .*p_name = "tty\\000/);
    expect(results.get("hypercall-int-found")).toBe("True");
    expect(results.get("hypercall-returned-to")).toBe("0x2");
    expect(results.get("hypercall-back-in")).toMatch(/^hypercall$|^restart_prepare$|^hypervisor_/);
    expect(results.get("proxy-caller-ring")).toBe("2");
    expect(results.get("proxy-caller-is-task")).toBe("True");
    // sched_op, set_timer_op, evtchn, version, console, and update_descriptor (SYSTEM writing a
    // forked or exec'd process's GDT entries)
    expect([6, 10, 15, 16, 17, 18]).toContain(Number(results.get("proxy-op")));
    expect(results.get("key-function")).toBe("ctrl_if_interrupt");
    expect(results.get("key-cs")).toBe("0x9");
    expect(results.get("key-handler-of")).toBe("CTRLIF");
    expect(results.get("tty-function")).toBe("in_process");
    expect(results.get("tty-ring")).toBe("3");
    expect(results.get("tty-pc-linear")).toBe("True");
    expect(results.get("tty-char")).toBe(String(0x6b)); // the typed 'k'
    expect(Number(results.get("tty-count"))).toBeGreaterThanOrEqual(1);
  });
});
