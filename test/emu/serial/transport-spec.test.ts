import { describe, expect, it } from "vitest";
import { formatTransport, parseTransport } from "../../../src/emu/serial/index.js";

describe("parseTransport()", () => {
  it("reads every transport kind", () => {
    expect(parseTransport("tcp:localhost:5555")).toEqual({ kind: "tcp", host: "localhost", port: 5555 });
    expect(parseTransport("tcp:[::1]:7")).toEqual({ kind: "tcp", host: "::1", port: 7 });
    expect(parseTransport("tcp-listen:0")).toEqual({ kind: "tcp-listen", host: "127.0.0.1", port: 0 });
    expect(parseTransport("tcp-listen:0.0.0.0:99")).toEqual({ kind: "tcp-listen", host: "0.0.0.0", port: 99 });
    expect(parseTransport("unix:/tmp/a:b")).toEqual({ kind: "unix", path: "/tmp/a:b" });
    expect(parseTransport("unix-listen:rel/sock")).toEqual({ kind: "unix-listen", path: "rel/sock" });
    expect(parseTransport("/dev/pts/3")).toEqual({ kind: "tty", path: "/dev/pts/3" });
    expect(parseTransport("./pty0")).toEqual({ kind: "tty", path: "./pty0" });
  });

  it("rejects bad names with a clear error", () => {
    expect(() => parseTransport("serial0")).toThrow(/Cannot use serial transport "serial0": no transport kind/);
    expect(() => parseTransport("udp:1:2")).toThrow(/unknown kind "udp"/);
    expect(() => parseTransport("tcp:host")).toThrow(/HOST:PORT expected/);
    expect(() => parseTransport("tcp:h:0")).toThrow(/port 0 is out of range/);
    expect(() => parseTransport("tcp-listen:70000")).toThrow(/out of range/);
    expect(() => parseTransport("tcp-listen:ab")).toThrow(/port "ab" is not a number/);
    expect(() => parseTransport("unix:")).toThrow(/no socket path/);
  });

  it("formatTransport() reads back to the same spec", () => {
    for (const t of ["tcp:h:1", "tcp:[::1]:2", "tcp-listen:127.0.0.1:0", "unix:/x", "unix-listen:/y", "/dev/ttyS0"]) {
      expect(parseTransport(formatTransport(parseTransport(t)))).toEqual(parseTransport(t));
    }
  });
});
