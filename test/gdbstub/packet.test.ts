import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_PACKET_SIZE,
  PacketDecoder,
  asciiBytes,
  checksum,
  frameHex,
  decodeRunLength,
  encodeRunLength,
  escapeBinary,
  framePacket,
  hex2,
  unescapeBinary,
  type DecoderEvent,
} from "../../src/gdbstub/packet.js";

const text = (s: string) => asciiBytes(s);
const str = (b: Uint8Array) => Buffer.from(b).toString("latin1");

/** Frames bytes without the 7-bit and escaping checks, as a peer sending binary might. */
function rawFrame(body: Uint8Array): Uint8Array {
  const cs = checksum(body);
  return Uint8Array.from([0x24, ...body, 0x23, ...text(hex2(cs))]);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

function describeEvents(events: DecoderEvent[]): string[] {
  return events.map((e) => (e.kind === "packet" ? `packet:${str(e.data)}` : e.kind === "error" ? `error:${e.code}` : e.kind));
}

describe("checksum() and framePacket()", () => {
  it("frames a body as $body#cs with the modulo-256 sum in lower-case hex", () => {
    expect(checksum(text("OK"))).toBe((0x4f + 0x4b) & 0xff);
    expect(str(framePacket("OK"))).toBe("$OK#9a");
    expect(str(framePacket(""))).toBe("$#00");
    const long = "g".repeat(300);
    expect(str(framePacket(long))).toBe(`$${long}#${hex2((0x67 * 300) & 0xff)}`);
  });

  it("refuses every byte >= 0x80 and the raw framing bytes, and accepts every other byte", () => {
    for (let b = 0; b < 256; b++) {
      const body = Uint8Array.of(0x41, b, 0x42);
      if (b >= 0x80 || b === 0x24 || b === 0x23 || b === 0x2a) {
        expect(() => framePacket(body), `byte 0x${hex2(b)}`).toThrow(RangeError);
      } else {
        const frame = framePacket(body);
        expect(frame.every((x) => x < 0x80)).toBe(true);
        expect([...frame.subarray(1, 4)]).toEqual([0x41, b, 0x42]);
      }
    }
  });

  it("sums long and unaligned ranges (the word-wise path) as a byte-by-byte sum does", () => {
    const bytes = new Uint8Array(1000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) & 0xff;
    for (const [start, end] of [[0, 1000], [1, 999], [3, 70], [5, 68], [2, 66], [7, 7 + 64]]) {
      let naive = 0;
      for (let i = start; i < end; i++) naive += bytes[i];
      expect(checksum(bytes, start, end), `${start}..${end}`).toBe(naive & 0xff);
      expect(checksum(bytes.subarray(start, end)), `view ${start}..${end}`).toBe(naive & 0xff);
    }
  });

  it("refuses a framing or high character anywhere in a long string body, with its offset", () => {
    const long = "0".repeat(5000);
    expect(() => framePacket(`${long}*`)).toThrow("unescaped '*' at offset 5000");
    expect(() => framePacket(`${long}\u00e9${long}`)).toThrow("byte 0xe9 at offset 5000 is not 7-bit clean");
    expect(() => framePacket(`\u2603${long}`)).toThrow("byte 0xff at offset 0 is not 7-bit clean");
  });

  it("frameHex() frames bytes as the same packet as framePacket() of their hex", () => {
    for (const n of [0, 1, 2, 3, 63, 64, 65, 1000]) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 151 + 7) & 0xff);
      const viaText = framePacket(Buffer.from(data).toString("hex"));
      expect(str(frameHex(data)), `${n} bytes`).toBe(str(viaText));
      expect(str(frameHex(data.subarray(1))), `${n} bytes, offset 1`).toBe(str(framePacket(Buffer.from(data.subarray(1)).toString("hex"))));
    }
  });

  it("names the offending byte and offset in its error", () => {
    expect(() => framePacket(Uint8Array.of(0x30, 0x90))).toThrow("Cannot frame packet: byte 0x90 at offset 1 is not 7-bit clean");
    expect(() => framePacket("a#b")).toThrow("Cannot frame packet: unescaped '#' at offset 1");
  });
});

