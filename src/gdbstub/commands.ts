// The RSP command table: packet prefix -> handler (GDB manual, "Packets" and "General Query
// Packets"; the set GDB 13 uses is in gdb-rsp.md section 3). Unknown packets get the empty
// reply, malformed ones `E01`, target refusals `E.text`; nothing throws past dispatch().
// Handlers see the session only through StubState.
import createDebug from "debug";
import { asciiBytes, escapeBinary } from "./packet.js";
import { bytesToHex, hexToBytes, hexToRegister, parseHex32, registerToHex, textToHex } from "./hex.js";
import { runMonitorCommand, type MonitorSession } from "./monitor.js";
import { CORE_REGISTERS, CORE_BLOCK_BYTES, registerByNumber } from "./registers.js";
import { TARGET_XML, threadsXml } from "./target-xml.js";
import { formatThreadId, parseThreadId, selects, type ThreadSelector } from "./thread-id.js";
import type {
  Breakpoint,
  BreakpointType,
  DebugTarget,
  RegisterSnapshot,
  RegisterValue,
  ResumeRequest,
  TargetResult,
  VcpuInfo,
  VcpuRef,
} from "./target.js";

const log = createDebug("gdbstub");

/** Returned by a handler that answers later (a resume: the stop reply comes with the stop). */
export const NO_REPLY = null;
export type HandlerResult = string | typeof NO_REPLY;

/** What handlers may see and do; the session implements it. */
export interface StubState extends MonitorSession {
  readonly target: DebugTarget;
  /** Largest packet gdb may send us (advertised as PacketSize). */
  readonly packetSize: number;
  /** Whether the transport cannot lose bytes (QStartNoAckMode is offered only then). */
  readonly lossless: boolean;
  /** What gdb said it supports in qSupported. */
  gdbFeatures: { multiprocess: boolean; swbreak: boolean; hwbreak: boolean };
  /** The Hg thread: whose registers and memory are served. */
  generalThread: VcpuRef | null;
  /** The Hc thread selector (legacy c/s). */
  continueThread: ThreadSelector;
  /** Breakpoints gdb inserted and not yet removed, to remove on detach. */
  readonly breakpoints: Breakpoint[];
  /** Vcpus visible to gdb (domains not detached), the last stopped one first. */
  liveVcpus(): VcpuInfo[];
  /** Registers of a vcpu as gdb sees them (linear view; the placeholder's when there is no domain). */
  registersOf(vcpu: VcpuRef): RegisterSnapshot;
  /** Writes a register given as gdb sees it. */
  writeRegisterOf(vcpu: VcpuRef, name: string, value: RegisterValue): TargetResult;
  /** The `?` reply, or NO_REPLY when the host has not stopped yet (the reply then follows the stop). */
  currentStopReply(): HandlerResult;
  /** Resumes the host; the stop reply is sent when it stops. */
  resume(request: ResumeRequest): void;
  /** Sends console text to gdb as `O` packets (only valid while a command is answered). */
  console(text: string): void;
  /** Turns no-ack mode on once the current reply is sent. */
  requestNoAck(): void;
  /** Detaches one domain (pid given) or everything, once the current reply is sent. */
  requestDetach(pid: number | null): void;
}

type Handler = (args: string, state: StubState) => HandlerResult;

interface Entry {
  /** Packet prefix. */
  name: string;
  /** The name must be followed by the end or one of `:,;` (q, Q and v packets). */
  delimited: boolean;
  handler: Handler;
}

/** A refusal by the target or an impossible request, replied as `E.text`. */
class Refusal extends Error {}

const OK = "OK";
const EMPTY = "";
const E_MALFORMED = "E01";
const E_FAULT = "E14";

function refusedText(message: string): string {
  // E.text must stay inside the packet: no framing characters, ASCII only.
  return `E.${message.replace(/[^\x20-\x7e]|[$#*}]/g, "?")}`;
}

function resultReply(result: TargetResult): string {
  return result.ok ? OK : refusedText(result.message);
}

function splitOnce(text: string, sep: string): [string, string] {
  const i = text.indexOf(sep);
  if (i < 0) throw new SyntaxError(`Cannot parse "${text.slice(0, 24)}": missing '${sep}'`);
  return [text.slice(0, i), text.slice(i + 1)];
}

