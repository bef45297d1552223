// The RSP command table: packet prefix -> handler (GDB manual, "Packets" and "General Query
// Packets"; the set GDB 13 uses is in gdb-rsp.md section 3). Unknown packets get the empty
// reply, malformed ones `E01`, target refusals `E.text`; nothing throws past dispatch().
// Handlers see the session only through StubState (command-state.ts).
import createDebug from "debug";
import { E_MALFORMED, EMPTY, Refusal, refusedText, type Handler, type HandlerResult, type StubState } from "./command-state.js";
import * as query from "./query-commands.js";
import * as data from "./data-commands.js";
import * as run from "./run-commands.js";

export { HexReply, NO_REPLY, type HandlerResult, type StubState } from "./command-state.js";

const log = createDebug("gdbstub");

interface Entry {
  /** Packet prefix. */
  name: string;
  /** The name must be followed by the end or one of `:,;` (q, Q and v packets). */
  delimited: boolean;
  handler: Handler;
}

const TABLE: Entry[] = [
  { name: "qSupported", delimited: true, handler: query.qSupported },
  { name: "QStartNoAckMode", delimited: true, handler: query.startNoAckMode },
  { name: "qAttached", delimited: true, handler: query.qAttached },
  { name: "qC", delimited: true, handler: query.qC },
  { name: "qfThreadInfo", delimited: true, handler: query.qfThreadInfo },
  { name: "qsThreadInfo", delimited: true, handler: query.qsThreadInfo },
  { name: "qThreadExtraInfo", delimited: true, handler: query.qThreadExtraInfo },
  { name: "qXfer:features:read", delimited: true, handler: query.qXferFeatures },
  { name: "qXfer:threads:read", delimited: true, handler: query.qXferThreads },
  { name: "qRcmd", delimited: true, handler: query.qRcmd },
  { name: "qSymbol", delimited: true, handler: query.qSymbol },
  { name: "?", delimited: false, handler: query.stopReason },
  { name: "H", delimited: false, handler: query.setThread },
  { name: "T", delimited: false, handler: query.threadAlive },
  { name: "g", delimited: false, handler: data.readAllRegisters },
  { name: "G", delimited: false, handler: data.writeAllRegisters },
  { name: "p", delimited: false, handler: data.readRegister },
  { name: "P", delimited: false, handler: data.writeRegister },
  { name: "m", delimited: false, handler: data.readMemory },
  { name: "M", delimited: false, handler: data.writeMemory },
  { name: "X", delimited: false, handler: data.binaryWrite },
  ...data.Z_TYPES.map((t, i): Entry => ({ name: `Z${i}`, delimited: false, handler: data.insertPoint(t) })),
  ...data.Z_TYPES.map((t, i): Entry => ({ name: `z${i}`, delimited: false, handler: data.removePoint(t) })),
  { name: "vCont?", delimited: true, handler: run.vContQuery },
  { name: "vCont", delimited: true, handler: run.vCont },
  { name: "vKill", delimited: true, handler: run.vKill },
  { name: "c", delimited: false, handler: run.legacyResume(false, false) },
  { name: "C", delimited: false, handler: run.legacyResume(false, true) },
  { name: "s", delimited: false, handler: run.legacyResume(true, false) },
  { name: "S", delimited: false, handler: run.legacyResume(true, true) },
  { name: "D", delimited: false, handler: run.detach },
  { name: "k", delimited: false, handler: run.kill },
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
