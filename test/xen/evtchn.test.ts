// Event channels as a guest drives them through event_channel_op, and Xen's pending/mask/
// selector order when a port fires.
import { describe, expect, it } from "vitest";
import {
  DOMID_SELF, EINVAL, ENOSPC, ENOSYS, EPERM, ESRCH, EVTCHN_BIND_INTERDOMAIN, EVTCHN_OP,
  EVTCHN_STATUS, EVTCHNOP_alloc_unbound, EVTCHNOP_bind_interdomain, EVTCHNOP_bind_pirq,
  EVTCHNOP_bind_virq, EVTCHNOP_close, EVTCHNOP_send, EVTCHNOP_status, EVTCHNSTAT_interdomain,
  EVTCHNSTAT_unbound, EVTCHNSTAT_virq, SHARED_INFO, VIRQ_DEBUG, VIRQ_TIMER,
} from "../../src/xen/abi.js";
import { sendVirq } from "../../src/xen/evtchn.js";
import { Guest } from "./fixture.js";

/** Runs event_channel_op with a 32-byte struct built from (offset, size, value) triples. */
function evtchn(g: Guest, cmd: number, fields: Array<[number, 2 | 4, number]> = []): { rc: number; u32: (off: number) => number; u16: (off: number) => number } {
  const va = g.va(3);
  const b = new Uint8Array(EVTCHN_OP.SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, cmd, true);
  for (const [off, size, v] of fields) size === 2 ? dv.setUint16(off, v, true) : dv.setUint32(off, v, true);
  g.write(va, b);
  const rc = g.call(16, va);
  return { rc, u32: (off) => g.read32(va + off), u16: (off) => g.read32(va + off) & 0xffff };
}

const bits = (g: Guest) => {
  const m = g.host.mem;
  const s = g.sharedMa;
  return {
    pending0: m.read32(s + SHARED_INFO.evtchn_pending),
    sel: m.read32(s + SHARED_INFO.evtchn_pending_sel),
    upcall: m.read8(s + SHARED_INFO.evtchn_upcall_pending),
  };
};

