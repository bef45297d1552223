// Traps and the bounce frame (Xen 2.0 arch/x86/traps.c, x86_32/entry.S create_bounce_frame):
// the virtual IDT of set_trap_table, stack_switch, set_callbacks, set_fast_trap, and the
// delivery of exceptions, software interrupts, the event upcall and the failsafe callback onto
// the guest's ring-1 stack. From ring 1 the frame goes on the current stack
// ([cr2] [error] EIP CS EFLAGS); from ring 2/3 on SS1:ESP1 with ESP SS above, and from V86 mode
// with ES DS FS GS above those. A frame that cannot be written crashes the domain, as in Xen.
import createDebug from "debug";
import {
  BOUNCE_EFLAGS_MASK, EFAULT, EPERM, NR_TRAP_VECTORS, SHARED_INFO, TI_DISABLE_EVENTS, TI_DPL_MASK,
  TRAP_INFO, TRAP_debug, TRAP_double_fault, TRAP_gp_fault, TRAP_int3, TRAP_machine_check,
  TRAP_nmi, TRAP_no_device, TRAP_overflow, TRAP_page_fault, __HYPERVISOR_set_trap_table,
} from "./abi.js";
import type { XenCore } from "./core.js";
import { isValidRing1CodeSelector } from "./descriptors.js";
import { S_CS, S_DS, S_ES, S_FS, S_GS, S_SS, R_ESP, type Domain } from "./domain.js";
import { copyFromGuest, writeGuest32, type AddressSpace } from "./guest-memory.js";
import { canLoadDataSegment, stackLinear } from "./segments.js";
import { contextCpl, inVm86 } from "./vm86.js";

const log = createDebug("xen:traps");

/**
 * set_trap_table(table): EBX = VA of trap_info_t entries, ended by one with address 0. Each entry
 * replaces traps[vector]; a handler CS that is not a ring-1 code selector gives -EPERM.
 */
export function doSetTrapTable(as: AddressSpace, d: Domain, tableVa: number): number {
  const v = d.vcpu;
  for (let i = 0; ; i++) {
    const raw = copyFromGuest(as, (tableVa + i * TRAP_INFO.SIZE) >>> 0, TRAP_INFO.SIZE);
    if (!raw) return -EFAULT;
    const dv = new DataView(raw.buffer);
    const address = dv.getUint32(TRAP_INFO.address, true);
    if (address === 0) return 0;
    const cs = dv.getUint16(TRAP_INFO.cs, true);
    if (!isValidRing1CodeSelector(cs)) return -EPERM;
    const vector = raw[TRAP_INFO.vector];
    v.trapCs[vector] = cs;
    v.trapEip[vector] = address;
    v.trapFlags[vector] = raw[TRAP_INFO.flags];
    if (i + 1 >= NR_TRAP_VECTORS && !v.inMulticall) {
      // A long list: Xen preempts and the guest re-enters the call at the next entry.
      v.continuation = { nr: __HYPERVISOR_set_trap_table, args: [(tableVa + (i + 1) * TRAP_INFO.SIZE) >>> 0] };
      return 0;
    }
  }
}

/** stack_switch(ss, esp): EBX, ECX = the ring-1 stack for bounces from ring 2/3. */
export function doStackSwitch(d: Domain, ss: number, esp: number): number {
  if ((ss & 3) === 0) return -EPERM;
  d.vcpu.kernelSs = ss & 0xffff;
  d.vcpu.kernelEsp = esp >>> 0;
  return 0;
}

/** set_callbacks(event_cs, event_eip, failsafe_cs, failsafe_eip) in EBX, ECX, EDX, ESI. */
export function doSetCallbacks(d: Domain, eventCs: number, eventEip: number, failsafeCs: number, failsafeEip: number): number {
  if (!isValidRing1CodeSelector(eventCs & 0xffff) || !isValidRing1CodeSelector(failsafeCs & 0xffff)) return -EPERM;
  const v = d.vcpu;
  v.eventCs = eventCs & 0xffff;
  v.eventEip = eventEip >>> 0;
  v.failsafeCs = failsafeCs & 0xffff;
  v.failsafeEip = failsafeEip >>> 0;
  return 0;
}

/**
 * set_fast_trap(vector): only 0x80 or 0x20..0x2f, whose entry must not disable events; 0 turns
 * it off. Returns -1 on a refused vector, as Xen 2.0 does. The vector stays a normal DPL-checked
 * trap here, which is what the guest observes.
 */
export function doSetFastTrap(d: Domain, vector: number): number {
  if (vector === 0) {
    d.vcpu.fastTrap = 0;
    return 0;
  }
  if (vector !== 0x80 && (vector < 0x20 || vector > 0x2f)) return -1;
  if (d.vcpu.trapFlags[vector] & TI_DISABLE_EVENTS) return -1;
  d.vcpu.fastTrap = vector;
  return 0;
}

