import { describe, expect, it } from "vitest";
import { Uart } from "../../src/emu/uart.js";
import { createSerialPair, concatBytes } from "../../src/emu/serial/index.js";

describe("Uart", () => {
  it("write() copies the bytes, so the caller may reuse its buffer", () => {
    const { testing, development } = createSerialPair({ baud: 0 });
    const got: Buffer[] = [];
    development.setReceiver((c) => got.push(c));
    const uart = new Uart(testing);
    const scratch = Buffer.from("abc");
    uart.write(scratch);
    scratch.fill(0x7a);
    expect(concatBytes(got).toString()).toBe("abc");
    expect(uart.counters.txBytes).toBe(3);
  });

  it("queues received bytes for read() and bounds the FIFO, counting overrun", () => {
    const { testing, development } = createSerialPair();
    const uart = new Uart(testing, 8);
    development.write(Buffer.from("hello"));
    development.write(Buffer.from(" world"));
    expect(uart.rxAvailable).toBe(8);
    expect(uart.counters.rxOverrun).toBe(3);
    expect(uart.read(3).toString()).toBe("hel");
    expect(uart.read().toString()).toBe("lo wo");
    expect(uart.counters.rxBytes).toBe(11);
  });

  it("onReceive() first flushes what is queued, then pushes each chunk", () => {
    const { testing, development } = createSerialPair();
    const uart = new Uart(testing);
    development.write(Buffer.from("ab"));
    const seen: string[] = [];
    uart.onReceive((b) => seen.push(b.toString()));
    development.write(Buffer.from("cd"));
    expect(seen).toEqual(["ab", "cd"]);
    expect(uart.rxAvailable).toBe(0);
  });

  it("exposes the line's pacing and losslessness", () => {
    const { testing } = createSerialPair({ baud: 115200 });
    const uart = new Uart(testing);
    expect(uart.baud).toBe(115200);
    expect(uart.lossless).toBe(true);
  });

  it("makes the development end see a peer; detach() removes it", () => {
    const { testing, development } = createSerialPair();
    const uart = new Uart(testing);
    expect(development.peerPresent).toBe(true);
    uart.detach();
    expect(development.peerPresent).toBe(false);
    development.write(Buffer.from("x"));
    expect(development.stats.txDiscarded).toBe(1);
  });
});
