// Delivery paths of Xen 2.0: the bounce frame for exceptions from ring 1 and ring 3, the #PF
// frame with cr2 below the error code, DPL checks on int n, the failsafe callback, and the event
// upcall entered with events masked.
import { describe, expect, it } from "vitest";
import {
  EFAULT, EPERM, FLAT_RING1_CS, FLAT_RING1_DS, FLAT_RING3_CS, FLAT_RING3_DS, SHARED_INFO,
  TI_DISABLE_EVENTS, TRAP_INFO,
} from "../../src/xen/abi.js";
import { R_ESP, S_CS, S_DS, S_ES, S_SS } from "../../src/xen/domain.js";
import { sendVirq } from "../../src/xen/evtchn.js";
import { hypercall } from "../../src/xen/hypercalls.js";
import { deliverException, returnToGuest } from "../../src/xen/traps.js";
import { Guest } from "./fixture.js";

const H = { gp: 0x11000, pf: 0x11100, int80: 0x11200, int3: 0x11300, de: 0x11400, event: 0x12000, failsafe: 0x13000 };

/** Installs handlers for 0, 3, 13, 14 and 0x80 (DPL 3) through set_trap_table. */
function withTraps(g: Guest): Guest {
  const rows: Array<[number, number, number, number]> = [
    [0, 0, FLAT_RING1_CS, H.de], [3, 3, FLAT_RING1_CS, H.int3], [13, 0, FLAT_RING1_CS, H.gp],
    [14, TI_DISABLE_EVENTS, FLAT_RING1_CS, H.pf], [0x80, 3, FLAT_RING1_CS, H.int80], [0x81, 1, FLAT_RING1_CS, H.int80],
  ];
  const b = new Uint8Array((rows.length + 1) * TRAP_INFO.SIZE);
  const dv = new DataView(b.buffer);
  rows.forEach(([vec, flags, cs, addr], i) => {
    b[i * 8] = vec;
    b[i * 8 + 1] = flags;
    dv.setUint16(i * 8 + 2, cs, true);
    dv.setUint32(i * 8 + 4, addr, true);
  });
  g.write(g.va(4), b);
  expect(g.call(0, g.va(4))).toBe(0);
  expect(g.call(4, FLAT_RING1_CS, H.event, FLAT_RING1_CS, H.failsafe)).toBe(0);
  return g;
}

const exc = (vector: number, errorCode = -1, cr2 = 0) => ({ vector, errorCode, cr2, softwareInt: false, instrLength: 0 });
const soft = (vector: number) => ({ vector, errorCode: -1, cr2: 0, softwareInt: true, instrLength: 2 });

function frame(g: Guest, words: number): number[] {
  const esp = g.d.vcpu.regs.gpr[R_ESP] >>> 0;
  return Array.from({ length: words }, (_, i) => g.read32(esp + i * 4));
}

describe("set_trap_table and callbacks", () => {
  it("refuses handler selectors that are not ring-1 code", () => {
    const g = Guest.create();
    const b = new Uint8Array(16);
    b[0] = 13;
    new DataView(b.buffer).setUint16(2, 0x0808, true);
    new DataView(b.buffer).setUint32(4, 0x1000, true);
    g.write(g.va(4), b);
    expect(g.call(0, g.va(4))).toBe(-EPERM);
    expect(g.call(0, 0xfc000000)).toBe(-EFAULT);
    expect(g.call(4, 0x0810, 1, FLAT_RING1_CS, 1)).toBe(-EPERM);
    expect(g.call(4, FLAT_RING1_CS, 1, 0x0833, 1)).toBe(-EPERM);
    expect(g.call(3, 0x0821, 0x1000)).toBe(0);
    expect(g.call(3, 0x0820, 0x1000)).toBe(-EPERM);
  });
});

describe("set_trap_table continuation", () => {
  it("a list longer than 256 entries is taken in parts, re-entered where it stopped", () => {
    const g = Guest.create();
    const n = 300;
    const b = new Uint8Array((n + 1) * 8);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < n; i++) {
      b[i * 8] = i & 0xff;
      dv.setUint16(i * 8 + 2, FLAT_RING1_CS, true);
      dv.setUint32(i * 8 + 4, 0x20000 + i, true);
    }
    g.write(g.va(20), b);
    const d = g.d;
    expect(hypercall(g.host, d, 0, g.va(20), 0, 0, 0, 0)).toBe(0);
    const c = d.vcpu.continuation;
    expect(c).toEqual({ nr: 0, args: [g.va(20) + 256 * 8] });
    expect(d.vcpu.trapEip[255]).toBe(0x20000 + 255);
    expect(d.vcpu.trapEip[0]).toBe(0x20000);
    d.vcpu.continuation = null;
    expect(hypercall(g.host, d, c!.nr, c!.args[0], 0, 0, 0, 0)).toBe(0);
    expect(d.vcpu.continuation).toBeNull();
    expect(d.vcpu.trapEip[0]).toBe(0x20000 + 256); // the second part wrapped round to vector 0
  });
});

