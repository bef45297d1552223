// switch_vm86 (hypercall 23, Xen 2.0 x86_32 entry.S): the guest, in ring 1, leaves on its stack
// the value EAX should get back followed by a virtual-8086 activation; Xen copies that onto its
// own frame, clears IOPL, sets IF and VM, and leaves through the pending-events check. Nothing
// returns to the caller: the guest comes back to ring 1 only through a bounce from V86 mode.
import createDebug from "debug";
import { VM86_ACTIVATION, X86_EFLAGS_IF, X86_EFLAGS_IOPL, X86_EFLAGS_VM } from "./abi.js";
import type { XenCore } from "./core.js";
import { R_EAX, R_ESP, S_CS, S_DS, S_ES, S_FS, S_GS, S_SS, type Domain, type VcpuRegisters } from "./domain.js";
import { copyFromGuest, type AddressSpace } from "./guest-memory.js";
import { stackLinear } from "./segments.js";

const log = createDebug("xen:vm86");

/** Is the saved context a virtual-8086 one (EFLAGS.VM)? */
export function inVm86(r: VcpuRegisters): boolean {
  return (r.eflags & X86_EFLAGS_VM) !== 0;
}

/** The privilege the context runs at: 3 in virtual-8086 mode whatever CS holds. */
export function contextCpl(r: VcpuRegisters): number {
  return inVm86(r) ? 3 : r.seg[S_CS] & 3;
}

/**
 * Reads the activation through the caller's SS:ESP and makes it the vcpu context. Returns
 * false when the stack cannot be read: Xen 2.0 then crashes the domain (domain_crash_synchronous).
 */
export function doSwitchVm86(x: XenCore, as: AddressSpace, d: Domain): boolean {
  const r = d.vcpu.regs;
  const esp = r.gpr[R_ESP] >>> 0;
  const ss = r.seg[S_SS];
  const first = stackLinear(x, as, d, ss, esp);
  const last = stackLinear(x, as, d, ss, (esp + VM86_ACTIVATION.SIZE - 4) >>> 0);
  const raw = first < 0 || last < 0 ? null : copyFromGuest(as, first, VM86_ACTIVATION.SIZE);
  if (!raw) {
    x.crash(d, `switch_vm86 cannot read the activation at ${ss.toString(16)}:${esp.toString(16)}`);
    return false;
  }
  const dv = new DataView(raw.buffer, raw.byteOffset);
  const word = (off: number): number => dv.getUint32(off, true);
  const A = VM86_ACTIVATION;
  r.gpr[R_EAX] = word(A.eax) | 0;
  r.eip = word(A.eip);
  r.eflags = ((word(A.eflags) & ~X86_EFLAGS_IOPL) | X86_EFLAGS_IF | X86_EFLAGS_VM) >>> 0;
  r.gpr[R_ESP] = word(A.esp) | 0;
  r.seg[S_CS] = word(A.cs) & 0xffff;
  r.seg[S_SS] = word(A.ss) & 0xffff;
  r.seg[S_ES] = word(A.es) & 0xffff;
  r.seg[S_DS] = word(A.ds) & 0xffff;
  r.seg[S_FS] = word(A.fs) & 0xffff;
  r.seg[S_GS] = word(A.gs) & 0xffff;
  log("d%d enters vm86 at %s:%s", d.id, r.seg[S_CS].toString(16), r.eip.toString(16));
  return true;
}
