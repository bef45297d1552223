// Thread ids on the wire: multiprocess `pPID.TID` (or a bare TID), with pid = domid + 1 and
// tid = vcpu + 1, because 0 means "any" and -1 "all" (GDB manual, "thread-id syntax").
import { parseHex32 } from "./hex.js";
import type { VcpuRef } from "./target.js";

/** A parsed thread-id: a number, 0 for "any", -1 for "all", in each part. */
export interface ThreadSelector {
  pid: number | null;
  tid: number;
}

function part(text: string): number {
  if (text === "-1") return -1;
  return parseHex32(text);
}

export function parseThreadId(text: string): ThreadSelector {
  if (text.startsWith("p")) {
    const dot = text.indexOf(".");
    if (dot < 0) return { pid: part(text.slice(1)), tid: -1 };
    return { pid: part(text.slice(1, dot)), tid: part(text.slice(dot + 1)) };
  }
  return { pid: null, tid: part(text) };
}

export function formatThreadId(ref: VcpuRef): string {
  return `p${(ref.domain + 1).toString(16)}.${(ref.vcpu + 1).toString(16)}`;
}

export function pidOf(domain: number): number {
  return domain + 1;
}

/** True when `ref` is one of the threads `sel` names. */
export function selects(sel: ThreadSelector, ref: VcpuRef): boolean {
  const pidOk = sel.pid === null || sel.pid <= 0 || sel.pid === ref.domain + 1;
  const tidOk = sel.tid <= 0 || sel.tid === ref.vcpu + 1;
  return pidOk && tidOk;
}
