// Stop-reply packets (GDB manual, "Stop Reply Packets"): `T` with the signal, the thread, the
// expedited esp/ebp/eip (so gdb needs no `g` after a step) and the stop reason; `W` when a
// domain is gone. Reasons swbreak/hwbreak are sent only when gdb offered them in qSupported.
import { hex2 } from "./packet.js";
import { registerToHex } from "./hex.js";
import { EXPEDITED, registerByNumber } from "./registers.js";
import { formatThreadId, pidOf } from "./thread-id.js";
import type { RegisterSnapshot, StopReason, VcpuRef } from "./target.js";

export const SIGINT = 2;
export const SIGTRAP = 5;
export const SIGSEGV = 11;

export interface StopReplyFeatures {
  swbreak: boolean;
  hwbreak: boolean;
}

/** The signal gdb is told; `requestedSignal` is SIGINT after Ctrl-C and SIGTRAP after attach. */
export function stopSignal(reason: StopReason, requestedSignal: number): number {
  switch (reason.kind) {
    case "requested":
      return requestedSignal;
    case "crash":
      return SIGSEGV;
    default:
      return SIGTRAP;
  }
}

export function formatStopReply(
  vcpu: VcpuRef,
  reason: StopReason,
  signal: number,
  registers: RegisterSnapshot,
  features: StopReplyFeatures,
): string {
  let reply = `T${hex2(signal)}thread:${formatThreadId(vcpu)};`;
  for (const regnum of EXPEDITED) {
    const info = registerByNumber(regnum)!;
    const value = registers.get(info.name);
    if (value !== undefined) reply += `${hex2(regnum)}:${registerToHex(value, info.bits)};`;
  }
  if (reason.kind === "breakpoint") {
    if (reason.type === "software" && features.swbreak) reply += "swbreak:;";
    if (reason.type === "hardware" && features.hwbreak) reply += "hwbreak:;";
  } else if (reason.kind === "watchpoint") {
    const name = reason.type === "write" ? "watch" : reason.type === "read" ? "rwatch" : "awatch";
    reply += `${name}:${(reason.address >>> 0).toString(16)};`;
  }
  return reply;
}

export function formatExitReply(domain: number, status: number): string {
  return `W${hex2(status & 0xff)};process:${pidOf(domain).toString(16)}`;
}
