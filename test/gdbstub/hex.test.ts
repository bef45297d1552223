import { describe, expect, it } from "vitest";
import { asciiText, bytesToHex, hexToBytes, hexToRegister, parseHex32, registerToHex, textToHex } from "../../src/gdbstub/hex.js";
import { formatThreadId, parseThreadId, selects } from "../../src/gdbstub/thread-id.js";
import { threadsXml, xmlText } from "../../src/gdbstub/target-xml.js";

describe("hex helpers", () => {
  it("parseHex32() takes 1-8 significant hex digits and refuses the rest", () => {
    expect(parseHex32("0")).toBe(0);
    expect(parseHex32("ffffffff")).toBe(0xffffffff);
    expect(parseHex32("00000000ffffffff")).toBe(0xffffffff);
    expect(parseHex32("DeadBeef")).toBe(0xdeadbeef);
    for (const bad of ["", "-1", "100000000", "0x10", "1 ", "g"]) expect(() => parseHex32(bad), bad).toThrow(SyntaxError);
  });

  it("round-trips bytes and refuses odd or non-hex input", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect([...hexToBytes(bytesToHex(all))]).toEqual([...all]);
    expect(() => hexToBytes("abc")).toThrow(SyntaxError);
    expect(() => hexToBytes("zz")).toThrow(SyntaxError);
  });

  it("encodes registers little-endian and 'xx' when unavailable", () => {
    expect(registerToHex(0x12345678, 32)).toBe("78563412");
    expect(registerToHex(undefined, 80)).toBe("xx".repeat(10));
    expect(registerToHex(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 80)).toBe("0102030405060708090a");
    expect(hexToRegister("78563412", 32)).toBe(0x12345678);
    expect(hexToRegister("xxxxxxxx", 32)).toBeUndefined();
    expect(hexToRegister("0102030405060708090a", 80)).toEqual(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
    expect(() => hexToRegister("1234", 32)).toThrow(SyntaxError);
  });

  it("makes console text printable ASCII", () => {
    expect(asciiText("caf\u00e9\u0007 ok\n")).toBe("caf?? ok\n");
    expect(textToHex("A\u00ff")).toBe("413f");
  });
});

describe("thread ids", () => {
  it("parses multiprocess, bare, 'any' and 'all' ids and formats pid = domain + 1", () => {
    expect(parseThreadId("p2.1")).toEqual({ pid: 2, tid: 1 });
    expect(parseThreadId("p-1.-1")).toEqual({ pid: -1, tid: -1 });
    expect(parseThreadId("p3")).toEqual({ pid: 3, tid: -1 });
    expect(parseThreadId("0")).toEqual({ pid: null, tid: 0 });
    expect(formatThreadId({ domain: 15, vcpu: 0 })).toBe("p10.1");
    expect(() => parseThreadId("p.1")).toThrow(SyntaxError);
    expect(selects({ pid: 2, tid: 1 }, { domain: 1, vcpu: 0 })).toBe(true);
    expect(selects({ pid: 2, tid: 1 }, { domain: 0, vcpu: 0 })).toBe(false);
    expect(selects({ pid: -1, tid: -1 }, { domain: 5, vcpu: 0 })).toBe(true);
  });
});

describe("threadsXml()", () => {
  it("escapes names for XML and keeps them ASCII", () => {
    expect(xmlText('a<b>&"\u00e9')).toBe("a&lt;b&gt;&amp;&quot;?");
    const xml = threadsXml([{ ref: { domain: 1, vcpu: 0 }, domainName: "<evil>\u00ff", state: "running" }]);
    expect(xml).toContain('<thread id="p2.1" core="0" name="&lt;evil&gt;?">domain 1 vcpu 0: running</thread>');
    expect([...xml].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
  });
});
