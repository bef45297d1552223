// The error paths of Xen 2.0's hypercalls that the per-concept tests leave out: unreadable
// argument structs (-EFAULT), commands and domains a domU may not name (-ENOSYS, -EPERM),
// batches over Xen's limits (-EINVAL), and the plain successes of the small calls.
import { describe, expect, it } from "vitest";
import {
  CONSOLEIO_read, DOMID_SELF, EFAULT, EINVAL, ENOSYS, EPERM, FLAT_RING1_CS, MEMOP_decrease_reservation,
  MEMOP_increase_reservation, MMU_MACHPHYS_UPDATE, SCHEDOP_block, SCHEDOP_yield, SHARED_INFO,
  TI_DISABLE_EVENTS, TRAP_INFO,
} from "../../src/xen/abi.js";
import { BufferConsole } from "../../src/xen/console-sink.js";
import { Guest } from "./fixture.js";

/** A VA in Xen's read-only machine-to-phys area: readable by the guest, never writable. */
const M2P_VA = 0xfc000000;
/** A VA in Xen's private area: neither readable nor writable by the guest. */
const XEN_VA = 0xfc400000;

describe("hypercall error paths", () => {
  it("mmu_update: -EFAULT for an unreadable request list and an unwritable success count", () => {
    const g = Guest.create();
    expect(g.call(1, XEN_VA, 1, 0)).toBe(-EFAULT);
    const reqs = g.va(20);
    g.write32(reqs, g.mfn(9) * 4096 + MMU_MACHPHYS_UPDATE, 9);
    expect(g.call(1, reqs, 1, M2P_VA)).toBe(-EFAULT);
    expect(g.call(1, reqs, 1, 0)).toBe(0);
  });

  it("set_gdt: -EFAULT for an unreadable frame list", () => {
    const g = Guest.create();
    expect(g.call(2, XEN_VA, 512)).toBe(-EFAULT);
  });

  it("stack_switch and set_callbacks accept ring-1 selectors and store them", () => {
    const g = Guest.create();
    expect(g.call(3, 0x0821, 0x12345)).toBe(0);
    expect([g.d.vcpu.kernelSs, g.d.vcpu.kernelEsp]).toEqual([0x0821, 0x12345]);
    expect(g.call(4, FLAT_RING1_CS, 0x1000, FLAT_RING1_CS, 0x2000)).toBe(0);
    expect([g.d.vcpu.eventEip, g.d.vcpu.failsafeEip]).toEqual([0x1000, 0x2000]);
  });

  it("sched_op: yield ends the slice; block blocks only without a pending upcall", () => {
    const g = Guest.create();
    g.host.unpause(g.d);
    expect(g.call(6, SCHEDOP_yield)).toBe(0);
    expect(g.host.sched.yieldRequested).toBe(true);
    g.host.mem.write8(g.sharedMa + SHARED_INFO.evtchn_upcall_pending, 1);
    expect(g.call(6, SCHEDOP_block)).toBe(0);
    expect(g.d.blocked).toBe(false);
    g.host.mem.write8(g.sharedMa + SHARED_INFO.evtchn_upcall_pending, 0);
    expect(g.call(6, SCHEDOP_block)).toBe(0);
    expect(g.d.blocked).toBe(true);
  });

  it("set_fast_trap: -1 for a vector whose trap entry disables events", () => {
    const g = Guest.create();
    const b = new Uint8Array(2 * TRAP_INFO.SIZE);
    const dv = new DataView(b.buffer);
    b[TRAP_INFO.vector] = 0x80;
    b[TRAP_INFO.flags] = TI_DISABLE_EVENTS | 3;
    dv.setUint16(TRAP_INFO.cs, FLAT_RING1_CS, true);
    dv.setUint32(TRAP_INFO.address, 0x1000, true);
    g.write(g.va(4), b);
    expect(g.call(0, g.va(4))).toBe(0);
    expect(g.call(11, 0x80)).toBe(-1);
    expect(g.d.vcpu.fastTrap).toBe(0);
    expect(g.call(11, 0x21)).toBe(0);
    expect(g.d.vcpu.fastTrap).toBe(0x21);
  });

  it("dom_mem_op: -EPERM for another domain, -ENOSYS for other commands, order > 0 as Xen 2.0", () => {
    const g = Guest.create();
    const other = Guest.create({}, g.host);
    const list = g.va(40);
    expect(g.call(12, MEMOP_increase_reservation, list, 1, 0, other.d.id)).toBe(-EPERM);
    expect(g.call(12, 7, list, 1, 0, DOMID_SELF)).toBe(-ENOSYS);
    expect(g.call(12, MEMOP_decrease_reservation, list, 1, 1, DOMID_SELF)).toBe(-EINVAL);
    const pages = g.d.totPages;
    expect(g.call(12, MEMOP_increase_reservation, list, 1, 1, DOMID_SELF)).toBe(0);
    expect(g.d.totPages).toBe(pages);
    // Its own id counts as DOMID_SELF.
    expect(g.call(12, 7, list, 1, 0, g.d.id)).toBe(-ENOSYS);
  });

  it("grant_table_op: -EINVAL for a batch over Xen's 512 requests", () => {
    const g = Guest.create();
    expect(g.call(20, 0, g.va(10), 513)).toBe(-EINVAL);
  });

  it("console_io read: -EFAULT when the typed bytes cannot be stored; nothing typed reads 0", () => {
    const console = new BufferConsole();
    const g = Guest.create({ console });
    expect(g.call(18, CONSOLEIO_read, 8, M2P_VA)).toBe(0);
    console.type("ab");
    expect(g.call(18, CONSOLEIO_read, 8, M2P_VA)).toBe(-EFAULT);
  });
});
