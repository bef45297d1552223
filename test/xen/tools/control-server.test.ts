import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { CMSG_CONSOLE, CMSG_CONSOLE_DATA } from "../../../src/xen/abi.js";
import { readConfigFile } from "../../../src/xen/tools/config.js";
import { startControlServer, type ControlServer } from "../../../src/xen/tools/control-server.js";
import { xmConsole, xmRequest } from "../../../src/xen/tools/xm-client.js";
import { GuestControl, makeRig, tinyConfig } from "./xend-rig.js";

const servers: ControlServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

async function serve() {
  const rig = makeRig();
  const path = join(mkdtempSync(join(tmpdir(), "ctl-")), "xend.sock");
  const server = await startControlServer(rig.xend, path);
  servers.push(server);
  return { ...rig, path };
}

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe("control server with xm client", () => {
  it("creates, lists, pauses, destroys and reads dmesg", async () => {
    const { path } = await serve();
    const created = await xmRequest(path, { op: "create", config: tinyConfig("web"), overrides: ["memory=5"] });
    expect(created).toMatchObject({ ok: true, domain: { id: 1, name: "web", memoryMiB: 5 } });
    expect(await xmRequest(path, { op: "list" })).toMatchObject({ ok: true, domains: [{ id: 1, name: "web", state: "runnable" }] });
    expect(await xmRequest(path, { op: "pause", domain: "web" })).toMatchObject({ ok: true, domain: { state: "paused" } });
    const dmesg = await xmRequest(path, { op: "dmesg" });
    expect(dmesg.ok && dmesg.text).toContain("(XEN) Domain 1 (web) created: 5 MiB");
    expect(await xmRequest(path, { op: "destroy", domain: "1" })).toMatchObject({ ok: true, domain: { name: "web" } });
    expect(await xmRequest(path, { op: "list" })).toEqual({ ok: true, domains: [] });
  });

  it("returns the host's error for a bad request and keeps serving", async () => {
    const { path } = await serve();
    expect(await xmRequest(path, { op: "destroy", domain: "9" })).toEqual({ ok: false, error: 'Cannot find domain "9": no such domain (see xm list)' });
    const bad = await xmRequest(path, { op: "create", config: "/no/such.cfg", overrides: [] });
    expect(bad).toEqual({ ok: false, error: 'Cannot read config "/no/such.cfg": no such file' });
    const raw = await new Promise<string>((resolve) => {
      const s = net.connect(path, () => s.write("garbage\n"));
      let got = "";
      s.on("data", (c) => (got += c));
      s.on("end", () => resolve(got));
    });
    expect(JSON.parse(raw)).toEqual({ ok: false, error: 'Cannot read control request: not JSON: "garbage"' });
    expect(await xmRequest(path, { op: "list" })).toEqual({ ok: true, domains: [] });
  });

  it("answers every malformed request with an error and never stops serving", async () => {
    const { path } = await serve();
    const ask = (payload: string) =>
      new Promise<string>((resolve) => {
        const s = net.connect(path, () => s.write(payload));
        let got = "";
        s.on("data", (c) => (got += c));
        s.on("close", () => resolve(got));
        s.on("error", () => resolve(got));
      });
    const junk = ['{"op":', "null\n", '{"op":"create","config":7}\n', '{"op":"console"}\n', "\u0000\u00ff\n", '{"op":"list","x":[[[[]]]]}\n'];
    for (const j of junk) {
      const reply = await ask(j.endsWith("\n") ? j : j + "\n");
      expect(JSON.parse(reply)).toHaveProperty("ok");
    }
    const long = await ask("x".repeat(70 * 1024));
    expect(JSON.parse(long)).toEqual({ ok: false, error: "Cannot read control request: line too long" });
    expect(await xmRequest(path, { op: "list" })).toEqual({ ok: true, domains: [] });
  });

  it("refuses to start a second server on a live socket and replaces a stale one", async () => {
    const { path, xend } = await serve();
    await expect(startControlServer(xend, path)).rejects.toThrow(`Cannot listen on control socket "${path}": another host is running there`);
    const stale = join(mkdtempSync(join(tmpdir(), "ctl-")), "stale.sock");
    writeFileSync(stale, "");
    const s2 = await startControlServer(xend, stale);
    servers.push(s2);
    expect(await xmRequest(stale, { op: "list" })).toEqual({ ok: true, domains: [] });
  });

  it("reports an absent host clearly", async () => {
    await expect(xmRequest("/tmp/definitely-not-a-host.sock", { op: "list" })).rejects.toThrow(
      'Cannot reach host at "/tmp/definitely-not-a-host.sock": no host is running there',
    );
  });

  it("xm console shows history, streams output, sends typed bytes and detaches on Ctrl-]", async () => {
    const { path, xend, host, domain } = await serve();
    xend.create(readConfigFile(tinyConfig("c1")));
    const g = new GuestControl(host, domain(1));
    g.send(CMSG_CONSOLE, CMSG_CONSOLE_DATA, new TextEncoder().encode("boot line\n"));
    const input = new PassThrough();
    const output = new PassThrough();
    const notes = new PassThrough();
    let out = "";
    output.on("data", (c) => (out += c));
    let noteText = "";
    notes.on("data", (c) => (noteText += c));
    const done = xmConsole(path, "c1", { input, output, notes });
    await until(() => out.includes("boot line\n"), "history");
    g.send(CMSG_CONSOLE, CMSG_CONSOLE_DATA, new TextEncoder().encode("$ "));
    await until(() => out.endsWith("$ "), "live output");
    input.write("echo hi\r");
    let typed: Array<[number, number, string]> = [];
    await until(() => (typed = typed.concat(g.receive())).length > 0, "typed input");
    expect(typed.map((t) => t[2]).join("")).toBe("echo hi\r");
    input.write(Buffer.from([0x1d]));
    await done;
    expect(noteText).toContain("Attached to domain 1 (c1)");
    expect(noteText).toContain("Detached.");
  });

  it("xm console ends when the domain is destroyed, and fails for an unknown domain", async () => {
    const { path, xend } = await serve();
    xend.create(readConfigFile(tinyConfig("c2")));
    const io = { input: new PassThrough(), output: new PassThrough(), notes: new PassThrough() };
    let noteText = "";
    io.notes.on("data", (c) => (noteText += c));
    const done = xmConsole(path, "c2", io);
    await until(() => noteText.includes("Attached"), "attach");
    xend.destroy("c2");
    await done;
    expect(noteText).toContain("Console closed by the host");
    await expect(xmConsole(path, "nope", io)).rejects.toThrow('Cannot find domain "nope"');
  });
});
