// Event channels (Xen 2.0 common/event_channel.c): per-domain ports in state closed, unbound,
// interdomain, pirq or virq; port 0 is bound to VIRQ_MISDIRECT for ever and receives every
// VIRQ not bound elsewhere. Setting a port pending follows Xen's order: pending bit, mask,
// selector bit, then upcall_pending and a wake-up. event_channel_op reads and writes the
// 32-byte evtchn_op_t in guest memory.
import createDebug from "debug";
import {
  DOMID_SELF, EFAULT, EINVAL, ENOSPC, ENOSYS, EPERM, ESRCH,
  EVTCHNOP_alloc_unbound, EVTCHNOP_bind_interdomain, EVTCHNOP_bind_pirq, EVTCHNOP_bind_virq,
  EVTCHNOP_close, EVTCHNOP_send, EVTCHNOP_status, EVTCHNSTAT_closed, EVTCHNSTAT_interdomain,
  EVTCHNSTAT_unbound, EVTCHNSTAT_virq, EVTCHN_ALLOC_UNBOUND, EVTCHN_BIND_INTERDOMAIN,
  EVTCHN_BIND_VIRQ, EVTCHN_CLOSE, EVTCHN_OP, EVTCHN_SEND, EVTCHN_STATUS, NR_EVENT_CHANNELS,
  NR_VIRQS, SHARED_INFO, VIRQ_MISDIRECT,
} from "./abi.js";
import type { Domain } from "./domain.js";
import type { XenCore } from "./core.js";
import { copyFromGuest, copyToGuest, type AddressSpace } from "./guest-memory.js";

const log = createDebug("xen:evtchn");

/** Xen's port table starts at 16 entries and doubles up to NR_EVENT_CHANNELS. */
const INITIAL_PORTS = 16;

export class EventChannels {
  state = new Uint8Array(INITIAL_PORTS);
  remoteDom = new Int32Array(INITIAL_PORTS);
  remotePort = new Int32Array(INITIAL_PORTS);
  virqOfPort = new Int32Array(INITIAL_PORTS);
  /** Port each VIRQ is bound to; unbound VIRQs use port 0 (VIRQ_MISDIRECT). */
  readonly virqToPort = new Int32Array(NR_VIRQS);

  constructor(readonly domain: Domain) {
    this.state[0] = EVTCHNSTAT_virq;
    this.virqOfPort[0] = VIRQ_MISDIRECT;
  }

  get size(): number {
    return this.state.length;
  }

  isValid(port: number): boolean {
    return Number.isInteger(port) && port >= 0 && port < this.state.length;
  }