function expectEmpty(args: string): void {
  if (args.length > 0) throw new SyntaxError("Cannot parse packet: unexpected arguments");
}

/**
 * The vcpu whose registers and memory are served: the Hg thread, else the first live one.
 * With no vcpu at all (a host with no debuggable domain yet) it is domain 0's first vcpu, which
 * the target answers with no registers and no memory, so gdb still connects.
 */
function generalVcpu(state: StubState): VcpuRef {
  const live = state.liveVcpus();
  const g = state.generalThread;
  if (g !== null && live.some((v) => v.ref.domain === g.domain && v.ref.vcpu === g.vcpu)) return g;
  if (live.length === 0) return { domain: 0, vcpu: 0 };
  return live[0].ref;
}

function findVcpu(state: StubState, sel: ThreadSelector): VcpuRef | null {
  if (sel.tid === 0 && (sel.pid === null || sel.pid === 0)) return generalVcpu(state);
  const match = state.liveVcpus().find((v) => selects(sel, v.ref));
  return match === undefined ? null : match.ref;
}

/** Serves [offset, offset+length) of a qXfer document: `m` more follows, `l` last. */
function xferChunk(doc: string, range: string): string {
  const [off, len] = splitOnce(range, ",");
  const offset = parseHex32(off);
  const length = parseHex32(len);
  const chunk = doc.slice(offset, offset + length);
  const last = offset + length >= doc.length;
  return (last ? "l" : "m") + Buffer.from(escapeBinary(asciiBytes(chunk))).toString("latin1");
}

// ---- connection and queries ----

const qSupported: Handler = (args, state) => {
  const offered = new Set(args.replace(/^:/, "").split(";"));
  state.gdbFeatures = {
    multiprocess: offered.has("multiprocess+"),
    swbreak: offered.has("swbreak+"),
    hwbreak: offered.has("hwbreak+"),
  };
  const features = [
    `PacketSize=${state.packetSize.toString(16)}`,
    "qXfer:features:read+",
    "qXfer:threads:read+",
    "multiprocess+",
    "swbreak+",
    "hwbreak+",
    "vContSupported+",
  ];
  if (state.lossless) features.push("QStartNoAckMode+");
  return features.join(";");
};

const startNoAckMode: Handler = (args, state) => {
  expectEmpty(args);
  if (!state.lossless) return EMPTY;
  state.requestNoAck();
  return OK;
};

const qAttached: Handler = () => "1";

const qC: Handler = (args, state) => {
  expectEmpty(args);
  return `QC${formatThreadId(generalVcpu(state))}`;
};

const qfThreadInfo: Handler = (args, state) => {
  expectEmpty(args);
  const ids = state.liveVcpus().map((v) => formatThreadId(v.ref));
  return ids.length === 0 ? "l" : `m${ids.join(",")}`;
};

const qsThreadInfo: Handler = (args) => {
  expectEmpty(args);
  return "l";
};

const qThreadExtraInfo: Handler = (args, state) => {
  const sel = parseThreadId(args.replace(/^,/, ""));
  const v = state.liveVcpus().find((x) => selects(sel, x.ref));
  if (v === undefined) return E_MALFORMED;
  return textToHex(`${v.domainName}: ${v.state}`);
};

const qXferFeatures: Handler = (args) => {
  const [, rest] = splitOnce(args, ":");
  const [annex, range] = splitOnce(rest, ":");
  if (annex !== "target.xml") return "E00";
  return xferChunk(TARGET_XML, range);
};

const qXferThreads: Handler = (args, state) => {
  const [, rest] = splitOnce(args, ":");
  const [annex, range] = splitOnce(rest, ":");
  if (annex !== "") return "E00";
  return xferChunk(threadsXml(state.liveVcpus()), range);
};

const qRcmd: Handler = (args, state) => {
  const line = Buffer.from(hexToBytes(args.replace(/^,/, ""))).toString("latin1");
  const output = runMonitorCommand(state, line);
  if (output.length > 0) state.console(output);
  return OK;
};

const qSymbol: Handler = () => OK;

const stopReason: Handler = (args, state) => {
  expectEmpty(args);
  return state.currentStopReply();
};

