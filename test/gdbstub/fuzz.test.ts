// Fuzzes the stub with at least 1,000,000 packets per run, straight into a GdbSession over the
// in-memory test target (no sockets): half are well-framed packets with mutated commands and
// arguments, the rest bad checksums, truncations, oversize packets, unknown commands and
// hostile arguments, with garbage, Ctrl-C and NAK bytes between them. The stub must never
// throw, must answer each packet as the protocol says, and every handler must be reached.
import { expect, it } from "vitest";
import { COMMAND_NAMES, commandHits } from "../../src/gdbstub/commands.js";
import { GdbSession } from "../../src/gdbstub/session.js";
import { PacketDecoder, asciiBytes, checksum, escapeBinary, hex2 } from "../../src/gdbstub/packet.js";
import { MemoryTarget } from "./fixtures/memory-target.js";
import { fuzzRng, type FuzzRng } from "./fixtures/fuzz-rng.js";

const PACKETS = 1_000_000;
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed1234);

const hexOf = (s: string) => Buffer.from(s, "latin1").toString("hex");

const SEEDS: string[] = [
  "qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+",
  "QStartNoAckMode",
  "qAttached:1",
  "qC",
  "qfThreadInfo",
  "qsThreadInfo",
  "qThreadExtraInfo,p1.1",
  "qXfer:features:read:target.xml:0,200",
  "qXfer:threads:read::0,200",
  `qRcmd,${hexOf("help")}`,
  `qRcmd,${hexOf("mem phys")}`,
  `qRcmd,${hexOf("mem virt")}`,
  `qRcmd,${hexOf("counter 1")}`,
  `qRcmd,${hexOf("domains")}`,
  "qSymbol::",
  "?",
  "Hgp1.1",
  "Hgp2.1",
  "Hc-1",
  "Tp2.1",
  "g",
  `G${"00100000".repeat(16)}${"xx".repeat(80)}${"00000000".repeat(8)}`,
  "p8",
  "P0=01020304",
  "m100000,40",
  "m101000,1000",
  "M101100,4:01020304",
  "X101000,0:",
  "Z0,100010,1",
  "z0,100010,1",
  "Z1,100020,1",
  "z1,100020,1",
  "Z2,108000,4",
  "z2,108000,4",
  "Z3,108000,4",
  "z3,108000,4",
  "Z4,108000,4",
  "z4,108000,4",
  "vCont?",
  "vCont;c",
  "vCont;s:p1.1;c",
  "vCont;r100000,100010:p2.1;c",
  "vKill;2",
  "c",
  "C05",
  "s",
  "S05;100000",
  "D;1",
  "D",
  "k",
];

const UNKNOWN = ["vMustReplyEmpty", "qTStatus", "qOffsets", "!", "qL1200000000000000000", "vFile:open:6a", "Y00", "qCRC:0,4", "jThreads", "QNonStop:1", "x100000,4", "i", "R00", "bc", "Z5,0,1", "vContX", "qCx"];

const HOSTILE_ARGS = [
  "", "-1", "0", "p-1.-1", "p0.0", "pffffffff.ffffffff", "ffffffffffffffffffff", "100000000", ",,,", ":::", ";;;",
  "=", "xx", "XXXX", "0,ffffffff", "ffffffff,ffffffff", "fffffff0,100", ":", "p1.", "p.1", "\u0080\u00ff", "\u0000", "1,1:", "1,2:zz",
  "target.xml:ffffffff,ffffffff", ":target.xml:0,0", "::ffffffff,1", ",6d656d20", ",6d656d206d616368696e65", ",zz", ";", ";x:p1.1",
  ";r0,ffffffff:p1.1", ";s:p9.9", ";C", ";Sff:p1.1", "0=", "ff=00", `${"0".repeat(4000)}`,
];

const ALPHABET = "0123456789abcdefABCDEFxXp.,;:=-+?!&%@qQvHgGmMzZ \t\u007f\u0080\u00fe";

