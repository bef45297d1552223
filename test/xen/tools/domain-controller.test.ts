import { describe, expect, it } from "vitest";
import { MachineMemory } from "../../../src/emu/memory.js";
import {
  CMSG_BLKIF_FE, CMSG_CONSOLE, CMSG_CONSOLE_DATA, CMSG_SHUTDOWN, CMSG_SHUTDOWN_POWEROFF,
  CONTROL_IF, CONTROL_IF_OFFSET, CONTROL_MSG,
} from "../../../src/xen/abi.js";
import { DomainController, CONSOLE_INPUT_LIMIT } from "../../../src/xen/tools/domain-controller.js";

const SI = 7 * 4096;
const IF = SI + CONTROL_IF_OFFSET;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Plays the guest's side of control_if_t, as XenLinux's ctrl_if.c would. */
class GuestSide {
  txResp = 0;
  rxReq = 0;
  constructor(private mem: MachineMemory) {}
  idx(off: number) { return this.mem.read32(IF + off); }
  send(type: number, subtype: number, id: number, payload: Uint8Array, lengthByte = payload.length) {
    const prod = this.idx(CONTROL_IF.tx_req_prod);
    const slot = IF + CONTROL_IF.tx_ring + (prod & 7) * CONTROL_MSG.SIZE;
    this.mem.write8(slot + CONTROL_MSG.type, type);
    this.mem.write8(slot + CONTROL_MSG.subtype, subtype);
    this.mem.write8(slot + CONTROL_MSG.id, id);
    this.mem.write8(slot + CONTROL_MSG.length, lengthByte);
    this.mem.writeBytes(slot + CONTROL_MSG.msg, payload);
    this.mem.write32(IF + CONTROL_IF.tx_req_prod, prod + 1);
  }
  responses() {
    const out = [];
    for (; this.txResp !== this.idx(CONTROL_IF.tx_resp_prod); this.txResp++) {
      const slot = IF + CONTROL_IF.tx_ring + (this.txResp & 7) * CONTROL_MSG.SIZE;
      out.push({ type: this.mem.read8(slot), subtype: this.mem.read8(slot + 1), id: this.mem.read8(slot + 2), length: this.mem.read8(slot + 3) });
    }
    return out;
  }
  /** Takes the controller's rx requests and answers each with length 0. */
  receive(answer = true) {
    const out = [];
    for (; this.rxReq !== this.idx(CONTROL_IF.rx_req_prod); this.rxReq++) {
      const slot = IF + CONTROL_IF.rx_ring + (this.rxReq & 7) * CONTROL_MSG.SIZE;
      const len = this.mem.read8(slot + CONTROL_MSG.length);
      out.push({ type: this.mem.read8(slot), subtype: this.mem.read8(slot + 1), payload: this.mem.readBytes(slot + 4, len).slice() });
      if (answer) {
        this.mem.write8(slot + CONTROL_MSG.length, 0);
        this.mem.write32(IF + CONTROL_IF.rx_resp_prod, this.rxReq + 1);
      }
    }
    return out;
  }
}

function rig() {
  const mem = new MachineMemory(16 * 4096);
  const output: string[] = [];
  let notified = 0;
  const dc = new DomainController({
    domid: 1, memory: mem, sharedInfoMa: SI,
    notifyGuest: () => notified++,
    onConsoleOutput: (b) => output.push(dec(b)),
  });
  return { mem, dc, guest: new GuestSide(mem), output, notified: () => notified };
}

