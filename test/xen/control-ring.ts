// A test-side domain controller for one guest's control interface: acknowledges CMSG_CONSOLE
// requests from the tx ring (collecting their bytes) and queues console input on the rx ring.
// The real controller is the dom0 tools'; this one exists so Xen's tests can talk to guests.
import { CMSG_CONSOLE, CMSG_CONSOLE_DATA, CONTROL_IF, CONTROL_IF_OFFSET, CONTROL_MSG, CONTROL_RING_SIZE } from "../../src/xen/abi.js";
import type { XenHost } from "../../src/xen/host.js";
import type { LoadedGuest } from "./elf-loader.js";

export class TestController {
  readonly output: number[] = [];
  private readonly base: number;

  constructor(private readonly host: XenHost, private readonly g: LoadedGuest) {
    this.base = g.d.sharedInfoMfn * 4096 + CONTROL_IF_OFFSET;
    host.onDom0Event(g.dom0Port, () => this.service());
  }

  get text(): string {
    return Buffer.from(this.output).toString("latin1");
  }

  /** Takes every request off the tx ring and answers it in place. */
  service(): void {
    const m = this.host.mem;
    const b = this.base;
    let resp = m.read32(b + CONTROL_IF.tx_resp_prod);
    const req = m.read32(b + CONTROL_IF.tx_req_prod);
    while (resp !== req) {
      const slot = b + CONTROL_IF.tx_ring + (resp % CONTROL_RING_SIZE) * CONTROL_MSG.SIZE;
      const len = Math.min(m.read8(slot + CONTROL_MSG.length), 60);
      if (m.read8(slot + CONTROL_MSG.type) === CMSG_CONSOLE) {
        for (let i = 0; i < len; i++) this.output.push(m.read8(slot + CONTROL_MSG.msg + i));
      }
      m.write8(slot + CONTROL_MSG.length, 0);
      resp = (resp + 1) >>> 0;
    }
    if (resp !== m.read32(b + CONTROL_IF.tx_resp_prod)) {
      m.write32(b + CONTROL_IF.tx_resp_prod, resp);
      this.host.notifyFromDom0(this.g.dom0Port);
    }
  }

  /** Queues console input; false if the rx ring is full. */
  type(text: string): boolean {
    const m = this.host.mem;
    const b = this.base;
    const bytes = Buffer.from(text, "latin1");
    for (let off = 0; off < bytes.length; off += 60) {
      const prod = m.read32(b + CONTROL_IF.rx_req_prod);
      if (prod - m.read32(b + CONTROL_IF.rx_resp_prod) >= CONTROL_RING_SIZE) return false;
      const slot = b + CONTROL_IF.rx_ring + (prod % CONTROL_RING_SIZE) * CONTROL_MSG.SIZE;
      const chunk = bytes.subarray(off, off + 60);
      m.write8(slot + CONTROL_MSG.type, CMSG_CONSOLE);
      m.write8(slot + CONTROL_MSG.subtype, CMSG_CONSOLE_DATA);
      m.write8(slot + CONTROL_MSG.id, 0);
      m.write8(slot + CONTROL_MSG.length, chunk.length);
      m.writeBytes(slot + CONTROL_MSG.msg, new Uint8Array(chunk));
      m.write32(b + CONTROL_IF.rx_req_prod, prod + 1);
    }
    this.host.notifyFromDom0(this.g.dom0Port);
    return true;
  }
}
