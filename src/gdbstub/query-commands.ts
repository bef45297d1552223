// Connection, thread and query packets: qSupported, QStartNoAckMode, qAttached, qC, the thread
// list (qfThreadInfo/qsThreadInfo, qXfer:threads, qThreadExtraInfo, T, H), the target
// description (qXfer:features), monitor commands (qRcmd) and the stop reason (?).
import { asciiBytes, escapeBinary, needsEscape } from "./packet.js";
import { hexToBytes, parseHex32, textToHex } from "./hex.js";
import { runMonitorCommand } from "./monitor.js";
import { TARGET_XML, threadsXml } from "./target-xml.js";
import { formatThreadId, parseThreadId, selects } from "./thread-id.js";
import { E_MALFORMED, EMPTY, OK, expectEmpty, findVcpu, generalVcpu, splitOnce, type Handler } from "./command-state.js";

/** Serves [offset, offset+length) of a qXfer document: `m` more follows, `l` last. */
function xferChunk(doc: string, range: string): string {
  const [off, len] = splitOnce(range, ",");
  const offset = parseHex32(off);
  const length = parseHex32(len);
  const chunk = doc.slice(offset, offset + length);
  const last = offset + length >= doc.length;
  // The documents are ASCII and rarely hold a byte to escape: then the chunk goes as it is
  // (the thread list is read after every stop, so after every stepi).
  const body = needsNoEscape(chunk) ? chunk : Buffer.from(escapeBinary(asciiBytes(chunk))).toString("latin1");
  return (last ? "l" : "m") + body;
}

/** True when `text` is bytes none of which escapeBinary() would change. */
function needsNoEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff || needsEscape(c)) return false;
  }
  return true;
}

export const qSupported: Handler = (args, state) => {
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

export const startNoAckMode: Handler = (args, state) => {
  expectEmpty(args);
  if (!state.lossless) return EMPTY;
  state.requestNoAck();
  return OK;
};

export const qAttached: Handler = () => "1";

export const qC: Handler = (args, state) => {
  expectEmpty(args);
  return `QC${formatThreadId(generalVcpu(state))}`;
};

export const qfThreadInfo: Handler = (args, state) => {
  expectEmpty(args);
  const ids = state.liveVcpus().map((v) => formatThreadId(v.ref));
  return ids.length === 0 ? "l" : `m${ids.join(",")}`;
};

export const qsThreadInfo: Handler = (args) => {
  expectEmpty(args);
  return "l";
};

export const qThreadExtraInfo: Handler = (args, state) => {
  const sel = parseThreadId(args.replace(/^,/, ""));
  const v = state.liveVcpus().find((x) => selects(sel, x.ref));
  if (v === undefined) return E_MALFORMED;
  return textToHex(`${v.domainName}: ${v.state}`);
};

export const qXferFeatures: Handler = (args) => {
  const [, rest] = splitOnce(args, ":");
  const [annex, range] = splitOnce(rest, ":");
  if (annex !== "target.xml") return "E00";
  return xferChunk(TARGET_XML, range);
};

export const qXferThreads: Handler = (args, state) => {
  const [, rest] = splitOnce(args, ":");
  const [annex, range] = splitOnce(rest, ":");
  if (annex !== "") return "E00";
  return xferChunk(threadsXml(state.liveVcpus()), range);
};

export const qRcmd: Handler = (args, state) => {
  const line = Buffer.from(hexToBytes(args.replace(/^,/, ""))).toString("latin1");
  const output = runMonitorCommand(state, line);
  if (output.length > 0) state.console(output);
  return OK;
};

export const qSymbol: Handler = () => OK;

export const stopReason: Handler = (args, state) => {
  expectEmpty(args);
  return state.currentStopReply();
};

export const setThread: Handler = (args, state) => {
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

export const threadAlive: Handler = (args, state) => {
  const sel = parseThreadId(args);
  return sel.tid > 0 && state.liveVcpus().some((v) => selects(sel, v.ref)) ? OK : "E02";
};