describe("DomainController", () => {
  it("takes console output from tx requests, acknowledges each in order and notifies once", () => {
    const { dc, guest, output, notified } = rig();
    guest.send(CMSG_CONSOLE, CMSG_CONSOLE_DATA, 3, enc("Hello, "));
    guest.send(CMSG_CONSOLE, CMSG_CONSOLE_DATA, 4, enc("world\n"));
    dc.onGuestEvent();
    expect(output.join("")).toBe("Hello, world\n");
    expect(guest.responses()).toEqual([
      { type: CMSG_CONSOLE, subtype: CMSG_CONSOLE_DATA, id: 3, length: 0 },
      { type: CMSG_CONSOLE, subtype: CMSG_CONSOLE_DATA, id: 4, length: 0 },
    ]);
    expect(notified()).toBe(1);
    dc.onGuestEvent();
    expect(notified()).toBe(1); // nothing new, no event
  });

  it("wraps around the 8-slot ring with free-running indices", () => {
    const { dc, guest, output } = rig();
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 7; i++) guest.send(CMSG_CONSOLE, CMSG_CONSOLE_DATA, i, enc(String.fromCharCode(65 + ((round * 7 + i) % 26))));
      dc.onGuestEvent();
      expect(guest.responses()).toHaveLength(7);
    }
    expect(output.join("")).toBe("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHI");
  });

  it("caps a payload length byte above 60 and skips requests beyond a ring's worth", () => {
    const { mem, dc, guest, output } = rig();
    guest.send(CMSG_CONSOLE, CMSG_CONSOLE_DATA, 0, enc("x".repeat(60)), 200);
    dc.onGuestEvent();
    expect(output[0]).toBe("x".repeat(60));
    mem.write32(IF + CONTROL_IF.tx_req_prod, 1 + 1000);
    dc.onGuestEvent();
    expect(dc.requestsSkipped).toBe(992);
    expect(mem.read32(IF + CONTROL_IF.tx_resp_prod)).toBe(1001);
  });

  it("delivers console input as rx requests of at most 60 bytes and waits for free slots", () => {
    const { dc, guest, notified } = rig();
    dc.consoleInput(enc("y".repeat(60 * 10 + 5)));
    expect(notified()).toBe(1);
    const first = guest.receive();
    expect(first).toHaveLength(8);
    expect(first.every((m) => m.type === CMSG_CONSOLE && m.subtype === CMSG_CONSOLE_DATA && m.payload.length === 60)).toBe(true);
    dc.onGuestEvent(); // the guest's responses free the slots
    const rest = guest.receive();
    expect(rest.map((m) => m.payload.length)).toEqual([60, 60, 5]);
    expect(notified()).toBe(2);
  });

  it("keeps input while the guest does not answer, up to its limit", () => {
    const { dc, guest } = rig();
    dc.consoleInput(enc("a".repeat(8 * 60)));
    guest.receive(false);
    dc.consoleInput(new Uint8Array(CONSOLE_INPUT_LIMIT + 10));
    expect(dc.inputDropped).toBe(10);
  });

  it("does not let a guest answer more rx requests than it was sent", () => {
    const { mem, dc, guest } = rig();
    dc.consoleInput(enc("ab"));
    mem.write32(IF + CONTROL_IF.rx_resp_prod, 50);
    dc.onGuestEvent();
    dc.consoleInput(enc("cd"));
    expect(guest.receive(false).map((m) => dec(m.payload))).toEqual(["ab", "cd"]);
  });

  it("echoes unhandled requests and serves registered handlers", () => {
    const { dc, guest } = rig();
    guest.send(CMSG_BLKIF_FE, 32, 1, Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0]));
    dc.onGuestEvent();
    expect(guest.responses()).toEqual([{ type: CMSG_BLKIF_FE, subtype: 32, id: 1, length: 8 }]);
    dc.setHandler(CMSG_BLKIF_FE, (req) => ({ ...req, payload: Uint8Array.from([9, 9]) }));
    guest.send(CMSG_BLKIF_FE, 32, 2, new Uint8Array(8));
    dc.onGuestEvent();
    expect(guest.responses()).toEqual([{ type: CMSG_BLKIF_FE, subtype: 32, id: 2, length: 2 }]);
    expect(() => dc.setHandler(CMSG_CONSOLE, () => undefined)).toThrow(/Cannot set a handler for CMSG_CONSOLE/);
  });

  it("requestShutdown() sends CMSG_SHUTDOWN with the reason as subtype", () => {
    const { dc, guest } = rig();
    dc.requestShutdown(CMSG_SHUTDOWN_POWEROFF);
    expect(guest.receive()).toEqual([{ type: CMSG_SHUTDOWN, subtype: CMSG_SHUTDOWN_POWEROFF, payload: new Uint8Array(0) }]);
  });
});