const setThread: Handler = (args, state) => {
  const op = args[0];
  const sel = parseThreadId(args.slice(1));
  if (op === "g") {
    const v = findVcpu(state, sel);
    if (v === null) return "E02";
    state.generalThread = v;
    return OK;
  }
  if (op === "c") {
    state.continueThread = sel;
    return OK;
  }
  throw new SyntaxError(`Cannot parse H packet: operation "${op ?? ""}" is not g or c`);
};

const threadAlive: Handler = (args, state) => {
  const sel = parseThreadId(args);
  return sel.tid > 0 && state.liveVcpus().some((v) => selects(sel, v.ref)) ? OK : "E02";
};

// ---- registers ----

const readAllRegisters: Handler = (args, state) => {
  expectEmpty(args);
  const regs = state.registersOf(generalVcpu(state));
  return CORE_REGISTERS.map((r) => registerToHex(regs.get(r.name), r.bits)).join("");
};

const writeAllRegisters: Handler = (args, state) => {
  if (args.length !== CORE_BLOCK_BYTES * 2) {
    throw new SyntaxError(`Cannot parse G packet: expected ${CORE_BLOCK_BYTES * 2} hex digits`);
  }
  const vcpu = generalVcpu(state);
  const values = [];
  let at = 0;
  for (const r of CORE_REGISTERS) {
    values.push({ name: r.name, value: hexToRegister(args.slice(at, at + r.bits / 4), r.bits) });
    at += r.bits / 4;
  }
  for (const { name, value } of values) {
    if (value === undefined) continue;
    const result = state.writeRegisterOf(vcpu, name, value);
    if (!result.ok) return refusedText(result.message);
  }
  return OK;
};

const readRegister: Handler = (args, state) => {
  const info = registerByNumber(parseHex32(args));
  // "x" means unavailable whatever the size gdb expects; an empty reply would tell gdb that
  // `p` is unsupported altogether.
  if (info === undefined) return "xx";
  const value = state.registersOf(generalVcpu(state)).get(info.name);
  return registerToHex(value, info.bits);
};

const writeRegister: Handler = (args, state) => {
  const [num, hex] = splitOnce(args, "=");
  const info = registerByNumber(parseHex32(num));
  if (info === undefined) return E_MALFORMED;
  const value = hexToRegister(hex, info.bits);
  if (value === undefined) return OK;
  return resultReply(state.writeRegisterOf(generalVcpu(state), info.name, value));
};

// ---- memory ----

function parseAddressLength(text: string): [number, number] {
  const [a, l] = splitOnce(text, ",");
  return [parseHex32(a), parseHex32(l)];
}

const readMemory: Handler = (args, state) => {
  const [address, requested] = parseAddressLength(args);
  // A reply may be short (RSP allows it), so cap hostile lengths rather than refuse them.
  const length = Math.min(requested, state.packetSize, 0x1_0000_0000 - address);
  if (length === 0) return EMPTY;
  const data = state.target.readMemory(generalVcpu(state), state.space, address, length);
  if (data.length === 0) return E_FAULT;
  return bytesToHex(data.subarray(0, length));
};

const writeMemory: Handler = (args, state) => {
  const [head, hex] = splitOnce(args, ":");
  const [address, length] = parseAddressLength(head);
  if (hex.length !== length * 2) throw new SyntaxError("Cannot parse M packet: length does not match the data");
  if (length === 0) return OK;
  if (address + length > 0x1_0000_0000) return E_FAULT;
  const data = hexToBytes(hex);
  return resultReply(state.target.writeMemory(generalVcpu(state), state.space, address, data));
};

/** `X` (binary write) would carry 8-bit bytes over the 7-bit line: the empty reply makes gdb use `M`. */
const binaryWrite: Handler = () => EMPTY;

// ---- breakpoints and watchpoints ----

const Z_TYPES: BreakpointType[] = ["software", "hardware", "write", "read", "access"];

function parseBreakpoint(args: string, type: BreakpointType, state: StubState): Breakpoint {
  // args: ",addr,kind" with optional ";cond..." we never asked for.
  const body = args.split(";")[0];
  if (!body.startsWith(",")) throw new SyntaxError("Cannot parse breakpoint: missing ','");
  const [address, length] = parseAddressLength(body.slice(1));
  if (length === 0 || length > 0x1000) throw new RangeError(`Cannot set breakpoint: length ${length} is outside 1..4096`);
  return { type, domain: generalVcpu(state).domain, address, length };
}

