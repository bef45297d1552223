import { describe, expect, it } from "vitest";
import { tmpdir } from "node:os";
import { defaultControlPath, formatDomainList, parseControlReply, parseControlRequest } from "../../../src/xen/tools/control-protocol.js";

describe("parseControlRequest()", () => {
  it("accepts each op with its arguments", () => {
    expect(parseControlRequest('{"op":"list"}')).toEqual({ op: "list" });
    expect(parseControlRequest('{"op":"dmesg"}')).toEqual({ op: "dmesg" });
    expect(parseControlRequest('{"op":"create","config":"/a/b.cfg"}')).toEqual({ op: "create", config: "/a/b.cfg", overrides: [] });
    expect(parseControlRequest('{"op":"create","config":"/a/b.cfg","overrides":["memory=8"]}')).toEqual({ op: "create", config: "/a/b.cfg", overrides: ["memory=8"] });
    expect(parseControlRequest('{"op":"destroy","domain":3}')).toEqual({ op: "destroy", domain: "3" });
    expect(parseControlRequest('{"op":"console","domain":"hello"}')).toEqual({ op: "console", domain: "hello" });
    expect(parseControlRequest('{"op":"shutdown","domain":"1"}')).toEqual({ op: "shutdown", domain: "1", reason: "poweroff" });
    expect(parseControlRequest('{"op":"shutdown","domain":"1","reason":"reboot"}')).toEqual({ op: "shutdown", domain: "1", reason: "reboot" });
  });

  it("rejects malformed requests with a reason", () => {
    expect(() => parseControlRequest("list")).toThrow(/not JSON/);
    expect(() => parseControlRequest("[1]")).toThrow(/not a JSON object/);
    expect(() => parseControlRequest('{"op":"reboot"}')).toThrow(/unknown op "reboot"/);
    expect(() => parseControlRequest('{"op":"pause"}')).toThrow(/pause needs a domain id or name/);
    expect(() => parseControlRequest('{"op":"create"}')).toThrow(/create needs a config path/);
    expect(() => parseControlRequest('{"op":"create","config":"x","overrides":[1]}')).toThrow(/overrides must be a list of strings/);
    expect(() => parseControlRequest('{"op":"shutdown","domain":1,"reason":"halt"}')).toThrow(/shutdown reason "halt"/);
  });
});

describe("parseControlReply()", () => {
  it("accepts ok and error replies and rejects others", () => {
    expect(parseControlReply('{"ok":true,"text":"x"}')).toEqual({ ok: true, text: "x" });
    expect(parseControlReply('{"ok":false,"error":"Cannot x: y"}')).toEqual({ ok: false, error: "Cannot x: y" });
    expect(() => parseControlReply('{"ok":false}')).toThrow(/error without a message/);
    expect(() => parseControlReply("{}")).toThrow(/no ok field/);
  });
});

describe("defaultControlPath()", () => {
  it("uses $MINIX_ON_XEN_CONTROL, else a per-user path in the temp dir", () => {
    const saved = process.env.MINIX_ON_XEN_CONTROL;
    try {
      process.env.MINIX_ON_XEN_CONTROL = "/x/y.sock";
      expect(defaultControlPath()).toBe("/x/y.sock");
      delete process.env.MINIX_ON_XEN_CONTROL;
      expect(defaultControlPath().startsWith(tmpdir())).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.MINIX_ON_XEN_CONTROL;
      else process.env.MINIX_ON_XEN_CONTROL = saved;
    }
  });
});

describe("formatDomainList()", () => {
  const d = { id: 1, name: "hello", memoryMiB: 4, state: "blocked", cpuSeconds: 1.5, builder: "linux", kernel: "/k" };
  it("prints Xen 2.0's columns with Domain-0 first and the five-letter state", () => {
    const out = formatDomainList([d, { ...d, id: 2, name: "bad", state: "crashed" }]).split("\n");
    expect(out[0]).toBe("Name              Id  Mem(MB)  CPU  State  Time(s)");
    expect(out[1]).toMatch(/^Domain-0\s+0\s+0\s+0\s+r----\s+0\.0$/);
    expect(out[2]).toMatch(/^hello\s+1\s+4\s+0\s+-b---\s+1\.5$/);
    expect(out[3]).toMatch(/^bad\s+2\s+4\s+0\s+----c\s+1\.5$/);
  });

  it("adds builder and kernel in the long form", () => {
    expect(formatDomainList([d], true).split("\n")[2]).toMatch(/-b---\s+1\.5\s+linux\s+\/k$/);
  });
});