describe("escapeBinary() and unescapeBinary()", () => {
  it("escapes exactly $ # } * and round-trips every byte value", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const escaped = escapeBinary(all);
    expect(escaped.length).toBe(256 + 4);
    for (const special of [0x23, 0x24, 0x2a]) expect(escaped.includes(special)).toBe(false);
    expect(str(escapeBinary(text("a$b#c}d*e")))).toBe("a}\x04b}\x03c}]d}\x0ae");
    expect([...unescapeBinary(escaped)]).toEqual([...all]);
  });

  it("refuses a lone trailing escape", () => {
    expect(() => unescapeBinary(text("ab}"))).toThrow(SyntaxError);
  });
});

describe("encodeRunLength() and decodeRunLength()", () => {
  it("expands the manual's example '0* ' to four zeros", () => {
    expect(str(decodeRunLength(text("0* ")))).toBe("0000");
  });

  it("round-trips runs of every length up to 300 and never uses '#' or '$' as a count", () => {
    for (let n = 1; n <= 300; n++) {
      for (const c of ["0", "f", "}", "x"]) {
        const body = text("ab" + c.repeat(n) + "cd");
        const encoded = encodeRunLength(body);
        expect(str(decodeRunLength(encoded)), `run ${n} of ${c}`).toBe(str(body));
        for (let i = 0; i < encoded.length; i++) {
          if (encoded[i] === 0x2a) {
            expect(encoded[i + 1]).toBeGreaterThanOrEqual(32);
            expect(encoded[i + 1]).toBeLessThanOrEqual(126);
            expect([0x23, 0x24]).not.toContain(encoded[i + 1]);
            i++;
          }
        }
        if (n >= 4) expect(encoded.length).toBeLessThan(body.length);
      }
    }
  });

  it("refuses a '*' with nothing to repeat or a count outside 32..126", () => {
    expect(() => decodeRunLength(text("*!"))).toThrow(SyntaxError);
    expect(() => decodeRunLength(text("a*"))).toThrow(SyntaxError);
    expect(() => decodeRunLength(Uint8Array.of(0x61, 0x2a, 0x1f))).toThrow(SyntaxError);
    expect(() => decodeRunLength(Uint8Array.of(0x61, 0x2a, 0x7f))).toThrow(SyntaxError);
  });

  it("is decoded by the streaming decoder when framed with runLength", () => {
    const body = "00000000".repeat(20) + "ffffffff";
    const frame = framePacket(body, { runLength: true });
    expect(frame.length).toBeLessThan(body.length);
    expect(describeEvents(new PacketDecoder().push(frame))).toEqual([`packet:${body}`]);
  });
});