/** fpu_taskswitch(): sets CR0.TS; the next FPU use traps with #NM to the guest. */
export function doFpuTaskswitch(d: Domain): number {
  d.vcpu.fpuTsRequested = true;
  d.vcpu.cr0Ts = true;
  return 0;
}

// ---- Bounce frames -----------------------------------------------------------------------------

/** Pushes `words` (lowest address first) below SS:ESP; the new ESP, or -1 on a fault. */
function pushWords(x: XenCore, as: AddressSpace, d: Domain, ss: number, esp: number, words: Uint32Array, count: number): number {
  const newEsp = (esp - count * 4) >>> 0;
  const lin = stackLinear(x, as, d, ss, newEsp);
  if (lin < 0 || stackLinear(x, as, d, ss, (esp - 4) >>> 0) < 0) return -1;
  for (let i = 0; i < count; i++) {
    if (!writeGuest32(as, (lin + i * 4) >>> 0, words[i])) return -1;
  }
  return newEsp;
}

/** Room for the largest bounce frame: 4 failsafe words, CR2, error code, EIP CS EFLAGS, ESP SS, 4 vm86 selectors. */
const FRAME_SCRATCH = new Uint32Array(16);

export interface BounceOptions {
  errorCode?: number;
  cr2?: number;
  /** Set upcall_mask on entry (trap flag TI_DISABLE_EVENTS, and always for the upcall). */
  maskEvents?: boolean;
  /** Extra words below the frame (the failsafe's DS ES FS GS). */
  below?: number[];
}

/**
 * Builds a bounce frame on the guest's ring-1 stack and enters cs:eip. Returns false if the
 * domain was crashed because the frame could not be written.
 */
export function bounceTo(x: XenCore, as: AddressSpace, d: Domain, cs: number, eip: number, opt: BounceOptions, what: string): boolean {
  const r = d.vcpu.regs;
  const vm86 = inVm86(r);
  const fromRing = contextCpl(r);
  // The frame is gathered in a scratch buffer, lowest address first (no array per bounce).
  const frame = FRAME_SCRATCH;
  let n = 0;
  if (opt.below) for (let i = 0; i < opt.below.length; i++) frame[n++] = opt.below[i];
  if (opt.cr2 !== undefined) frame[n++] = opt.cr2;
  if (opt.errorCode !== undefined) frame[n++] = opt.errorCode;
  frame[n++] = r.eip;
  frame[n++] = r.seg[S_CS];
  frame[n++] = r.eflags;
  let ss: number;
  let esp: number;
  if (fromRing === 1) {
    ss = r.seg[S_SS];
    esp = r.gpr[R_ESP];
  } else {
    frame[n++] = r.gpr[R_ESP];
    frame[n++] = r.seg[S_SS];
    if (vm86) {
      frame[n++] = r.seg[S_ES];
      frame[n++] = r.seg[S_DS];
      frame[n++] = r.seg[S_FS];
      frame[n++] = r.seg[S_GS];
    }
    ss = d.vcpu.kernelSs;
    esp = d.vcpu.kernelEsp;
  }
  const newEsp = pushWords(x, as, d, ss, esp, frame, n);
  if (newEsp < 0) {
    x.crash(d, `cannot write the ${what} bounce frame at ${ss.toString(16)}:${(esp >>> 0).toString(16)}`);
    return false;
  }
  x.counters.bounces++;
  if (vm86) {
    // The data segments hold real-mode values: null them, as the CPU does on leaving V86 mode.
    x.counters.vm86Bounces++;
    for (const s of [S_ES, S_DS, S_FS, S_GS]) r.seg[s] = 0;
  }
  r.seg[S_SS] = ss;
  r.gpr[R_ESP] = newEsp | 0;
  r.seg[S_CS] = cs;
  r.eip = eip >>> 0;
  r.eflags = (r.eflags & BOUNCE_EFLAGS_MASK) >>> 0;
  if (opt.maskEvents) x.mem.write8(d.sharedInfoMfn * 4096 + SHARED_INFO.evtchn_upcall_mask, 1);
  return true;
}

/** Vectors whose hardware frame carries an error code. */
function hasErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}

/** Bounces `vector` through the guest's virtual IDT; a missing handler crashes the domain. */
export function bounceTrap(x: XenCore, as: AddressSpace, d: Domain, vector: number, opt: BounceOptions): boolean {
  const v = d.vcpu;
  if (v.trapEip[vector] === 0) {
    x.crash(d, `no handler for trap ${vector} at eip ${v.regs.eip.toString(16)}`);
    return false;
  }
  return bounceTo(x, as, d, v.trapCs[vector], v.trapEip[vector], {
    ...opt,
    maskEvents: (v.trapFlags[vector] & TI_DISABLE_EVENTS) !== 0,
  }, `trap ${vector}`);
}

/** What the CPU reports when a guest's run stops on an exception or interrupt instruction. */
export interface GuestException {
  vector: number;
  errorCode: number;
  /** The faulting address for #PF. */
  cr2: number;
  /** For `int n` (and int3/into): the instruction length; EIP in the context is the next one. */
  softwareInt: boolean;
  instrLength: number;
}