describe("bounce frames", () => {
  it("an exception in ring 1 pushes EIP CS EFLAGS on the current stack and enters the handler", () => {
    const g = withTraps(Guest.create());
    const r = g.d.vcpu.regs;
    r.eip = 0x401234;
    r.eflags = 0x246 | 0x100; // TF set: Xen clears it on entry
    const esp0 = r.gpr[R_ESP] >>> 0;
    expect(deliverException(g.host.core, g.host.addressSpace(g.d), g.d, exc(0))).toBe(true);
    expect(r.gpr[R_ESP] >>> 0).toBe(esp0 - 12);
    expect(frame(g, 3)).toEqual([0x401234, FLAT_RING1_CS, 0x346]);
    expect(r.eip).toBe(H.de);
    expect(r.eflags & 0x100).toBe(0);
  });

  it("#PF puts cr2 below the error code and masks events when the trap asks for it", () => {
    const g = withTraps(Guest.create());
    const r = g.d.vcpu.regs;
    r.eip = 0x405000;
    g.host.mem.write8(g.sharedMa + SHARED_INFO.evtchn_upcall_mask, 0);
    deliverException(g.host.core, g.host.addressSpace(g.d), g.d, exc(14, 6, 0xdead0000));
    expect(frame(g, 5)).toEqual([0xdead0000, 6, 0x405000, FLAT_RING1_CS, r.eflags >>> 0]);
    expect(g.host.mem.read8(g.sharedMa + SHARED_INFO.evtchn_upcall_mask)).toBe(1);
  });

  it("an exception in ring 3 goes to SS1:ESP1 with ESP and SS in the frame", () => {
    const g = withTraps(Guest.create());
    const kstack = g.va(10) + 4096;
    expect(g.call(3, FLAT_RING1_DS, kstack)).toBe(0);
    const r = g.d.vcpu.regs;
    r.seg[S_CS] = FLAT_RING3_CS;
    r.seg[S_SS] = FLAT_RING3_DS;
    r.gpr[R_ESP] = 0x500000;
    r.eip = 0x499999;
    deliverException(g.host.core, g.host.addressSpace(g.d), g.d, exc(13, 0x10));
    expect(r.gpr[R_ESP] >>> 0).toBe(kstack - 24);
    expect(frame(g, 6)).toEqual([0x10, 0x499999, FLAT_RING3_CS, r.eflags >>> 0, 0x500000, FLAT_RING3_DS]);
    expect([r.seg[S_CS], r.seg[S_SS]]).toEqual([FLAT_RING1_CS, FLAT_RING1_DS]);
  });

  it("int n from ring 3 reaches a DPL-3 handler, else becomes #GP with error (n<<3)|2", () => {
    const g = withTraps(Guest.create());
    g.call(3, FLAT_RING1_DS, g.va(10) + 4096);
    const r = g.d.vcpu.regs;
    const enterRing3 = () => {
      r.seg[S_CS] = FLAT_RING3_CS;
      r.seg[S_SS] = FLAT_RING3_DS;
      r.gpr[R_ESP] = 0x500000;
      r.eip = 0x480002; // the CPU reports int n with EIP after the instruction
    };
    enterRing3();
    deliverException(g.host.core, g.host.addressSpace(g.d), g.d, soft(0x80));
    expect(r.eip).toBe(H.int80);
    expect(frame(g, 1)).toEqual([0x480002]);
    enterRing3();
    deliverException(g.host.core, g.host.addressSpace(g.d), g.d, soft(0x81));
    expect(r.eip).toBe(H.gp);
    expect(frame(g, 2)).toEqual([(0x81 << 3) | 2, 0x480000]);
    enterRing3();
    deliverException(g.host.core, g.host.addressSpace(g.d), g.d, soft(0x82));
    expect(frame(g, 1)).toEqual([(0x82 << 3) | 2]);
    enterRing3();
    deliverException(g.host.core, g.host.addressSpace(g.d), g.d, { ...soft(3), instrLength: 1 });
    expect(r.eip).toBe(H.int3); // int3 ignores the guest's DPL
  });

  it("#NM reaches the guest only after fpu_taskswitch, with TS already clear", () => {
    const g = withTraps(Guest.create());
    const b = new Uint8Array(16);
    b[0] = 7;
    new DataView(b.buffer).setUint16(2, FLAT_RING1_CS, true);
    new DataView(b.buffer).setUint32(4, 0x11500, true);
    g.write(g.va(4), b);
    expect(g.call(0, g.va(4))).toBe(0);
    const r = g.d.vcpu.regs;
    r.eip = 0x400300;
    expect(g.call(5)).toBe(0);
    expect(g.d.vcpu.cr0Ts).toBe(true);
    deliverException(g.host.core, g.host.addressSpace(g.d), g.d, exc(7));
    expect(r.eip).toBe(0x11500);
    expect(g.d.vcpu.cr0Ts).toBe(false);
    r.eip = 0x400400;
    deliverException(g.host.core, g.host.addressSpace(g.d), g.d, exc(7));
    expect(r.eip).toBe(0x400400); // Xen's own lazy-FPU trap: no bounce
  });

  it("#DB saves DR6 for get_debugreg(6); NMI, #DF and #MC are never delivered", () => {
    const g = withTraps(Guest.create());
    const b = new Uint8Array(16);
    b[0] = 1;
    new DataView(b.buffer).setUint16(2, FLAT_RING1_CS, true);
    new DataView(b.buffer).setUint32(4, 0x11600, true);
    g.write(g.va(4), b);
    g.call(0, g.va(4));
    deliverException(g.host.core, g.host.addressSpace(g.d), g.d, exc(1, 0x4001));
    expect(g.d.vcpu.regs.eip).toBe(0x11600);
    expect(g.call(9, 6)).toBe(0x4001);
    expect(deliverException(g.host.core, g.host.addressSpace(g.d), g.d, exc(8, 0))).toBe(false);
    expect(g.d.crashWhy).toBe("fatal trap 8");
  });

  it("a bounce onto an unmapped stack crashes the domain, not the host", () => {
    const g = withTraps(Guest.create());
    g.d.vcpu.regs.gpr[R_ESP] = 0x100;
    expect(deliverException(g.host.core, g.host.addressSpace(g.d), g.d, exc(0))).toBe(false);
    expect(g.d.runState).toBe("crashed");
  });

  it("a vector without handler crashes the domain", () => {
    const g = Guest.create();
    expect(deliverException(g.host.core, g.host.addressSpace(g.d), g.d, exc(6))).toBe(false);
    expect(g.d.crashWhy).toMatch(/no handler for trap 6/);
  });
});