describe("PacketDecoder", () => {
  it("decodes packets, acks, naks and interrupts between packets", () => {
    const d = new PacketDecoder();
    const events = d.push(text("+$g#67-\x03$m0,4#fd+"));
    expect(describeEvents(events)).toEqual(["ack", "packet:g", "nak", "interrupt", "packet:m0,4", "ack"]);
  });

  it("classifies every byte value seen between packets", () => {
    for (let b = 0; b < 256; b++) {
      const d = new PacketDecoder();
      const events = describeEvents(d.push(concat(Uint8Array.of(b), framePacket("?"))));
      const expected =
        b === 0x2b ? ["ack", "packet:?"]
        : b === 0x2d ? ["nak", "packet:?"]
        : b === 0x03 ? ["interrupt", "packet:?"]
        : b === 0x24 ? ["error:truncated", "packet:?"] // "$$?#3f": the second '$' restarts the packet
        : ["error:garbage", "packet:?"];
      expect(events, `byte 0x${hex2(b)}`).toEqual(expected);
    }
  });

  it("carries every byte value inside a packet, raw or escaped", () => {
    for (let b = 0; b < 256; b++) {
      const body = escapeBinary(Uint8Array.of(0x58, b, 0x3a, b));
      const events = new PacketDecoder().push(rawFrame(body));
      expect(events.length, `byte 0x${hex2(b)}`).toBe(1);
      const e = events[0];
      expect(e.kind).toBe("packet");
      if (e.kind === "packet") expect([...e.data]).toEqual([0x58, b, 0x3a, b]);
    }
  });

  it("gives the same events for a stream split at every possible boundary", () => {
    const stream = concat(
      text("+"),
      framePacket("qSupported:multiprocess+;swbreak+"),
      text("\x03junk"),
      rawFrame(escapeBinary(Uint8Array.from({ length: 40 }, (_, i) => (i * 37) & 0xff))),
      framePacket("0".repeat(50), { runLength: true }),
      text("$m10,4#00"), // bad checksum
      text("$abc$vCont?#49"), // truncated, then good
      text("-"),
    );
    const whole = describeEvents(new PacketDecoder().push(stream));
    expect(whole).toEqual([
      "ack",
      "packet:qSupported:multiprocess+;swbreak+",
      "interrupt",
      "error:garbage",
      expect.stringMatching(/^packet:/),
      `packet:${"0".repeat(50)}`,
      "error:checksum",
      "error:truncated",
      "packet:vCont?",
      "nak",
    ]);
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j += 7) {
        const d = new PacketDecoder();
        const events = [...d.push(stream.subarray(0, i)), ...d.push(stream.subarray(i, j)), ...d.push(stream.subarray(j))];
        expect(describeEvents(events), `split at ${i},${j}`).toEqual(whole);
      }
    }
    const d = new PacketDecoder();
    const oneByOne = [...stream].flatMap((b) => d.push(Uint8Array.of(b)));
    expect(describeEvents(oneByOne)).toEqual(whole);
  });

  it("reports a bad checksum, including non-hex checksum digits", () => {
    expect(describeEvents(new PacketDecoder().push(text("$g#66")))).toEqual(["error:checksum"]);
    expect(describeEvents(new PacketDecoder().push(text("$g#6z")))).toEqual(["error:checksum"]);
    expect(describeEvents(new PacketDecoder().push(text("$g#6G")))).toEqual(["error:checksum"]);
    const [e] = new PacketDecoder().push(text("$g#66"));
    expect(e.kind === "error" && e.message).toBe("Cannot accept packet: checksum is 0x66, computed 0x67");
  });

  it("accepts upper-case checksum digits", () => {
    expect(describeEvents(new PacketDecoder().push(text("$OK#9A")))).toEqual(["packet:OK"]);
  });

  it("resynchronises after garbage, a truncated packet and a '$' inside the checksum", () => {
    const d = new PacketDecoder();
    expect(describeEvents(d.push(text("xx#12$g")))).toEqual(["error:garbage"]);
    expect(describeEvents(d.push(text("#6$?#3f")))).toEqual(["error:truncated", "packet:?"]);
    expect(d.inPacket).toBe(false);
  });

  it("rejects a packet longer than the maximum with a clear error, then keeps decoding", () => {
    const d = new PacketDecoder({ maxPacketSize: 8 });
    expect(describeEvents(d.push(framePacket("12345678")))).toEqual(["packet:12345678"]);
    const events = d.push(concat(framePacket("123456789"), framePacket("ok")));
    expect(describeEvents(events)).toEqual(["error:oversize", "packet:ok"]);
    expect(events[0].kind === "error" && events[0].message).toBe("Cannot receive packet: longer than 8 bytes");
  });

  it("rejects a run-length bomb that expands past the maximum", () => {
    const d = new PacketDecoder({ maxPacketSize: 64 });
    const body = "0".repeat(200);
    expect(describeEvents(d.push(framePacket(body, { runLength: true })))).toEqual(["error:oversize"]);
    expect(DEFAULT_MAX_PACKET_SIZE).toBeGreaterThanOrEqual(4096);
  });

  it("rejects malformed run-lengths and escapes that arrive intact", () => {
    for (const body of ["*!", "a*", "a*\x1f", "ab}"]) {
      expect(describeEvents(new PacketDecoder().push(rawFrame(text(body)))), body).toEqual(["error:malformed"]);
    }
  });

  it("treats 0x03 inside a packet as data, not an interrupt", () => {
    expect(describeEvents(new PacketDecoder().push(rawFrame(text("X\x03"))))).toEqual(["packet:X\x03"]);
  });
});