function mutate(r: FuzzRng, packet: string): string {
  const chars = [...packet];
  const edits = 1 + r.int(3);
  for (let i = 0; i < edits; i++) {
    const at = r.int(chars.length + 1);
    switch (r.int(6)) {
      case 0: chars.splice(at, 1); break; // delete
      case 1: chars.splice(at, 0, r.pick([...ALPHABET])); break; // insert
      case 2: chars[Math.min(at, chars.length - 1)] = r.pick([...ALPHABET]); break; // replace
      case 3: chars.length = Math.min(chars.length, at); break; // truncate arguments
      case 4: chars.splice(at, 0, ...r.int(0x100000000).toString(16)); break; // a number
      default: chars.splice(at, 0, ...chars.slice(0, at)); break; // repeat a prefix
    }
  }
  return chars.join("") || "?";
}

/** Frames a body as gdb would, escaping the bytes that must be; any byte value may be inside. */
function frame(body: string, badChecksum = false): Uint8Array {
  const bytes = escapeBinary(asciiBytes(body));
  const cs = (checksum(bytes) + (badChecksum ? 1 + (bytes.length % 255) : 0)) & 0xff;
  const out = new Uint8Array(bytes.length + 4);
  out[0] = 0x24;
  out.set(bytes, 1);
  out[bytes.length + 1] = 0x23;
  out.set(asciiBytes(hex2(cs)), bytes.length + 2);
  return out;
}

/** Every reply body the protocol allows from this stub. */
const REPLY_GRAMMAR = new RegExp(
  [
    "", "OK", "1", "E[0-9a-f]{2}", "E\\.[\\x20-\\x7e]*", "[0-9a-fx]+", "O[0-9a-f]+", "QCp[0-9a-f]+\\.[0-9a-f]+",
    "[ml]p[0-9a-f]+\\.[0-9a-f]+(,p[0-9a-f]+\\.[0-9a-f]+)*", "l", "[ml][\\x20-\\x7e\\n]*",
    "T[0-9a-f]{2}thread:p[0-9a-f]+\\.[0-9a-f]+;([0-9a-f]{2}:[0-9a-f]{8};)*((swbreak|hwbreak):;|(r|a)?watch:[0-9a-f]+;)?",
    "W[0-9a-f]{2};process:[0-9a-f]+", "vCont;c;C;s;S;r", "PacketSize=[0-9a-f]+(;[A-Za-z:+]+)*",
  ].map((p) => `(?:${p})`).join("|"),
);

const FULL_REPLY = new RegExp(`^(?:${REPLY_GRAMMAR.source})$`);

