// The hypercall router (Xen 2.0 x86_32/entry.S hypercall_table): EAX masked with
// NR_hypercalls-1 selects the handler, EBX ECX EDX ESI EDI are its arguments, the result goes
// to EAX. Slots without a handler give -ENOSYS. Handlers live with their concept; the small
// ones (sched_op, timer, debug registers, version, console_io, vm_assist...) are here.
import createDebug from "debug";
import {
  CONSOLEIO_MAX_WRITE, CONSOLEIO_read, CONSOLEIO_write, DEBUGREG_ADDR_MAX, EFAULT, EINVAL, ENOSYS,
  EPERM, MAX_VMASST_TYPE, MULTICALL_ENTRY, NR_hypercalls, SCHEDOP_block, SCHEDOP_cmdmask,
  SCHEDOP_reasonshift, SCHEDOP_shutdown, SCHEDOP_yield, SHARED_INFO, VMASST_CMD_disable,
  VMASST_CMD_enable, XEN_VERSION, __HYPERVISOR_console_io, __HYPERVISOR_dom0_op,
  __HYPERVISOR_dom_mem_op, __HYPERVISOR_event_channel_op, __HYPERVISOR_fpu_taskswitch,
  __HYPERVISOR_get_debugreg, __HYPERVISOR_grant_table_op, __HYPERVISOR_mmu_update,
  __HYPERVISOR_multicall, __HYPERVISOR_physdev_op, __HYPERVISOR_sched_op,
  __HYPERVISOR_set_callbacks, __HYPERVISOR_set_debugreg, __HYPERVISOR_set_fast_trap,
  __HYPERVISOR_set_gdt, __HYPERVISOR_set_timer_op, __HYPERVISOR_set_trap_table,
  __HYPERVISOR_stack_switch, __HYPERVISOR_switch_vm86, __HYPERVISOR_update_descriptor,
  __HYPERVISOR_update_va_mapping, __HYPERVISOR_update_va_mapping_otherdomain,
  __HYPERVISOR_vm_assist, __HYPERVISOR_xen_version,
} from "./abi.js";
import { R_EAX, type Domain } from "./domain.js";
import { doEventChannelOp } from "./evtchn.js";
import { doSetGdt, doUpdateDescriptor } from "./gdt.js";
import { doGrantTableOp } from "./grant-table.js";
import { copyFromGuest, copyToGuest, type AddressSpace } from "./guest-memory.js";
import type { XenHost } from "./host.js";
import { doDomMemOp, doMmuUpdate, doUpdateVaMapping } from "./mm.js";
import { doFpuTaskswitch, doSetCallbacks, doSetFastTrap, doSetTrapTable, doStackSwitch } from "./traps.js";
import { doSwitchVm86 } from "./vm86.js";

const log = createDebug("xen:hypercall");

/** Entries of a multicall run per Xen entry before it is preempted and re-entered. */
export const MULTICALL_PREEMPT_BATCH = 128;