/**
 * Reflects an exception or software interrupt into the guest the way Xen 2.0's trap handlers do.
 * The vcpu context holds the state at the faulting instruction. Returns false if the domain died.
 */
export function deliverException(x: XenCore, as: AddressSpace, d: Domain, e: GuestException): boolean {
  const r = d.vcpu.regs;
  const cpl = contextCpl(r); // int n from V86 mode is checked against 3
  if (e.softwareInt) {
    // EIP in the context is already past the instruction (the CPU's convention for traps).
    const n = e.vector;
    if (n === TRAP_int3 || n === TRAP_overflow) return bounceTrap(x, as, d, n, {}); // DPL 3 in Xen's IDT
    const dpl = d.vcpu.trapFlags[n] & TI_DPL_MASK;
    if (d.vcpu.trapEip[n] !== 0 && dpl >= cpl) return bounceTrap(x, as, d, n, {});
    r.eip = (r.eip - e.instrLength) >>> 0; // #GP reports the int instruction itself
    return bounceTrap(x, as, d, TRAP_gp_fault, { errorCode: (n << 3) | 2 });
  }
  const vec = e.vector;
  if (vec === TRAP_nmi || vec === TRAP_double_fault || vec === TRAP_machine_check) {
    x.crash(d, `fatal trap ${vec}`);
    return false;
  }
  if (vec === TRAP_no_device) {
    d.vcpu.cr0Ts = false;
    if (!d.vcpu.fpuTsRequested) return true; // Xen's own lazy-FPU trap: just resume
    d.vcpu.fpuTsRequested = false;
    return bounceTrap(x, as, d, vec, {});
  }
  if (vec === TRAP_page_fault) {
    r.cr2 = e.cr2 >>> 0;
    return bounceTrap(x, as, d, vec, { errorCode: e.errorCode, cr2: e.cr2 });
  }
  if (vec === TRAP_debug) d.vcpu.debugreg[6] = e.errorCode >>> 0;
  return bounceTrap(x, as, d, vec, hasErrorCode(vec) ? { errorCode: e.errorCode } : {});
}

/**
 * On every return to the guest: if a data segment register can no longer be loaded, enter the
 * failsafe callback with DS ES FS GS below the frame and null selectors loaded (Xen's failsafe).
 * Returns false if the domain died.
 */
export function checkSegmentsOnReturn(x: XenCore, as: AddressSpace, d: Domain): boolean {
  const r = d.vcpu.regs;
  if (inVm86(r)) return true; // real-mode segment values are not selectors: no failsafe for them
  const cpl = r.seg[S_CS] & 3;
  const sg = r.seg;
  if (canLoadDataSegment(x, as, d, sg[S_DS], cpl) && canLoadDataSegment(x, as, d, sg[S_ES], cpl) &&
    canLoadDataSegment(x, as, d, sg[S_FS], cpl) && canLoadDataSegment(x, as, d, sg[S_GS], cpl)) return true;
  const order = [S_DS, S_ES, S_FS, S_GS];
  const v = d.vcpu;
  const below = order.map((s) => r.seg[s]);
  log("d%d failsafe: DS %s ES %s FS %s GS %s", d.id, ...below.map((s) => s.toString(16)));
  for (const s of order) r.seg[s] = 0;
  if (v.failsafeEip === 0) {
    x.crash(d, "bad data segment on return and no failsafe callback");
    return false;
  }
  x.counters.failsafe++;
  return bounceTo(x, as, d, v.failsafeCs, v.failsafeEip, { below }, "failsafe");
}

/** Whether `d` has an event upcall pending and not masked (the return path would enter it). */
export function upcallDue(mem: Uint8Array, d: Domain): boolean {
  const base = d.sharedInfoMfn * 4096;
  return mem[base + SHARED_INFO.evtchn_upcall_pending] !== 0 && mem[base + SHARED_INFO.evtchn_upcall_mask] === 0;
}

/** Enters the event callback if an upcall is pending and not masked; Xen then masks events. */
export function deliverUpcallIfPending(x: XenCore, as: AddressSpace, d: Domain): boolean {
  if (!upcallDue(x.mem.u8, d)) return true;
  const v = d.vcpu;
  if (v.eventEip === 0) {
    x.crash(d, "events unmasked with no event callback");
    return false;
  }
  x.counters.upcalls++;
  return bounceTo(x, as, d, v.eventCs, v.eventEip, { maskEvents: true }, "event");
}

/**
 * Xen's return-to-guest path, in entry.S order: a pending upcall gets its bounce frame first
 * (test_all_events), then the data segments are reloaded, whose failure stacks the failsafe
 * frame on top (restore_all_guest).
 */
export function returnToGuest(x: XenCore, as: AddressSpace, d: Domain): boolean {
  if (!deliverUpcallIfPending(x, as, d)) return false;
  return checkSegmentsOnReturn(x, as, d);
}
