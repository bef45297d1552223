import { describe, expect, it } from "vitest";
import { SerialConsole, CONRING_SIZE } from "../../src/xen/console.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function rig() {
  const uart: number[] = [];
  const con = new SerialConsole((b) => uart.push(...b));
  const typed: Record<number, string> = {};
  const add = (domid: number, name: string) =>
    con.addDomain({ domid, name, input: (b) => (typed[domid] = (typed[domid] ?? "") + dec(b)) });
  const text = () => dec(Uint8Array.from(uart));
  const clear = () => (uart.length = 0);
  return { con, uart, typed, add, text, clear };
}

describe("SerialConsole output", () => {
  it("printk() prefixes each line with (XEN) and keeps it for dmesg", () => {
    const { con, text } = rig();
    con.printk("Xen version 2.0\nScheduler: round robin\n");
    expect(text()).toBe("(XEN) Xen version 2.0\n(XEN) Scheduler: round robin\n");
    expect(con.dmesg()).toBe(text());
  });

  it("printk() starts on a fresh line after a guest's unfinished line", () => {
    const { con, add, text } = rig();
    add(1, "hello");
    con.domainOutput(1, enc("login: "));
    con.printk("tick");
    expect(text().endsWith("login: \n(XEN) tick\n")).toBe(true);
  });

  it("sends a domain's console to the UART only while it holds focus", () => {
    const { con, add, text, clear } = rig();
    add(1, "a");
    add(2, "b");
    clear();
    con.domainOutput(1, enc("one"));
    con.domainOutput(2, enc("two"));
    expect(text()).toBe("one");
  });

  it("passes console_io output through and clears bit 7 on all console text", () => {
    const { con, uart } = rig();
    con.consoleIo(1, Uint8Array.from([0x41, 0xc1, 0x0a]));
    expect(uart).toEqual([0x41, 0x41, 0x0a]);
  });

  it("debugTransmit() sets bit 7 on every byte", () => {
    const { con, uart } = rig();
    con.debugTransmit(enc("$OK#9a"));
    expect(uart).toEqual([..."$OK#9a"].map((c) => c.charCodeAt(0) | 0x80));
  });

  it("keeps only the last CONRING_SIZE bytes of the log", () => {
    const { con } = rig();
    for (let i = 0; i < 2000; i++) con.printk(`line ${i}`);
    expect(con.dmesg().length).toBe(CONRING_SIZE);
    expect(con.dmesg().endsWith("(XEN) line 1999\n")).toBe(true);
  });
});

describe("SerialConsole input", () => {
  it("gives input focus to the first domain and announces it", () => {
    const { con, add, typed, text } = rig();
    add(1, "hello");
    expect(text()).toBe("(XEN) *** Serial input -> DOM1 (hello) (type 'CTRL-a' three times to switch input to Xen).\n");
    con.receive(enc("ls\r"));
    expect(typed[1]).toBe("ls\r");
  });

  it("routes bytes with bit 7 set to the debugger, stripped, and the rest to the console, in order", () => {
    const { con, add, typed } = rig();
    add(1, "hello");
    const dbg: number[] = [];
    con.setDebugEndpoint((b) => dbg.push(...b));
    con.receive(Uint8Array.from([0x61, 0xa4, 0xbf, 0x62, 0xa3]));
    expect(typed[1]).toBe("ab");
    expect(dbg).toEqual([0x24, 0x3f, 0x23]);
  });

  it("counts and discards debugger bytes while no debugger is attached", () => {
    const { con, add, typed } = rig();
    add(1, "hello");
    con.receive(Uint8Array.from([0xa4, 0x78, 0xa3]));
    expect(con.debugBytesDiscarded).toBe(2);
    expect(typed[1]).toBe("x");
  });

  it("cycles focus Xen -> DOM1 -> DOM2 -> Xen on Ctrl-A three times, even split across reads", () => {
    const { con, add, typed, text, clear } = rig();
    add(1, "a");
    add(2, "b");
    clear();
    con.receive(Uint8Array.from([1, 1]));
    con.receive(Uint8Array.from([1, 0x78]));
    expect(text()).toBe("(XEN) *** Serial input -> DOM2 (b) (type 'CTRL-a' three times to switch input to Xen).\n");
    expect(typed[2]).toBe("x");
    expect(typed[1]).toBeUndefined();
    clear();
    con.receive(Uint8Array.from([1, 1, 1]));
    expect(text()).toBe("(XEN) *** Serial input -> Xen (type 'CTRL-a' three times to switch input to DOM1 (a)).\n");
    expect(con.getFocus()).toEqual({ kind: "xen" });
    con.receive(Uint8Array.from([1, 1, 1, 0x79]));
    expect(con.getFocus()).toEqual({ kind: "domain", domid: 1 });
    expect(typed[1]).toBe("y");
  });

  it("passes fewer than three Ctrl-A through as ordinary input", () => {
    const { con, add, typed } = rig();
    add(1, "a");
    con.receive(Uint8Array.from([1, 1, 0x7a, 1]));
    expect(typed[1]).toBe("\x01\x01z");
    con.receive(enc("q"));
    expect(typed[1]).toBe("\x01\x01z\x01q");
  });

  it("runs Xen's key handlers while Xen has focus", () => {
    const { con, text, clear } = rig();
    let queried = 0;
    con.registerKey({ key: "q", description: "dump domain info", run: () => queried++ });
    con.receive(enc("qh"));
    expect(queried).toBe(1);
    expect(text()).toContain("(XEN)  key 'q' => dump domain info\n");
    clear();
    con.receive(enc("z"));
    expect(text()).toBe("(XEN) 'z' pressed -> no handler ('h' for help)\n");
  });

  it("does not steal focus for a new domain once the user chose, and gives it back to Xen when the focused domain goes", () => {
    const { con, add } = rig();
    add(1, "a");
    con.receive(Uint8Array.from([1, 1, 1])); // -> Xen
    add(2, "b");
    expect(con.getFocus()).toEqual({ kind: "xen" });
    con.receive(Uint8Array.from([1, 1, 1, 1, 1, 1])); // -> DOM1 -> DOM2
    expect(con.getFocus()).toEqual({ kind: "domain", domid: 2 });
    con.removeDomain(2);
    expect(con.getFocus()).toEqual({ kind: "xen" });
  });
});

describe("SerialConsole console_io", () => {
  it("xenLog() adds the (XEN) prefix to a bare line", () => {
    const { con, text } = rig();
    con.xenLog("Domain 1 built");
    expect(text()).toBe("(XEN) Domain 1 built\n");
  });

  it("consoleIoRead() returns bytes typed while the domain had focus, oldest first, bounded", () => {
    const { con, add } = rig();
    add(1, "a");
    add(2, "b");
    con.receive(enc("abc"));
    expect(dec(con.consoleIoRead(1, 2))).toBe("ab");
    expect(dec(con.consoleIoRead(1, 10))).toBe("c");
    expect(con.consoleIoRead(2, 10)).toHaveLength(0);
    con.receive(new Uint8Array(5000).fill(0x41));
    expect(con.consoleIoRead(1, 10000)).toHaveLength(1024);
  });
});