/** Counts per domain, hypercall number and result, for tests, benchmarks and statistics. */
export class HypercallStats {
  /** Key "domid:nr:rc" (rc is "ok" for results >= 0). */
  readonly calls = new Map<string, number>();
  note(domid: number, nr: number, rc: number): void {
    const key = `${domid}:${nr}:${rc < 0 ? rc : "ok"}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }
  /** Calls of `nr` (with result `rc` if given) by the domains in `domids` (all if omitted). */
  count(nr: number, rc?: number | "ok", domids?: ReadonlySet<number>): number {
    let n = 0;
    for (const [k, v] of this.calls) {
      const [dom, knr, krc] = k.split(":");
      if (Number(knr) !== nr || (rc !== undefined && krc !== String(rc))) continue;
      if (domids && !domids.has(Number(dom))) continue;
      n += v;
    }
    return n;
  }
}

/** sched_op(op): EBX = command in bits 7:0, shutdown reason in bits 15:8. */
function doSchedOp(h: XenHost, d: Domain, op: number): number {
  switch (op & SCHEDOP_cmdmask) {
    case SCHEDOP_yield:
      h.sched.yieldRequested = true;
      return 0;
    case SCHEDOP_block: {
      // Block enables events; an upcall already due cancels the block.
      const base = d.sharedInfoMfn * 4096;
      h.mem.write8(base + SHARED_INFO.evtchn_upcall_mask, 0);
      if (h.mem.u8[base + SHARED_INFO.evtchn_upcall_pending] === 0) {
        d.blocked = true;
        h.sched.yieldRequested = true;
      }
      return 0;
    }
    case SCHEDOP_shutdown:
      h.shutdownDomain(d, (op >>> SCHEDOP_reasonshift) & 0xff);
      return 0;
    default:
      return -ENOSYS;
  }
}

/** set_debugreg(reg, value): DR0-3 below Xen, DR6 reserved bits forced, DR7 without GD or I/O. */
function doSetDebugreg(d: Domain, reg: number, value: number): number {
  value >>>= 0;
  switch (reg) {
    case 0: case 1: case 2: case 3:
      if (value > DEBUGREG_ADDR_MAX) return -EPERM;
      break;
    case 6:
      value = ((value & 0x0000e00f) | 0xffff0ff0) >>> 0;
      break;
    case 7:
      if (value & (1 << 13)) return -EPERM; // GD
      for (let i = 0; i < 4; i++) {
        if (((value >>> (16 + i * 4)) & 3) === 2) return -EPERM; // I/O breakpoint
        if (((value >>> (18 + i * 4)) & 3) === 2) return -EPERM; // 8-byte length
      }
      break;
    default:
      return -EINVAL;
  }
  d.vcpu.debugreg[reg] = value;
  return 0;
}

/** console_io(cmd, count, buf): allowed for every domain here (Xen's verbose build; see README). */
function doConsoleIo(h: XenHost, as: AddressSpace, d: Domain, cmd: number, count: number, bufVa: number): number {
  if (cmd === CONSOLEIO_write) {
    const n = Math.min(count >>> 0, CONSOLEIO_MAX_WRITE);
    const bytes = copyFromGuest(as, bufVa, n);
    if (!bytes) return -EFAULT;
    const nul = bytes.indexOf(0);
    h.console.consoleIo(d.id, nul >= 0 ? bytes.subarray(0, nul) : bytes);
    return n;
  }
  if (cmd === CONSOLEIO_read) {
    const bytes = h.console.consoleIoRead?.(d.id, count >>> 0) ?? new Uint8Array(0);
    if (bytes.length > 0 && !copyToGuest(as, bufVa, bytes)) return -EFAULT;
    return bytes.length;
  }
  return -ENOSYS;
}

/** vm_assist(cmd, type): bits of d.vmAssist; type > 2 -EINVAL, unknown cmd -ENOSYS. */
function doVmAssist(d: Domain, cmd: number, type: number): number {
  if (type >>> 0 > MAX_VMASST_TYPE) return -EINVAL;
  if (cmd === VMASST_CMD_enable) d.vmAssist |= 1 << type;
  else if (cmd === VMASST_CMD_disable) d.vmAssist &= ~(1 << type);
  else return -ENOSYS;
  return 0;
}

/** multicall(list, nr): each entry's result goes to args[5]; nesting is refused. */
function doMulticall(h: XenHost, as: AddressSpace, d: Domain, listVa: number, nr: number): number {
  const v = d.vcpu;
  if (v.inMulticall) return -EINVAL;
  v.inMulticall = true;
  try {
    for (let i = 0; i < nr >>> 0; i++) {
      const at = (listVa + i * MULTICALL_ENTRY.SIZE) >>> 0;
      if (i >= MULTICALL_PREEMPT_BATCH) {
        v.continuation = { nr: __HYPERVISOR_multicall, args: [at, (nr - i) >>> 0] };
        return 0;
      }
      const raw = copyFromGuest(as, at, MULTICALL_ENTRY.SIZE);
      if (!raw) return -EFAULT;
      const dv = new DataView(raw.buffer);
      const a = (k: number): number => dv.getUint32(MULTICALL_ENTRY.args + k * 4, true);
      const rc = hypercall(h, d, dv.getUint32(MULTICALL_ENTRY.op, true), a(0), a(1), a(2), a(3), a(4));
      const out = new Uint8Array(4);
      new DataView(out.buffer).setInt32(0, rc, true);
      if (!copyToGuest(as, at + MULTICALL_ENTRY.result, out)) return -EFAULT;
      if (!d.canRun && d.shutdownReason !== null) break;
    }
    return 0;
  } finally {
    v.inMulticall = false;
  }
}

/** The hypercall EAX selects: the entry stub masks it with NR_hypercalls-1. */
export function hypercallNumber(eax: number): number {
  return (eax >>> 0) & (NR_hypercalls - 1);
}

/**
 * Runs hypercall `eax` for domain `d` with arguments EBX..EDI; returns the value for EAX.
 * Side effects on scheduling (block, yield, shutdown) are left for the host's loop.
 */
export function hypercall(h: XenHost, d: Domain, eax: number, ebx: number, ecx: number, edx: number, esi: number, edi: number): number {
  const nr = hypercallNumber(eax);
  const as = h.addressSpace(d);
  const x = h.core;
  let rc: number;
  switch (nr) {
    case __HYPERVISOR_set_trap_table: rc = doSetTrapTable(as, d, ebx); break;
    case __HYPERVISOR_mmu_update: rc = doMmuUpdate(x, as, d, ebx, ecx, edx); break;
    case __HYPERVISOR_set_gdt: rc = doSetGdt(x, as, d, ebx, ecx); break;
    case __HYPERVISOR_stack_switch: rc = doStackSwitch(d, ebx, ecx); break;
    case __HYPERVISOR_set_callbacks: rc = doSetCallbacks(d, ebx, ecx, edx, esi); break;
    case __HYPERVISOR_fpu_taskswitch: rc = doFpuTaskswitch(d); break;
    case __HYPERVISOR_sched_op: rc = doSchedOp(h, d, ebx); break;
    case __HYPERVISOR_dom0_op: rc = -EPERM; break; // the control plane is native TypeScript
    case __HYPERVISOR_set_debugreg: rc = doSetDebugreg(d, ebx, ecx); break;
    case __HYPERVISOR_get_debugreg: rc = ebx >>> 0 > 7 ? -EINVAL : d.vcpu.debugreg[ebx] | 0; break;
    case __HYPERVISOR_update_descriptor: rc = doUpdateDescriptor(x, d, ebx, ecx, edx); break;
    case __HYPERVISOR_set_fast_trap: rc = doSetFastTrap(d, ebx); break;
    case __HYPERVISOR_dom_mem_op: rc = doDomMemOp(x, as, d, ebx, ecx, edx, esi, edi); break;
    case __HYPERVISOR_multicall: rc = doMulticall(h, as, d, ebx, ecx); break;
    case __HYPERVISOR_update_va_mapping: rc = doUpdateVaMapping(x, d, ebx, ecx, edx); break;
    case __HYPERVISOR_set_timer_op:
      d.timerDeadlineNs = (ebx >>> 0) * 0x1_0000_0000 + (ecx >>> 0);
      rc = 0;
      break;
    case __HYPERVISOR_event_channel_op: rc = doEventChannelOp(x, as, d, ebx); break;
    case __HYPERVISOR_xen_version: rc = ebx === 0 ? XEN_VERSION : -ENOSYS; break;
    case __HYPERVISOR_console_io: rc = doConsoleIo(h, as, d, ebx, ecx, edx); break;
    case __HYPERVISOR_physdev_op: rc = -EPERM; break; // no physical devices for a domU
    case __HYPERVISOR_grant_table_op: rc = doGrantTableOp(x, as, d, ebx, ecx, edx); break;
    case __HYPERVISOR_vm_assist: rc = doVmAssist(d, ebx, ecx); break;
    case __HYPERVISOR_update_va_mapping_otherdomain: rc = -EPERM; break; // privileged only
    case __HYPERVISOR_switch_vm86:
      // The entry stub's assembly routine needs the guest's own frame; inside a multicall there
      // is none (Xen 2.0 would misread its stack), so it is refused here.
      if (d.vcpu.inMulticall) { rc = -EINVAL; break; }
      // No result: EAX comes from the activation. The histogram counts a crash as -EFAULT.
      rc = doSwitchVm86(x, as, d) ? 0 : -EFAULT;
      h.stats.note(d.id, nr, rc);
      return d.vcpu.regs.gpr[R_EAX];
    default: rc = -ENOSYS;
  }
  h.stats.note(d.id, nr, rc);
  if (rc < 0) log("d%d hypercall %d -> %d", d.id, nr, rc);
  return rc;
}
