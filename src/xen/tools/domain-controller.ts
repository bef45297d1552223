// dom0's domain controller for one domain: serves its control-interface rings the way Xen 2.0's
// xend did. Console output (CMSG_CONSOLE requests on tx) goes to the console sinks; typed input
// goes to the guest as CMSG_CONSOLE requests on rx; other message types are served by handlers
// registered per type (block messages plug in here) or echoed back as xend did.
import debug from "debug";
import {
  CMSG_CONSOLE,
  CMSG_CONSOLE_DATA,
  CMSG_SHUTDOWN,
  CONTROL_MSG_PAYLOAD,
} from "../abi.js";
import type { MachineMemory } from "../../emu/memory.js";
import { ControlRing, type ControlMessage } from "./control-ring.js";

const log = debug("xen:ctrl");

/** Input bytes kept for a guest that does not drain its rx ring; beyond this, input is dropped. */
export const CONSOLE_INPUT_LIMIT = 64 * 1024;

/** Serves one message type; returns the response (same type/subtype/id) or undefined to echo. */
export type ControlHandler = (request: ControlMessage) => ControlMessage | undefined;

export interface DomainControllerOptions {
  domid: number;
  memory: MachineMemory;
  /** Machine address of the domain's shared_info page (control_if_t lives at +2048). */
  sharedInfoMa: number;
  /** Sends an event to the guest on the control channel (evtchn send from dom0). */
  notifyGuest(): void;
  /** The guest's console output. */
  onConsoleOutput(bytes: Uint8Array): void;
}

export class DomainController {
  readonly domid: number;
  private readonly ring: ControlRing;
  private readonly handlers = new Map<number, ControlHandler>();
  private readonly rxQueue: ControlMessage[] = [];
  private pendingInput: number[] = [];
  /** Console input bytes dropped because the guest did not take them. */
  inputDropped = 0;
  /** Requests dropped because the guest's tx_req_prod ran ahead of the ring. */
  requestsSkipped = 0;
  /** Messages the controller served, by type, for `xm list -l` and tests. */
  readonly served = new Map<number, number>();
  private afterResponses: Array<() => void> = [];

  constructor(private readonly opts: DomainControllerOptions) {
    this.domid = opts.domid;
    this.ring = new ControlRing(opts.memory, opts.sharedInfoMa);
  }

  /** Serves a message type other than the console (e.g. CMSG_BLKIF_FE); one handler per type. */
  setHandler(type: number, handler: ControlHandler): void {
    if (type === CMSG_CONSOLE) throw new Error("Cannot set a handler for CMSG_CONSOLE: the controller serves it");
    this.handlers.set(type, handler);
  }

  /** The guest sent an event on the control channel: serve its requests and take its responses. */
  onGuestEvent(): void {
    let notify = false;
    const { requests, skipped } = this.ring.takeTxRequests();
    if (skipped > 0) {
      this.requestsSkipped += skipped;
      log("dom%d: tx_req_prod ran %d requests past the ring; skipped them", this.domid, skipped);
    }
    for (const req of requests) {
      this.ring.respondTx(this.serve(req));
      notify = true;
      for (const fn of this.afterResponses.splice(0)) fn();
    }
    if (this.ring.takeRxResponses().length > 0 && this.flushRx()) notify = true;
    if (notify) this.opts.notifyGuest();
  }

  private serve(req: ControlMessage): ControlMessage {
    this.served.set(req.type, (this.served.get(req.type) ?? 0) + 1);
    if (req.type === CMSG_CONSOLE) {
      if (req.subtype === CMSG_CONSOLE_DATA && req.payload.length > 0) this.opts.onConsoleOutput(req.payload);
      return { ...req, payload: new Uint8Array(0) };
    }
    const h = this.handlers.get(req.type);
    const resp = h === undefined ? undefined : h(req);
    if (resp === undefined) log("dom%d: no handler for type %d subtype %d; echoing", this.domid, req.type, req.subtype);
    return resp ?? req;
  }

  /** Runs `fn` right after the response to the request being served is written (a handler's follow-up message). */
  afterResponse(fn: () => void): void {
    this.afterResponses.push(fn);
  }

  /** Typed bytes for the guest's console, sent as CMSG_CONSOLE_DATA requests on rx. */
  consoleInput(bytes: Uint8Array): void {
    const room = CONSOLE_INPUT_LIMIT - this.pendingInput.length;
    const take = Math.min(room, bytes.length);
    if (take < bytes.length) this.inputDropped += bytes.length - take;
    for (let i = 0; i < take; i++) this.pendingInput.push(bytes[i]);
    if (this.flushRx()) this.opts.notifyGuest();
  }

  /** Sends a controller request of any type (e.g. CMSG_SHUTDOWN, or block status messages). */
  sendRequest(m: ControlMessage): void {
    this.rxQueue.push(m);
    if (this.flushRx()) this.opts.notifyGuest();
  }

  /** Asks the guest to shut down (CMSG_SHUTDOWN with the reason as subtype), as `xm shutdown` did. */
  requestShutdown(subtype: number): void {
    this.sendRequest({ type: CMSG_SHUTDOWN, subtype, id: 0, payload: new Uint8Array(0) });
  }

  /** Moves queued requests into free rx slots; true when anything was written. */
  private flushRx(): boolean {
    let wrote = false;
    for (;;) {
      let m = this.rxQueue[0];
      const fromInput = m === undefined && this.pendingInput.length > 0;
      if (fromInput) {
        const chunk = Uint8Array.from(this.pendingInput.slice(0, CONTROL_MSG_PAYLOAD));
        m = { type: CMSG_CONSOLE, subtype: CMSG_CONSOLE_DATA, id: 0, payload: chunk };
      }
      if (m === undefined || !this.ring.pushRxRequest(m)) return wrote;
      if (fromInput) this.pendingInput = this.pendingInput.slice(m.payload.length);
      else this.rxQueue.shift();
      wrote = true;
    }
  }
}