function insertPoint(type: BreakpointType): Handler {
  return (args, state) => {
    const bp = parseBreakpoint(args, type, state);
    const result = state.target.insertBreakpoint(bp);
    if (result.ok) state.breakpoints.push(bp);
    return resultReply(result);
  };
}

function removePoint(type: BreakpointType): Handler {
  return (args, state) => {
    const bp = parseBreakpoint(args, type, state);
    const i = state.breakpoints.findIndex(
      (b) => b.type === bp.type && b.domain === bp.domain && b.address === bp.address && b.length === bp.length,
    );
    if (i >= 0) state.breakpoints.splice(i, 1);
    return resultReply(state.target.removeBreakpoint(bp));
  };
}

// ---- execution control ----

const vContQuery: Handler = (args) => {
  expectEmpty(args);
  return "vCont;c;C;s;S;r";
};

/** The vcpu a legacy `s`/`c` or a thread-less vCont action means: Hc, else Hg (gdb-rsp.md 3.2). */
function stepTarget(state: StubState, sel: ThreadSelector | null): VcpuRef {
  if (sel !== null && sel.tid > 0) {
    const v = findVcpu(state, sel);
    if (v === null) throw new Refusal("Cannot step: no such thread");
    return v;
  }
  return generalVcpu(state);
}

function parseSignal(text: string): void {
  // Signals mean nothing to a virtual machine (QEMU ignores them too); they are only validated.
  if (!/^[0-9a-fA-F]{2}$/.test(text)) throw new SyntaxError(`Cannot parse signal "${text.slice(0, 8)}"`);
}

const vCont: Handler = (args, state) => {
  if (!args.startsWith(";")) throw new SyntaxError("Cannot parse vCont: no actions");
  let request: ResumeRequest | null = null;
  let anyContinue = false;
  for (const action of args.slice(1).split(";")) {
    const colon = action.indexOf(":");
    const verb = colon < 0 ? action : action.slice(0, colon);
    const sel = colon < 0 ? null : parseThreadId(action.slice(colon + 1));
    const op = verb[0];
    if (op === "c" || op === "C") {
      if (op === "C") parseSignal(verb.slice(1));
      else expectEmpty(verb.slice(1));
      anyContinue = true;
    } else if (op === "s" || op === "S") {
      if (op === "S") parseSignal(verb.slice(1));
      else expectEmpty(verb.slice(1));
      request ??= { kind: "step", vcpu: stepTarget(state, sel) };
    } else if (op === "r") {
      const [start, end] = splitOnce(verb.slice(1), ",").map(parseHex32);
      request ??= { kind: "step", vcpu: stepTarget(state, sel), range: { start, end } };
    } else {
      throw new SyntaxError(`Cannot parse vCont action "${verb.slice(0, 8)}"`);
    }
  }
  if (request === null && !anyContinue) throw new SyntaxError("Cannot parse vCont: no actions");
  state.resume(request ?? { kind: "continue" });
  return NO_REPLY;
};

/** Legacy `c [addr]` and `s [addr]`; `C sig[;addr]` and `S sig[;addr]`. */
function legacyResume(step: boolean, withSignal: boolean): Handler {
  return (args, state) => {
    let addressText = args;
    if (withSignal) {
      const [sig, rest] = args.includes(";") ? splitOnce(args, ";") : [args, ""];
      parseSignal(sig);
      addressText = rest;
    }
    const vcpu = step ? stepTarget(state, state.continueThread) : generalVcpu(state);
    if (addressText.length > 0) {
      const result = state.writeRegisterOf(vcpu, "eip", parseHex32(addressText));
      if (!result.ok) return refusedText(result.message);
    }
    state.resume(step ? { kind: "step", vcpu } : { kind: "continue" });
    return NO_REPLY;
  };
}

const detach: Handler = (args, state) => {
  if (args.length === 0) {
    state.requestDetach(null);
    return OK;
  }
  if (!args.startsWith(";")) throw new SyntaxError("Cannot parse D packet");
  state.requestDetach(parseHex32(args.slice(1)));
  return OK;
};

