import { describe, expect, it } from "vitest";
import { ConsoleScript, parseConsoleScript } from "../../src/xen/console-script.js";
import { SerialConsole } from "../../src/xen/console.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null) => (b === null ? null : String.fromCharCode(...b));

describe("parseConsoleScript()", () => {
  it("reads expect and send lines with escapes, skipping comments and blanks", () => {
    const steps = parseConsoleScript("# demo\n\nexpect login: \nsend root\\r\nsend \\x01\\x01\\x01\n", "s.txt");
    expect(steps).toEqual([
      { kind: "expect", text: "login: " },
      { kind: "send", bytes: enc("root\r") },
      { kind: "send", bytes: Uint8Array.from([1, 1, 1]) },
    ]);
  });

  it("names file and line for a bad line, a bad escape and an empty expect", () => {
    expect(() => parseConsoleScript("expect a\ntype b\n", "s.txt")).toThrow('Cannot read input script "s.txt" line 2: "type b", expected "expect TEXT" or "send TEXT"');
    expect(() => parseConsoleScript("send \\q", "s.txt")).toThrow('Cannot read input script "s.txt" line 1: unknown escape "\\q"');
    expect(() => parseConsoleScript("expect \n", "s.txt")).toThrow(/line 1: expect needs text/);
  });
});

describe("ConsoleScript", () => {
  it("types leading sends at once and each later send when its expect is seen, across chunks", () => {
    const s = new ConsoleScript(parseConsoleScript("send a\nexpect ready\nsend b\\r\nexpect $ \nsend c", "x"));
    expect(dec(s.start())).toBe("a");
    expect(dec(s.observe(enc("boot... rea")))).toBeNull();
    expect(dec(s.observe(enc("dy\n$ ")))).toBe("b\rc");
    expect(s.done).toBe(true);
    expect(s.observe(enc("ready"))).toBeNull();
  });

  it("drives a SerialConsole: input reaches the focused domain right when the prompt is printed", () => {
    const typed: string[] = [];
    const con = new SerialConsole(() => undefined);
    con.addDomain({ domid: 1, name: "g", input: (b) => typed.push(dec(b)!) });
    con.setScript(new ConsoleScript(parseConsoleScript("expect login: \nsend root\\r", "x")));
    con.domainOutput(1, enc("Welcome\n"));
    expect(typed).toEqual([]);
    con.domainOutput(1, enc("login: "));
    expect(typed).toEqual(["root\r"]);
  });
});
