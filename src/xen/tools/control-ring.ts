// The controller's side of a domain's control interface (control_if_t, shared_info + 2048):
// two rings of eight 64-byte control_msg_t slots. tx carries guest requests and our responses
// in the same slots; rx carries our requests and the guest's responses (xen2-abi.md §7.1).
// The guest writes the producer indices, so every index read here is treated as untrusted.
import {
  CONTROL_IF,
  CONTROL_IF_OFFSET,
  CONTROL_MSG,
  CONTROL_MSG_PAYLOAD,
  CONTROL_RING_SIZE,
} from "../abi.js";
import type { MachineMemory } from "../../emu/memory.js";

export interface ControlMessage {
  type: number;
  subtype: number;
  /** The guest's cookie, echoed in the response (0xFF: no reply handler). */
  id: number;
  /** Up to CONTROL_MSG_PAYLOAD bytes. */
  payload: Uint8Array;
}

export class ControlRing {
  /** Machine address of control_if_t. */
  readonly ifMa: number;
  /** Our private consumer index of the guest's rx responses. */
  private rxRespCons: number;

  constructor(
    private readonly mem: MachineMemory,
    sharedInfoMa: number,
  ) {
    this.ifMa = sharedInfoMa + CONTROL_IF_OFFSET;
    this.rxRespCons = this.read(CONTROL_IF.rx_resp_prod);
  }

  private read(off: number): number {
    return this.mem.read32(this.ifMa + off);
  }

  private write(off: number, v: number): void {
    this.mem.write32(this.ifMa + off, v >>> 0);
  }

  private slotMa(ring: number, index: number): number {
    return this.ifMa + ring + (index & (CONTROL_RING_SIZE - 1)) * CONTROL_MSG.SIZE;
  }

  private readMsg(ma: number): ControlMessage {
    const len = Math.min(this.mem.read8(ma + CONTROL_MSG.length), CONTROL_MSG_PAYLOAD);
    return {
      type: this.mem.read8(ma + CONTROL_MSG.type),
      subtype: this.mem.read8(ma + CONTROL_MSG.subtype),
      id: this.mem.read8(ma + CONTROL_MSG.id),
      payload: this.mem.readBytes(ma + CONTROL_MSG.msg, len).slice(),
    };
  }

  private writeMsg(ma: number, m: ControlMessage): void {
    if (m.payload.length > CONTROL_MSG_PAYLOAD) {
      throw new RangeError(`Cannot write control message: ${m.payload.length} bytes exceed ${CONTROL_MSG_PAYLOAD}`);
    }
    this.mem.write8(ma + CONTROL_MSG.type, m.type);
    this.mem.write8(ma + CONTROL_MSG.subtype, m.subtype);
    this.mem.write8(ma + CONTROL_MSG.id, m.id);
    this.mem.write8(ma + CONTROL_MSG.length, m.payload.length);
    this.mem.writeBytes(ma + CONTROL_MSG.msg, m.payload);
  }

  /**
   * Guest requests not yet answered, oldest first, at most a ring's worth. `skipped` counts
   * requests a runaway tx_req_prod claims beyond that (they are dropped, not read twice).
   */
  takeTxRequests(): { requests: ControlMessage[]; skipped: number } {
    const prod = this.read(CONTROL_IF.tx_req_prod);
    let cons = this.read(CONTROL_IF.tx_resp_prod);
    let outstanding = (prod - cons) >>> 0;
    let skipped = 0;
    if (outstanding > CONTROL_RING_SIZE) {
      skipped = outstanding - CONTROL_RING_SIZE;
      cons = (prod - CONTROL_RING_SIZE) >>> 0;
      this.write(CONTROL_IF.tx_resp_prod, cons);
      outstanding = CONTROL_RING_SIZE;
    }
    const requests: ControlMessage[] = [];
    for (let i = 0; i < outstanding; i++) requests.push(this.readMsg(this.slotMa(CONTROL_IF.tx_ring, cons + i)));
    return { requests, skipped };
  }

  /** Answers the oldest unanswered tx request in its own slot and advances tx_resp_prod. */
  respondTx(response: ControlMessage): void {
    const cons = this.read(CONTROL_IF.tx_resp_prod);
    this.writeMsg(this.slotMa(CONTROL_IF.tx_ring, cons), response);
    this.write(CONTROL_IF.tx_resp_prod, cons + 1);
  }

  /** Free rx slots: ours produced minus the guest's responses consumed. */
  rxSpace(): number {
    const inFlight = (this.read(CONTROL_IF.rx_req_prod) - this.rxRespCons) >>> 0;
    return inFlight >= CONTROL_RING_SIZE ? 0 : CONTROL_RING_SIZE - inFlight;
  }

  /** Queues a controller request to the guest; false when the ring is full. */
  pushRxRequest(m: ControlMessage): boolean {
    if (this.rxSpace() === 0) return false;
    const prod = this.read(CONTROL_IF.rx_req_prod);
    this.writeMsg(this.slotMa(CONTROL_IF.rx_ring, prod), m);
    this.write(CONTROL_IF.rx_req_prod, prod + 1);
    return true;
  }

  /** The guest's responses to our rx requests since last time (bounded by what we sent). */
  takeRxResponses(): ControlMessage[] {
    const prod = this.read(CONTROL_IF.rx_resp_prod);
    const sent = this.read(CONTROL_IF.rx_req_prod);
    let n = (prod - this.rxRespCons) >>> 0;
    const maxN = (sent - this.rxRespCons) >>> 0;
    if (n > maxN) n = maxN; // a guest cannot answer more than we asked
    const out: ControlMessage[] = [];
    for (let i = 0; i < n; i++) out.push(this.readMsg(this.slotMa(CONTROL_IF.rx_ring, this.rxRespCons + i)));
    this.rxRespCons = (this.rxRespCons + n) >>> 0;
    return out;
  }
}
