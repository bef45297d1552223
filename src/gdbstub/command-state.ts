// What the command handlers share: the session as they see it (StubState), the reply
// conventions (empty = unknown, E01 = malformed, E14 = memory fault, E.text = refused) and the
// argument helpers. Handlers live in query-commands, data-commands and run-commands.
import { parseHex32 } from "./hex.js";
import { selects, type ThreadSelector } from "./thread-id.js";
import type { MonitorSession } from "./monitor.js";
import type {
  Breakpoint,
  DebugTarget,
  RegisterSnapshot,
  RegisterValue,
  ResumeRequest,
  TargetResult,
  VcpuInfo,
  VcpuRef,
} from "./target.js";

/** Returned by a handler that answers later (a resume: the stop reply comes with the stop). */
export const NO_REPLY = null;

/**
 * A reply that is bytes sent as hex (a memory read): the link frames it straight from the bytes,
 * since building the hex string first dominated 16 MiB memory dumps.
 */
export class HexReply {
  constructor(readonly bytes: Uint8Array) {}
}

export type HandlerResult = string | HexReply | typeof NO_REPLY;

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

export type Handler = (args: string, state: StubState) => HandlerResult;

/** A refusal by the target or an impossible request, replied as `E.text`. */
export class Refusal extends Error {}

export const OK = "OK";
export const EMPTY = "";
export const E_MALFORMED = "E01";
export const E_FAULT = "E14";

export function refusedText(message: string): string {
  // E.text must stay inside the packet: no framing characters, ASCII only.
  return `E.${message.replace(/[^\x20-\x7e]|[$#*}]/g, "?")}`;
}

export function resultReply(result: TargetResult): string {
  return result.ok ? OK : refusedText(result.message);
}

export function splitOnce(text: string, sep: string): [string, string] {
  const i = text.indexOf(sep);
  if (i < 0) throw new SyntaxError(`Cannot parse "${text.slice(0, 24)}": missing '${sep}'`);
  return [text.slice(0, i), text.slice(i + 1)];
}

export function expectEmpty(args: string): void {
  if (args.length > 0) throw new SyntaxError("Cannot parse packet: unexpected arguments");
}

/**
 * The vcpu whose registers and memory are served: the Hg thread, else the first live one.
 * With no vcpu at all (a host with no debuggable domain yet) it is domain 0's first vcpu, which
 * the target answers with no registers and no memory, so gdb still connects.
 */
export function generalVcpu(state: StubState): VcpuRef {
  const live = state.liveVcpus();
  const g = state.generalThread;
  if (g !== null && live.some((v) => v.ref.domain === g.domain && v.ref.vcpu === g.vcpu)) return g;
  if (live.length === 0) return { domain: 0, vcpu: 0 };
  return live[0].ref;
}

export function findVcpu(state: StubState, sel: ThreadSelector): VcpuRef | null {
  if (sel.tid === 0 && (sel.pid === null || sel.pid === 0)) return generalVcpu(state);
  const match = state.liveVcpus().find((v) => selects(sel, v.ref));
  return match === undefined ? null : match.ref;
}

export function parseAddressLength(text: string): [number, number] {
  const [a, l] = splitOnce(text, ",");
  return [parseHex32(a), parseHex32(l)];
}