  /** Lowest free port, growing the table by doubling; -1 when all 1024 are in use. */
  allocatePort(): number {
    for (let p = 0; p < this.state.length; p++) if (this.state[p] === EVTCHNSTAT_closed) return p;
    const old = this.state.length;
    if (old >= NR_EVENT_CHANNELS) return -1;
    const n = old * 2;
    const grow = <T extends Uint8Array | Int32Array>(a: T, make: (k: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.state = grow(this.state, (k) => new Uint8Array(k));
    this.remoteDom = grow(this.remoteDom, (k) => new Int32Array(k));
    this.remotePort = grow(this.remotePort, (k) => new Int32Array(k));
    this.virqOfPort = grow(this.virqOfPort, (k) => new Int32Array(k));
    return old;
  }
}

function sharedBase(d: Domain): number {
  return d.sharedInfoMfn * 4096;
}

/** Marks `port` of `d` pending, in Xen 2.0's order; wakes the domain when an upcall is due. */
export function setPending(x: XenCore, d: Domain, port: number): void {
  const m = x.mem;
  const base = sharedBase(d);
  const word = port >>> 5;
  const bit = 1 << (port & 31);
  const pendingMa = base + SHARED_INFO.evtchn_pending + word * 4;
  const pending = m.read32(pendingMa);
  if (pending & bit) return;
  m.write32(pendingMa, pending | bit);
  if (m.read32(base + SHARED_INFO.evtchn_mask + word * 4) & bit) return;
  const sel = m.read32(base + SHARED_INFO.evtchn_pending_sel);
  if (sel & (1 << word)) return;
  m.write32(base + SHARED_INFO.evtchn_pending_sel, sel | (1 << word));
  m.write8(base + SHARED_INFO.evtchn_upcall_pending, 1);
  x.wake(d);
}

/** Raises a virtual IRQ in `d` (to its bound port, or port 0 if unbound). */
export function sendVirq(x: XenCore, d: Domain, virq: number): void {
  x.evtchnDeliver(d, d.evtchn.virqToPort[virq]);
}

function resolve(x: XenCore, caller: Domain, domid: number): Domain | null {
  if (domid === DOMID_SELF || domid === caller.id) return caller;
  return x.domains.get(domid) ?? null;
}

// ---- Operations (also the control plane's native API; `caller` privileged for dom0) -----------

export function allocUnbound(x: XenCore, caller: Domain, remoteDomid: number): number {
  const remote = resolve(x, caller, remoteDomid);
  if (!remote) return -ESRCH;
  const port = caller.evtchn.allocatePort();
  if (port < 0) return -ENOSPC;
  caller.evtchn.state[port] = EVTCHNSTAT_unbound;
  caller.evtchn.remoteDom[port] = remote.id;
  return port;
}

/** Connects <d1,port1> and <d2,port2>; a port of 0 means "allocate". Returns [port1, port2] or -errno. */
export function bindInterdomain(
  x: XenCore, caller: Domain, dom1: number, dom2: number, port1: number, port2: number,
): [number, number] | number {
  if (!caller.privileged && dom1 !== DOMID_SELF && dom1 !== caller.id) return -EPERM;
  const d1 = resolve(x, caller, dom1);
  const d2 = resolve(x, caller, dom2);
  if (!d1 || !d2) return -ESRCH;
  const e1 = d1.evtchn;
  const e2 = d2.evtchn;
  const okEnd = (e: EventChannels, p: number, other: Domain): boolean =>
    e.isValid(p) && e.state[p] === EVTCHNSTAT_unbound && e.remoteDom[p] === other.id;
  if (port1 !== 0 && !okEnd(e1, port1, d2)) return -EINVAL;
  // Unprivileged callers reach only a remote port already waiting for them.
  if (!caller.privileged && (port2 === 0 || !okEnd(e2, port2, d1))) return -EINVAL;
  if (caller.privileged && port2 !== 0 && !okEnd(e2, port2, d1) && !(e2.isValid(port2) && e2.state[port2] === EVTCHNSTAT_closed)) return -EINVAL;
  if (port1 === 0) {
    port1 = e1.allocatePort();
    if (port1 < 0) return -ENOSPC;
    e1.state[port1] = EVTCHNSTAT_unbound; // reserve it before allocating the other end
    e1.remoteDom[port1] = d2.id;
  }
  if (port2 === 0) {
    port2 = e2.allocatePort();
    if (port2 < 0) {
      e1.state[port1] = EVTCHNSTAT_closed;
      return -ENOSPC;
    }
  }
  e1.state[port1] = EVTCHNSTAT_interdomain;
  e1.remoteDom[port1] = d2.id;
  e1.remotePort[port1] = port2;
  e2.state[port2] = EVTCHNSTAT_interdomain;
  e2.remoteDom[port2] = d1.id;
  e2.remotePort[port2] = port1;
  log("bound d%d:%d <-> d%d:%d", d1.id, port1, d2.id, port2);
  return [port1, port2];
}

export function bindVirq(caller: Domain, virq: number): number {
  if (!Number.isInteger(virq) || virq < 0 || virq >= NR_VIRQS) return -EINVAL;
  const e = caller.evtchn;
  const existing = e.virqToPort[virq];
  if (existing !== 0 || virq === VIRQ_MISDIRECT) return existing;
  const port = e.allocatePort();
  if (port < 0) return -ENOSPC;
  e.state[port] = EVTCHNSTAT_virq;
  e.virqOfPort[port] = virq;
  e.virqToPort[virq] = port;
  return port;
}

export function closePort(x: XenCore, caller: Domain, domid: number, port: number): number {
  if (!caller.privileged && domid !== DOMID_SELF && domid !== caller.id) return -EPERM;
  const d = resolve(x, caller, domid);
  if (!d) return -ESRCH;
  const e = d.evtchn;
  if (!e.isValid(port) || port === 0) return -EINVAL;
  switch (e.state[port]) {
    case EVTCHNSTAT_closed:
      return -EINVAL;
    case EVTCHNSTAT_virq:
      e.virqToPort[e.virqOfPort[port]] = 0;
      break;
    case EVTCHNSTAT_interdomain: {
      const rd = x.domains.get(e.remoteDom[port]);
      const rp = e.remotePort[port];
      if (rd && rd.evtchn.isValid(rp) && rd.evtchn.state[rp] === EVTCHNSTAT_interdomain) {
        rd.evtchn.state[rp] = EVTCHNSTAT_unbound;
        rd.evtchn.remoteDom[rp] = d.id;
      }
      break;
    }
    default:
      break;
  }
  e.state[port] = EVTCHNSTAT_closed;
  return 0;
}

export function sendPort(x: XenCore, caller: Domain, port: number): number {
  const e = caller.evtchn;
  if (!e.isValid(port) || e.state[port] !== EVTCHNSTAT_interdomain) return -EINVAL;
  const rd = x.domains.get(e.remoteDom[port]);
  if (rd) x.evtchnDeliver(rd, e.remotePort[port]);
  return 0;
}

export interface PortStatus {
  status: number;
  dom?: number;
  port?: number;
  virq?: number;
}

export function portStatus(x: XenCore, caller: Domain, domid: number, port: number): PortStatus | number {
  if (!caller.privileged && domid !== DOMID_SELF && domid !== caller.id) return -EPERM;
  const d = resolve(x, caller, domid);
  if (!d) return -ESRCH;
  const e = d.evtchn;
  if (!e.isValid(port)) return -EINVAL;
  const status = e.state[port];
  if (status === EVTCHNSTAT_unbound) return { status, dom: e.remoteDom[port] };
  if (status === EVTCHNSTAT_interdomain) return { status, dom: e.remoteDom[port], port: e.remotePort[port] };
  if (status === EVTCHNSTAT_virq) return { status, virq: e.virqOfPort[port] };
  return { status };
}

/**
 * event_channel_op(evtchn_op_t *op): EBX = guest VA of the 32-byte struct; results are written
 * back into it. Unknown commands give -ENOSYS, an unreadable struct -EFAULT.
 */
export function doEventChannelOp(x: XenCore, as: AddressSpace, d: Domain, opVa: number): number {
  const raw = copyFromGuest(as, opVa, EVTCHN_OP.SIZE);
  if (!raw) return -EFAULT;
  const v = new DataView(raw.buffer);
  const cmd = v.getUint32(EVTCHN_OP.cmd, true);
  const writeBack = (): number => (copyToGuest(as, opVa, raw) ? 0 : -EFAULT);
  switch (cmd) {
    case EVTCHNOP_alloc_unbound: {
      const r = allocUnbound(x, d, v.getUint16(EVTCHN_ALLOC_UNBOUND.dom, true));
      if (r < 0) return r;
      v.setUint32(EVTCHN_ALLOC_UNBOUND.port, r, true);
      return writeBack();
    }
    case EVTCHNOP_bind_interdomain: {
      const B = EVTCHN_BIND_INTERDOMAIN;
      const r = bindInterdomain(x, d, v.getUint16(B.dom1, true), v.getUint16(B.dom2, true), v.getUint32(B.port1, true), v.getUint32(B.port2, true));
      if (typeof r === "number") return r;
      v.setUint32(B.port1, r[0], true);
      v.setUint32(B.port2, r[1], true);
      return writeBack();
    }
    case EVTCHNOP_bind_virq: {
      const r = bindVirq(d, v.getUint32(EVTCHN_BIND_VIRQ.virq, true));
      if (r < 0) return r;
      v.setUint32(EVTCHN_BIND_VIRQ.port, r, true);
      return writeBack();
    }
    case EVTCHNOP_bind_pirq:
      return -EPERM; // physical IRQs belong to privileged domains only
    case EVTCHNOP_close:
      return closePort(x, d, v.getUint16(EVTCHN_CLOSE.dom, true), v.getUint32(EVTCHN_CLOSE.port, true));
    case EVTCHNOP_send:
      return sendPort(x, d, v.getUint32(EVTCHN_SEND.local_port, true));
    case EVTCHNOP_status: {
      const S = EVTCHN_STATUS;
      const r = portStatus(x, d, v.getUint16(S.dom, true), v.getUint32(S.port, true));
      if (typeof r === "number") return r;
      v.setUint32(S.status, r.status, true);
      if (r.status === EVTCHNSTAT_unbound) v.setUint16(S.unbound_dom, r.dom ?? 0, true);
      if (r.status === EVTCHNSTAT_interdomain) {
        v.setUint16(S.interdomain_dom, r.dom ?? 0, true);
        v.setUint32(S.interdomain_port, r.port ?? 0, true);
      }
      if (r.status === EVTCHNSTAT_virq) v.setUint32(S.virq, r.virq ?? 0, true);
      return writeBack();
    }
    default:
      return -ENOSYS;
  }
}
