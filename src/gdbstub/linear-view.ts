// The linear view of a vcpu's registers (gdb-rsp.md section 6, "recommended policy"): memory,
// breakpoints and watchpoints are all linear addresses, so the stub shows eip as CS.base + eip
// and esp/ebp as SS.base + esp/ebp. For flat segments (Xen's, MINIX's kernel) nothing changes;
// for a MINIX process with segment bases, gdb then sees its pc where its breakpoints are.
import type { RegisterSnapshot, RegisterValue } from "./target.js";

/** Which segment base each linearised register is relative to. */
const LINEARISED: Record<string, string> = { eip: "cs_base", esp: "ss_base", ebp: "ss_base" };

function baseOf(raw: RegisterSnapshot, name: string): number {
  const segment = LINEARISED[name];
  const base = segment === undefined ? undefined : raw.get(segment);
  return typeof base === "number" ? base : 0;
}

/** The registers as gdb sees them: eip, esp and ebp made linear. */
export function toLinear(raw: RegisterSnapshot): RegisterSnapshot {
  if (baseOf(raw, "eip") === 0 && baseOf(raw, "esp") === 0) return raw;
  const view = new Map(raw);
  for (const name of Object.keys(LINEARISED)) {
    const v = raw.get(name);
    if (typeof v === "number") view.set(name, (v + baseOf(raw, name)) >>> 0);
  }
  return view;
}

/** A value gdb writes to a register, turned back into what the vcpu holds. */
export function fromLinear(raw: RegisterSnapshot, name: string, value: RegisterValue): RegisterValue {
  if (typeof value !== "number" || !(name in LINEARISED)) return value;
  return (value - baseOf(raw, name)) >>> 0;
}

/** Code segment base of a vcpu, for turning linear code addresses (step ranges) into eip values. */
export function codeBase(raw: RegisterSnapshot): number {
  return baseOf(raw, "eip");
}
