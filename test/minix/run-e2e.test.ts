// End to end as a user works: `minix-on-xen run --config configs/minix.cfg` on port 0, the
// console read and typed over a real TCP socket (what `nc localhost 4445` does), through the
// whole chain: serial line, splitter, Xen's console, the domain controller, CTRLIF and the TTY;
// and the real gdb on the debugger port with the kernel's symbol file.
import { afterEach, describe, expect, it } from "vitest";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const children: ChildProcess[] = [];
const sockets: net.Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of children.splice(0)) c.kill("SIGTERM");
});

function startRun(): Promise<{ gdbPort: number; consolePort: number }> {
  const control = join(mkdtempSync(join(tmpdir(), "minix-run-")), "xm.sock");
  const child = spawn("node", ["dist/src/cli/main.js", "run", "--config", "configs/minix.cfg", "--gdb-port", "0", "--console-port", "0", "--control", control]);
  children.push(child);
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`run printed no ports: ${out}`)), 20_000);
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      const gdb = /gdb: [\d.]+:(\d+)/.exec(out);
      const con = /console: [\d.]+:(\d+)/.exec(out);
      if (gdb && con) {
        clearTimeout(timer);
        resolve({ gdbPort: Number(gdb[1]), consolePort: Number(con[1]) });
      }
    });
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    child.on("exit", (code) => reject(new Error(`run exited with ${code}: ${out}`)));
  });
}

function connectConsole(port: number) {
  const sock = net.connect(port, "127.0.0.1");
  sockets.push(sock);
  let text = "";
  const waiters: Array<() => void> = [];
  sock.on("data", (b: Buffer) => {
    text += b.toString("latin1");
    for (const w of waiters.splice(0)) w();
  });
  return {
    text: () => text,
    type: (s: string) => sock.write(s),
    waitFor: (needle: string, ms = 30_000) =>
      new Promise<void>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`no "${needle}" on the console:\n${text}`)), ms);
        const check = () => {
          if (text.includes(needle)) {
            clearTimeout(timer);
            res();
          } else waiters.push(check);
        };
        check();
      }),
  };
}

describe("minix-on-xen run with MINIX", () => {
  it("shows Xen's log and MINIX's banner on the console port, echoes typed lines, and serves gdb", { timeout: 120_000 }, async () => {
    const { gdbPort, consolePort } = await startRun();
    const con = connectConsole(consolePort);
    await con.waitFor("minix> ");
    expect(con.text()).toContain("(XEN) Xen version 2.0");
    expect(con.text()).toContain("MINIX 3.1.1-xen on Xen.");
    expect(con.text()).toContain("boottest init: done, 0 failures");
    con.type("typed over tcp\r");
    await con.waitFor("boottest init: read 15 bytes: typed over tcp\r\n");
    expect(con.text()).toContain("typed over tcp\r\n");
    // ^C over the socket: the TTY's INTR key reaches the reader's SIGINT catcher through PM.
    await con.waitFor("ticks\r\nminix> "); // the uptime line and the next prompt: init reads again
    con.type("\x03");
    await con.waitFor("^Cboottest init: caught signal 2 (SIGINT) from the console\r\n");
    await con.waitFor("boottest init: read interrupted (-4)\r\nminix> ");

    // The real gdb on the debugger port (bit 7 on the same serial line), with the kernel's symbols.
    // An idle MINIX has no timer armed (tickless idle): a typed key is what wakes the kernel.
    const typer = setInterval(() => con.type("x"), 200);
    const gdbOut = await new Promise<string>((resolve, reject) => {
      execFile(
        "gdb",
        ["-batch", "-nx", "-ex", "file build/minix/kernel.elf", "-ex", `target remote 127.0.0.1:${gdbPort}`,
          "-ex", "break ctrl_if_interrupt", "-ex", "continue", "-ex", "print proc[10].p_name", "-ex", "print realtime > 0",
          "-ex", "delete", "-ex", "detach"],
        { timeout: 60_000 },
        (err, stdout, stderr) => (err && !stdout ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout + stderr)),
      );
    }).finally(() => clearInterval(typer));
    expect(gdbOut).toMatch(/Breakpoint 1, ctrl_if_interrupt/);
    expect(gdbOut).toContain('$1 = "tty');
    expect(gdbOut).toContain("$2 = 1");
    // A second line after gdb detached: MINIX runs on, the reader was revived and asked again.
    con.type("\x15second\r"); // ^U kills the x's typed for gdb
    await con.waitFor("read 7 bytes: second");
  });
});