/** `k`: the host is never killed from gdb; it is treated as a detach (gdb does not wait for a reply). */
const kill: Handler = (_args, state) => {
  state.requestDetach(null);
  return NO_REPLY;
};

const vKill: Handler = (args, state) => {
  if (!args.startsWith(";")) throw new SyntaxError("Cannot parse vKill packet");
  state.requestDetach(parseHex32(args.slice(1)));
  return OK;
};

const TABLE: Entry[] = [
  { name: "qSupported", delimited: true, handler: qSupported },
  { name: "QStartNoAckMode", delimited: true, handler: startNoAckMode },
  { name: "qAttached", delimited: true, handler: qAttached },
  { name: "qC", delimited: true, handler: qC },
  { name: "qfThreadInfo", delimited: true, handler: qfThreadInfo },
  { name: "qsThreadInfo", delimited: true, handler: qsThreadInfo },
  { name: "qThreadExtraInfo", delimited: true, handler: qThreadExtraInfo },
  { name: "qXfer:features:read", delimited: true, handler: qXferFeatures },
  { name: "qXfer:threads:read", delimited: true, handler: qXferThreads },
  { name: "qRcmd", delimited: true, handler: qRcmd },
  { name: "qSymbol", delimited: true, handler: qSymbol },
  { name: "?", delimited: false, handler: stopReason },
  { name: "H", delimited: false, handler: setThread },
  { name: "T", delimited: false, handler: threadAlive },
  { name: "g", delimited: false, handler: readAllRegisters },
  { name: "G", delimited: false, handler: writeAllRegisters },
  { name: "p", delimited: false, handler: readRegister },
  { name: "P", delimited: false, handler: writeRegister },
  { name: "m", delimited: false, handler: readMemory },
  { name: "M", delimited: false, handler: writeMemory },
  { name: "X", delimited: false, handler: binaryWrite },
  ...Z_TYPES.map((t, i): Entry => ({ name: `Z${i}`, delimited: false, handler: insertPoint(t) })),
  ...Z_TYPES.map((t, i): Entry => ({ name: `z${i}`, delimited: false, handler: removePoint(t) })),
  { name: "vCont?", delimited: true, handler: vContQuery },
  { name: "vCont", delimited: true, handler: vCont },
  { name: "vKill", delimited: true, handler: vKill },
  { name: "c", delimited: false, handler: legacyResume(false, false) },
  { name: "C", delimited: false, handler: legacyResume(false, true) },
  { name: "s", delimited: false, handler: legacyResume(true, false) },
  { name: "S", delimited: false, handler: legacyResume(true, true) },
  { name: "D", delimited: false, handler: detach },
  { name: "k", delimited: false, handler: kill },
].sort((a, b) => b.name.length - a.name.length);

/** Names of every handler in the table (the fuzz test checks each is reached). */
export const COMMAND_NAMES: readonly string[] = TABLE.map((e) => e.name);

function lookup(packet: string): Entry | undefined {
  return TABLE.find((e) => {
    if (!packet.startsWith(e.name)) return false;
    if (!e.delimited || packet.length === e.name.length) return true;
    const next = packet[e.name.length];
    return next === ":" || next === "," || next === ";";
  });
}

/** Counts how often each handler ran; read by tests. */
export const commandHits = new Map<string, number>();

/**
 * Answers one packet body. Returns the reply body, or NO_REPLY when the reply comes later
 * (resume) or never (k). Never throws.
 */
export function dispatch(packet: string, state: StubState): HandlerResult {
  const entry = lookup(packet);
  if (entry === undefined) return EMPTY;
  commandHits.set(entry.name, (commandHits.get(entry.name) ?? 0) + 1);
  try {
    return entry.handler(packet.slice(entry.name.length), state);
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof RangeError) {
      log("malformed %s: %s", entry.name, err.message);
      return E_MALFORMED;
    }
    if (err instanceof Refusal) return refusedText(err.message);
    // A bug in the target or here: answer, log, keep serving.
    log("internal error in %s: %O", entry.name, err);
    return refusedText(`internal error: ${err instanceof Error ? err.message : String(err)}`);
  }
}