describe("return to the guest", () => {
  it("an unloadable data selector enters the failsafe callback with DS ES FS GS on the stack", () => {
    const g = withTraps(Guest.create());
    const r = g.d.vcpu.regs;
    r.seg[S_DS] = 0x0123; // GDT slot 36 of the default GDT: empty
    r.seg[S_ES] = FLAT_RING1_DS;
    r.eip = 0x400100;
    expect(returnToGuest(g.host.core, g.host.addressSpace(g.d), g.d)).toBe(true);
    expect(r.eip).toBe(H.failsafe);
    expect(frame(g, 7)).toEqual([0x0123, FLAT_RING1_DS, FLAT_RING1_DS, FLAT_RING1_DS, 0x400100, FLAT_RING1_CS, r.eflags >>> 0]);
    expect(r.seg[S_DS]).toBe(0);
  });

  it("with both due, the upcall frame comes first and the failsafe frame sits on top of it", () => {
    const g = withTraps(Guest.create());
    const r = g.d.vcpu.regs;
    r.eip = 0x400500;
    r.seg[S_DS] = 0x0123;
    g.host.mem.write8(g.sharedMa + SHARED_INFO.evtchn_upcall_mask, 0);
    sendVirq(g.host.core, g.d, 1);
    expect(returnToGuest(g.host.core, g.host.addressSpace(g.d), g.d)).toBe(true);
    expect(r.eip).toBe(H.failsafe);
    expect(frame(g, 10)).toEqual([
      0x0123, FLAT_RING1_DS, FLAT_RING1_DS, FLAT_RING1_DS, H.event, FLAT_RING1_CS, r.eflags >>> 0, // failsafe
      0x400500, FLAT_RING1_CS, r.eflags >>> 0, // the upcall's frame below it
    ]);
  });

  it("the event upcall waits while masked and is entered with events masked", () => {
    const g = withTraps(Guest.create());
    const r = g.d.vcpu.regs;
    const m = g.host.mem;
    r.eip = 0x400200;
    sendVirq(g.host.core, g.d, 1);
    expect(returnToGuest(g.host.core, g.host.addressSpace(g.d), g.d)).toBe(true);
    expect(r.eip).toBe(0x400200); // builder left upcall_mask = 1
    m.write8(g.sharedMa + SHARED_INFO.evtchn_upcall_mask, 0);
    returnToGuest(g.host.core, g.host.addressSpace(g.d), g.d);
    expect(r.eip).toBe(H.event);
    expect(frame(g, 3)).toEqual([0x400200, FLAT_RING1_CS, r.eflags >>> 0]);
    expect(m.read8(g.sharedMa + SHARED_INFO.evtchn_upcall_mask)).toBe(1);
  });

  it("SCHEDOP_block clears the mask and does not block when an event is already pending", () => {
    const g = withTraps(Guest.create());
    sendVirq(g.host.core, g.d, 1);
    expect(g.call(6, 1)).toBe(0);
    expect(g.d.blocked).toBe(false);
    expect(g.host.mem.read8(g.sharedMa + SHARED_INFO.evtchn_upcall_mask)).toBe(0);
    // The guest consumes the event: upcall_pending, selector and port bits cleared.
    g.host.mem.write8(g.sharedMa + SHARED_INFO.evtchn_upcall_pending, 0);
    g.host.mem.write32(g.sharedMa + SHARED_INFO.evtchn_pending_sel, 0);
    g.host.mem.write32(g.sharedMa + SHARED_INFO.evtchn_pending, 0);
    expect(g.call(6, 1)).toBe(0);
    expect(g.d.blocked).toBe(true);
    sendVirq(g.host.core, g.d, 2);
    expect(g.d.blocked).toBe(false);
  });
});