describe("event_channel_op", () => {
  it("bind_virq returns a fresh lowest port, the same port again, and -EINVAL beyond NR_VIRQS", () => {
    const g = Guest.create();
    const a = evtchn(g, EVTCHNOP_bind_virq, [[8, 4, VIRQ_TIMER]]);
    expect(a.rc).toBe(0);
    expect(a.u32(12)).toBe(1);
    expect(evtchn(g, EVTCHNOP_bind_virq, [[8, 4, VIRQ_TIMER]]).u32(12)).toBe(1);
    expect(evtchn(g, EVTCHNOP_bind_virq, [[8, 4, VIRQ_DEBUG]]).u32(12)).toBe(2);
    expect(evtchn(g, EVTCHNOP_bind_virq, [[8, 4, 7]]).rc).toBe(-EINVAL);
  });

  it("a VIRQ sets pending, selector and upcall_pending in Xen's order; unbound ones land on port 0", () => {
    const g = Guest.create();
    sendVirq(g.host.core, g.d, VIRQ_TIMER);
    expect(bits(g)).toEqual({ pending0: 1, sel: 1, upcall: 1 });
    evtchn(g, EVTCHNOP_bind_virq, [[8, 4, VIRQ_TIMER]]);
    sendVirq(g.host.core, g.d, VIRQ_TIMER);
    expect(bits(g).pending0).toBe(3);
  });

  it("the debug key raises VIRQ_DEBUG on its bound port", () => {
    const g = Guest.create();
    const port = evtchn(g, EVTCHNOP_bind_virq, [[8, 4, VIRQ_DEBUG]]).u32(12);
    g.host.raiseDebugVirq(g.d);
    expect(bits(g)).toEqual({ pending0: 1 << port, sel: 1, upcall: 1 });
  });

  it("a masked port gets its pending bit but no selector bit or upcall", () => {
    const g = Guest.create();
    const port = evtchn(g, EVTCHNOP_bind_virq, [[8, 4, VIRQ_TIMER]]).u32(12);
    g.host.mem.write32(g.sharedMa + SHARED_INFO.evtchn_mask, 1 << port);
    sendVirq(g.host.core, g.d, VIRQ_TIMER);
    expect(bits(g)).toEqual({ pending0: 1 << port, sel: 0, upcall: 0 });
  });

  it("alloc_unbound + bind_interdomain connect two domains; send marks the peer; close unbinds it", () => {
    const a = Guest.create();
    const b = Guest.create({}, a.host);
    const un = evtchn(a, EVTCHNOP_alloc_unbound, [[8, 2, b.d.id]]);
    expect(un.rc).toBe(0);
    const aPort = un.u32(12);
    const B = EVTCHN_BIND_INTERDOMAIN;
    const bind = evtchn(b, EVTCHNOP_bind_interdomain, [[B.dom1, 2, DOMID_SELF], [B.dom2, 2, a.d.id], [B.port1, 4, 0], [B.port2, 4, aPort]]);
    expect(bind.rc).toBe(0);
    const bPort = bind.u32(B.port1);
    expect(bind.u32(B.port2)).toBe(aPort);
    b.d.blocked = true;
    expect(evtchn(a, EVTCHNOP_send, [[8, 4, aPort]]).rc).toBe(0);
    expect(bits(b).pending0).toBe(1 << bPort);
    expect(b.d.blocked).toBe(false);
    const st = evtchn(a, EVTCHNOP_status, [[8, 2, DOMID_SELF], [12, 4, aPort]]);
    expect([st.u32(EVTCHN_STATUS.status), st.u16(EVTCHN_STATUS.interdomain_dom), st.u32(EVTCHN_STATUS.interdomain_port)]).toEqual([EVTCHNSTAT_interdomain, b.d.id, bPort]);
    expect(evtchn(a, EVTCHNOP_close, [[8, 2, DOMID_SELF], [12, 4, aPort]]).rc).toBe(0);
    const st2 = evtchn(b, EVTCHNOP_status, [[8, 2, DOMID_SELF], [12, 4, bPort]]);
    expect(st2.u32(EVTCHN_STATUS.status)).toBe(EVTCHNSTAT_unbound);
    expect(evtchn(b, EVTCHNOP_send, [[8, 4, bPort]]).rc).toBe(-EINVAL);
  });

  it("refuses what Xen 2.0 refuses a domU", () => {
    const a = Guest.create();
    const b = Guest.create({}, a.host);
    const B = EVTCHN_BIND_INTERDOMAIN;
    expect(evtchn(a, EVTCHNOP_bind_interdomain, [[B.dom1, 2, b.d.id], [B.dom2, 2, DOMID_SELF]]).rc).toBe(-EPERM);
    expect(evtchn(a, EVTCHNOP_bind_interdomain, [[B.dom1, 2, DOMID_SELF], [B.dom2, 2, b.d.id], [B.port2, 4, 0]]).rc).toBe(-EINVAL);
    expect(evtchn(a, EVTCHNOP_bind_interdomain, [[B.dom1, 2, DOMID_SELF], [B.dom2, 2, 999]]).rc).toBe(-ESRCH);
    expect(evtchn(a, EVTCHNOP_alloc_unbound, [[8, 2, 999]]).rc).toBe(-ESRCH);
    expect(evtchn(a, EVTCHNOP_bind_pirq, [[8, 4, 1]]).rc).toBe(-EPERM);
    expect(evtchn(a, EVTCHNOP_close, [[8, 2, DOMID_SELF], [12, 4, 0]]).rc).toBe(-EINVAL);
    expect(evtchn(a, EVTCHNOP_close, [[8, 2, DOMID_SELF], [12, 4, 5]]).rc).toBe(-EINVAL);
    expect(evtchn(a, EVTCHNOP_close, [[8, 2, b.d.id], [12, 4, 1]]).rc).toBe(-EPERM);
    expect(evtchn(a, EVTCHNOP_status, [[8, 2, b.d.id], [12, 4, 1]]).rc).toBe(-EPERM);
    expect(evtchn(a, EVTCHNOP_send, [[8, 4, 0]]).rc).toBe(-EINVAL);
    expect(evtchn(a, 99).rc).toBe(-ENOSYS);
    expect(a.call(16, 0x10)).toBe(-14);
  });

  it("port 0 reports VIRQ_MISDIRECT and the table grows to 1024 ports, then -ENOSPC", () => {
    const g = Guest.create();
    const st = evtchn(g, EVTCHNOP_status, [[8, 2, DOMID_SELF], [12, 4, 0]]);
    expect(st.u32(EVTCHN_STATUS.status)).toBe(EVTCHNSTAT_virq);
    let last = 0;
    for (let i = 1; i < 1024; i++) {
      const r = evtchn(g, EVTCHNOP_alloc_unbound, [[8, 2, DOMID_SELF]]);
      expect(r.rc).toBe(0);
      last = r.u32(12);
    }
    expect(last).toBe(1023);
    expect(evtchn(g, EVTCHNOP_alloc_unbound, [[8, 2, DOMID_SELF]]).rc).toBe(-ENOSPC);
    // A full table refuses new VIRQ bindings and interdomain ends too; status past it is -EINVAL.
    expect(evtchn(g, EVTCHNOP_bind_virq, [[8, 4, VIRQ_DEBUG]]).rc).toBe(-ENOSPC);
    const other = Guest.create({}, g.host);
    const un = evtchn(other, EVTCHNOP_alloc_unbound, [[8, 2, g.d.id]]);
    expect(un.rc).toBe(0);
    const B = EVTCHN_BIND_INTERDOMAIN;
    expect(evtchn(g, EVTCHNOP_bind_interdomain, [[B.dom1, 2, DOMID_SELF], [B.dom2, 2, other.d.id], [B.port1, 4, 0], [B.port2, 4, un.u32(12)]]).rc).toBe(-ENOSPC);
    expect(evtchn(g, EVTCHNOP_status, [[8, 2, DOMID_SELF], [12, 4, 1024]]).rc).toBe(-EINVAL);
  });

  it("the control channel joins the native dom0 and the guest both ways", () => {
    const g = Guest.create();
    const h = g.host;
    const { dom0Port, guestPort } = h.bindControlChannel(g.d);
    let heard = 0;
    h.onDom0Event(dom0Port, () => heard++);
    expect(evtchn(g, EVTCHNOP_send, [[8, 4, guestPort]]).rc).toBe(0);
    expect(heard).toBe(1);
    h.notifyFromDom0(dom0Port);
    expect(bits(g).pending0 & (1 << guestPort)).not.toBe(0);
  });
});