it(`survives ${PACKETS} fuzzed packets and reaches every command handler`, async () => {
  const r = fuzzRng(SEED);
  const target = new MemoryTarget();
  const fromStub = new PacketDecoder({ maxPacketSize: 1 << 20 });
  let output: number[] = [];
  // Every other connection is a line session that outlives debuggers (reattach).
  let connections = 0;
  const connect = () =>
    new GdbSession({ target, lossless: false, lineBytesPerSecond: 4096, reattach: connections++ % 2 === 1, write: (b) => output.push(...b) });
  let session = connect();
  let lineSession = false;
  commandHits.clear();
  const stats = { valid: 0, mutated: 0, badChecksum: 0, truncated: 0, oversize: 0, unknown: 0, hostile: 0, reconnects: 0, replies: 0 };
  const check = (what: string) => {
    const bytes = Uint8Array.from(output);
    output = [];
    const events = fromStub.push(bytes);
    for (const e of events) {
      if (e.kind === "error") throw new Error(`${what}: the stub sent an undecodable frame: ${e.message}`);
      if (e.kind === "packet") {
        const body = Buffer.from(e.data).toString("latin1");
        if (!FULL_REPLY.test(body)) {
          throw new Error(`${what}: reply outside the protocol: ${JSON.stringify(body.slice(0, 80))}`);
        }
        stats.replies++;
      }
    }
    if (bytes.some((b) => b >= 0x80)) throw new Error(`${what}: the stub sent a byte >= 0x80`);
    return events;
  };
  const expectOne = (packet: string, events: ReturnType<typeof check>, expected?: string) => {
    // ack first, then O packets, then the reply (resumes and detaches may have none).
    if (events[0]?.kind !== "ack") throw new Error(`${packet}: not acknowledged`);
    const packets = events.filter((e) => e.kind === "packet").map((e) => Buffer.from((e as { data: Uint8Array }).data).toString("latin1"));
    if (packets.filter((p) => !p.startsWith("O") || p === "OK").length > 1) throw new Error(`${packet}: more than one reply: ${packets}`);
    if (expected !== undefined && packets.join("|") !== expected) throw new Error(`${packet}: replied ${JSON.stringify(packets)}, expected ${JSON.stringify(expected)}`);
    for (const p of packets) if (!FULL_REPLY.test(p)) throw new Error(`${packet}: bad reply ${p}`);
  };

  for (let i = 0; i < PACKETS; i++) {
    if (i > 0 && i % 100_000 === 0) {
      // Switch between socket-style and line-style sessions now and then.
      session.disconnected();
      lineSession = !lineSession;
      connections = lineSession ? 1 : 0;
      session = connect();
      stats.reconnects++;
      check("switch");
    } else if (!session.attached && !lineSession) {
      connections = 0;
      session = connect();
      stats.reconnects++;
    }
    if (r.chance(0.02)) {
      // Between packets: garbage, Ctrl-C or a NAK (which makes the stub resend its last packet).
      const b = r.pick([0x03, 0x2d, 0x2b, 0x00, 0x7f, 0x80, 0xff, 0x23, 0x0a]);
      session.receive(Uint8Array.of(b));
      check("noise");
    }
    const kind = r.int(100);
    let packet: string;
    if (kind < 56) {
      const seed = r.pick(SEEDS);
      packet = r.chance(0.95) ? mutate(r, seed) : seed;
      if (packet !== seed) stats.mutated++;
      stats.valid++;
      session.receive(frame(packet));
      expectOne(packet, check(packet));
    } else if (kind < 65) {
      packet = r.pick(SEEDS);
      stats.badChecksum++;
      session.receive(frame(packet, true));
      const events = check("bad checksum");
      if (events.length !== 1 || events[0].kind !== "nak") throw new Error(`bad checksum on ${packet}: got ${events.map((e) => e.kind)}`);
    } else if (kind < 73) {
      packet = r.pick(SEEDS);
      const f = frame(packet);
      stats.truncated++;
      session.receive(f.subarray(0, 1 + r.int(f.length - 1)));
      check("truncated");
      session.receive(frame("qC"));
      check("after truncation");
    } else if (kind < 76) {
      stats.oversize++;
      session.receive(frame(`M101000,${(0x1000).toString(16)}:${"a5".repeat(0x1000)}`));
      expectOne("oversize", check("oversize"), "E01");
    } else if (kind < 87) {
      stats.unknown++;
      packet = r.pick(UNKNOWN);
      session.receive(frame(packet));
      expectOne(packet, check(packet), "");
    } else {
      stats.hostile++;
      const name = r.pick(COMMAND_NAMES);
      packet = name + r.pick(HOSTILE_ARGS);
      session.receive(frame(packet));
      expectOne(packet, check(packet));
    }
    if (i % 2000 === 0) {
      // Let the target run and deliver its stop events; whatever the stub sends then must be valid too.
      await new Promise((res) => setImmediate(res));
      check("async");
    }
  }
  console.log(`fuzz seed 0x${SEED.toString(16)}: ${JSON.stringify(stats)}`);
  expect(stats.valid + stats.badChecksum + stats.truncated + stats.oversize + stats.unknown + stats.hostile).toBe(PACKETS);
  expect(stats.valid).toBeGreaterThanOrEqual(PACKETS / 2);
  expect(stats.mutated).toBeGreaterThanOrEqual(PACKETS / 2);
  for (const name of COMMAND_NAMES) expect(commandHits.get(name) ?? 0, `handler ${name}`).toBeGreaterThan(0);
  // Still serving: a clean connection answers as usual.
  if (!session.attached) session = connect();
  check("before final");
  session.receive(frame("qfThreadInfo"));
  const events = check("final");
  const last = events.filter((e) => e.kind === "packet").pop();
  expect(last?.kind === "packet" && Buffer.from(last.data).toString("latin1")).toMatch(/^mp1\.1/);
}, 120_000);
