// One debugger connection: ties the acknowledged link, the command table and the debug
// target to a byte sink (the serial-line end or a socket). It owns the life cycle of issue 5:
// attaching stops the whole host, detach and `k` remove breakpoints and resume it, and a
// connection that drops without detaching counts as a detach. All-stop only.
import createDebug from "debug";
import { HexReply, NO_REPLY, dispatch, type HandlerResult, type StubState } from "./commands.js";
import { textToHex } from "./hex.js";
import { RspLink, type LinkEvent } from "./link.js";
import { SIGINT, SIGTRAP, formatExitReply, formatStopReply, stopSignal } from "./stop-reply.js";
import { pidOf, type ThreadSelector } from "./thread-id.js";
import { codeBase, fromLinear, toLinear } from "./linear-view.js";
import type {
  AddressSpace,
  Breakpoint,
  DebugTarget,
  MonitorContext,
  RegisterSnapshot,
  RegisterValue,
  ResumeRequest,
  StopReason,
  TargetResult,
  TargetEvent,
  VcpuInfo,
  VcpuRef,
} from "./target.js";

const log = createDebug("gdbstub");

const NO_DOMAIN: VcpuInfo = { ref: { domain: 0, vcpu: 0 }, domainName: "Xen", state: "no domain to debug yet" };
/** gdb gives up connecting without a PC, so the placeholder has eip 0 and nothing else. */
const NO_DOMAIN_REGISTERS: RegisterSnapshot = new Map([["eip", 0]]);

/** PacketSize offered on an unpaced line: large, since gdb's own decoding is then the limit. */
export const UNPACED_PACKET_SIZE = 0x20000;
const MIN_PACKET_SIZE = 0x200;

/**
 * The PacketSize to advertise: with a paced line, small enough that the largest reply (a
 * memory read, about PacketSize bytes on the wire) takes at most one second, well inside gdb's
 * 2 s remote timeout.
 */
export function choosePacketSize(lineBytesPerSecond?: number): number {
  if (lineBytesPerSecond === undefined) return UNPACED_PACKET_SIZE;
  return Math.max(MIN_PACKET_SIZE, Math.min(UNPACED_PACKET_SIZE, Math.floor(lineBytesPerSecond)));
}

export interface SessionOptions {
  target: DebugTarget;
  /** Sends bytes to gdb. Everything written is 7-bit clean. */
  write(bytes: Uint8Array): void;
  /** Asks the transport to hang up (after `k` or a full detach). */
  hangUp?(): void;
  /** The transport cannot lose or corrupt bytes (TCP, an unpaced in-process line). */
  lossless: boolean;
  /** Line speed when paced (baud / 10 for 8N1); undefined when unpaced. */
  lineBytesPerSecond?: number;
  /** Run-length encode replies. @default true on a paced line, false otherwise */
  runLength?: boolean;
  /**
   * The session outlives debuggers (a serial line, where a debugger leaving is invisible):
   * after a detach, the next packet attaches again, and a qSupported in the middle of a
   * session means the previous debugger vanished, so its breakpoints go and a fresh session
   * starts. Such a session starts detached: the first packet attaches. Off for sockets,
   * where each connection has its own session and attaches at once. @default false
   */
  reattach?: boolean;
}

type RunState =
  /** Waiting for the stop that attaching asked for. */
  | "attaching"
  | "stopped"
  /** Resumed; gdb waits for a stop reply. */
  | "running"
  | "detached";

/** Packets that end a session: D, D;pid, k, vKill;pid. */
function isGoodbye(packet: string): boolean {
  return packet === "D" || packet === "k" || packet.startsWith("D;") || packet.startsWith("vKill;");
}

export class GdbSession implements StubState {
  readonly target: DebugTarget;
  readonly packetSize: number;
  readonly lossless: boolean;
  gdbFeatures = { multiprocess: false, swbreak: false, hwbreak: false };
  generalThread: VcpuRef | null = null;
  continueThread: ThreadSelector = { pid: null, tid: 0 };
  space: AddressSpace = "virtual";
  linearView = true;
  readonly breakpoints: Breakpoint[] = [];

  private readonly link: RspLink;
  private readonly hangUp: () => void;
  private readonly reattach: boolean;
  private unsubscribe: () => void = () => {};
  private negotiated = false;
  private runState: RunState = "attaching";
  private lastStop: { vcpu: VcpuRef; reason: StopReason; signal: number } | null = null;
  private requestedSignal = SIGTRAP;
  private stopReplyOwed = false;
  private readonly detachedPids = new Set<number>();
  private afterReply: Array<() => void> = [];

  constructor(options: SessionOptions) {
    this.target = options.target;
    this.lossless = options.lossless;
    this.packetSize = choosePacketSize(options.lineBytesPerSecond);
    this.hangUp = options.hangUp ?? (() => {});
    this.link = new RspLink({
      write: options.write,
      onEvent: (e) => this.onLinkEvent(e),
      // gdb keeps its packets within PacketSize; a little slack for the header it counts differently.
      maxPacketSize: this.packetSize + 64,
      // On a paced line every byte costs line time, and registers and memory are full of zeros.
      runLength: options.runLength ?? options.lineBytesPerSecond !== undefined,
    });
    this.reattach = options.reattach ?? false;
    // On a line, the host boots with nobody listening: the first packet attaches.
    if (this.reattach) this.runState = "detached";
    else this.attach();
  }

  private attach(): void {
    this.runState = "attaching";
    this.lastStop = null;
    this.requestedSignal = SIGTRAP;
    this.stopReplyOwed = false;
    this.negotiated = false;
    this.generalThread = null;
    this.continueThread = { pid: null, tid: 0 };
    this.space = "virtual";
    this.linearView = true;
    this.detachedPids.clear();
    this.unsubscribe = this.target.onEvent((e) => this.onTargetEvent(e));
    log("debugger attached: stopping the host");
    this.target.attach();
    this.target.requestStop();
  }

  /** A new debugger said qSupported while the old one never detached: start over. */
  private restart(): void {
    log("a new debugger on the line: dropping the previous session");
    this.link.leaveNoAckMode();
    this.detachAll(false);
    this.attach();
  }

  /** True until the debugger detached or the connection closed. */
  get attached(): boolean {
    return this.runState !== "detached";
  }

  /** Bytes from gdb. */
  receive(chunk: Uint8Array): void {
    if (this.runState === "detached" && !this.reattach) return;
    this.link.receive(chunk);
  }

  /** The connection dropped: a detach without the goodbye. */
  disconnected(): void {
    if (this.runState === "detached") return;
    log("connection dropped: detaching");
    this.detachAll();
  }

  // ---- StubState ----

  liveVcpus(): VcpuInfo[] {
    const existing = this.target.vcpus();
    // gdb treats a target without threads as "not being run" and refuses even `monitor`:
    // with no debuggable domain yet, show one placeholder thread with nothing readable.
    if (existing.length === 0 && !this.detachedPids.has(1)) return [NO_DOMAIN];
    const all = existing.filter((v) => !this.detachedPids.has(pidOf(v.ref.domain)));
    const last = this.lastStop?.vcpu;
    if (last === undefined) return all;
    const first = all.filter((v) => v.ref.domain === last.domain && v.ref.vcpu === last.vcpu);
    return [...first, ...all.filter((v) => !first.includes(v))];
  }

  registersOf(vcpu: VcpuRef): RegisterSnapshot {
    if (this.target.vcpus().length === 0) return NO_DOMAIN_REGISTERS;
    const raw = this.target.readRegisters(vcpu);
    return this.linearView ? toLinear(raw) : raw;
  }

  writeRegisterOf(vcpu: VcpuRef, name: string, value: RegisterValue): TargetResult {
    const raw = this.linearView ? this.target.readRegisters(vcpu) : new Map<string, RegisterValue>();
    return this.target.writeRegister(vcpu, name, fromLinear(raw, name, value));
  }

  currentStopReply(): HandlerResult {
    if (this.lastStop === null) {
      this.stopReplyOwed = true;
      return NO_REPLY;
    }
    return this.stopReply(this.lastStop.vcpu, this.lastStop.reason, this.lastStop.signal);
  }

  resume(request: ResumeRequest): void {
    this.runState = "running";
    this.stopReplyOwed = true;
    this.requestedSignal = SIGINT;
    if (request.kind === "step" && request.range !== undefined && this.linearView) {
      // gdb's range is in linear code addresses; the target compares it with eip.
      const base = codeBase(this.target.readRegisters(request.vcpu));
      const { start, end } = request.range;
      request = { ...request, range: { start: (start - base) >>> 0, end: (end - base) >>> 0 } };
    }
    this.target.resume(request);
  }

  console(text: string): void {
    // Each O packet carries at most half a packet of text (it is hex-encoded).
    const step = Math.max(1, Math.floor((this.packetSize - 8) / 2));
    for (let i = 0; i < text.length; i += step) this.link.send(`O${textToHex(text.slice(i, i + step))}`);
  }

  requestNoAck(): void {
    this.afterReply.push(() => this.link.enterNoAckMode());
  }

  requestDetach(pid: number | null): void {
    this.afterReply.push(() => {
      if (pid === null) {
        this.detachAll();
        return;
      }
      this.detachPid(pid);
    });
  }

  monitorContext(): MonitorContext {
    return { vcpu: this.generalThread ?? this.lastStop?.vcpu ?? null, space: this.space };
  }

  // ---- internals ----

  private onLinkEvent(event: LinkEvent): void {
    switch (event.kind) {
      case "packet": {
        // A view, not a copy: the text is all that is kept.
        const packet = Buffer.from(event.data.buffer, event.data.byteOffset, event.data.byteLength).toString("latin1");
        const hello = packet.startsWith("qSupported");
        if (this.runState === "detached") {
          // A goodbye to nobody (the splitter's detach for a debugger that already left) must
          // not stop the host: only other packets attach. It is still answered (except `k`,
          // which has no reply), so the splitter always sees one reply to the detach it sent.
          if (isGoodbye(packet)) {
            if (packet !== "k") this.link.send("OK");
            return;
          }
          this.link.leaveNoAckMode();
          this.attach();
        }
        else if (hello && this.negotiated && this.reattach) this.restart();
        if (hello) this.negotiated = true;
        const reply = dispatch(packet, this);
        if (reply !== NO_REPLY) this.send(reply);
        const after = this.afterReply;
        this.afterReply = [];
        for (const fn of after) fn();
        return;
      }
      case "rejected":
        if (this.runState === "detached") {
          this.link.leaveNoAckMode();
          this.attach();
        }
        this.send("E01");
        return;
      case "interrupt":
        if (this.runState === "running") {
          log("Ctrl-C: stopping the host");
          this.requestedSignal = SIGINT;
          this.target.requestStop();
        }
        return;
      case "error":
        log("%s", event.message);
        return;
    }
  }

  private send(body: string | HexReply): void {
    if (this.runState === "detached") return;
    if (typeof body === "string") this.link.send(body);
    else this.link.sendHex(body.bytes);
  }

  private onTargetEvent(event: TargetEvent): void {
    if (this.runState === "detached") return;
    if (event.kind === "exited") {
      log("domain %d exited with %d", event.domain, event.status);
      if (this.stopReplyOwed) {
        this.stopReplyOwed = false;
        this.send(formatExitReply(event.domain, event.status));
      }
      this.runState = "stopped";
      if (this.lastStop?.vcpu.domain === event.domain) this.lastStop = null;
      return;
    }
    const signal = stopSignal(event.reason, this.requestedSignal);
    this.lastStop = { vcpu: event.vcpu, reason: event.reason, signal };
    this.generalThread = event.vcpu;
    this.runState = "stopped";
    if (!this.stopReplyOwed) return;
    this.stopReplyOwed = false;
    if (event.reason.kind === "crash") {
      this.console(`domain ${event.vcpu.domain} crashed: ${event.reason.description}\n`);
    }
    this.send(this.stopReply(event.vcpu, event.reason, signal));
  }

  private stopReply(vcpu: VcpuRef, reason: StopReason, signal: number): string {
    const registers = this.registersOf(vcpu);
    const refined = this.refineBreakpoint(vcpu, this.refineWatch(vcpu, reason), registers.get("eip"));
    return formatStopReply(vcpu, refined, signal, registers, this.gdbFeatures);
  }

  /** Z0 and Z1 work alike in the emulator; report hwbreak when only a Z1 sits at eip. */
  private refineBreakpoint(vcpu: VcpuRef, reason: StopReason, eip: RegisterValue | undefined): StopReason {
    if (reason.kind !== "breakpoint" || typeof eip !== "number") return reason;
    const here = this.breakpoints.filter(
      (b) => b.domain === vcpu.domain && b.address === eip >>> 0 && (b.type === "software" || b.type === "hardware"),
    );
    if (here.length > 0 && here.every((b) => b.type === "hardware")) return { kind: "breakpoint", type: "hardware" };
    if (here.length > 0 && here.every((b) => b.type === "software")) return { kind: "breakpoint", type: "software" };
    return reason;
  }

  /**
   * A target that cannot tell which kind of watchpoint matched reports "access". When the
   * watchpoints gdb inserted over that address are all of one kind, report that kind, so gdb
   * shows a `watch` as a write rather than as an access.
   */
  private refineWatch(vcpu: VcpuRef, reason: StopReason): StopReason {
    if (reason.kind !== "watchpoint" || reason.type !== "access") return reason;
    const a = reason.address >>> 0;
    const kinds = new Set(
      this.breakpoints
        .filter((b) => b.domain === vcpu.domain && b.type !== "software" && b.type !== "hardware")
        .filter((b) => a >= b.address && a < b.address + b.length)
        .map((b) => b.type),
    );
    if (kinds.size !== 1) return reason;
    const [only] = kinds;
    return only === "write" || only === "read" ? { ...reason, type: only } : reason;
  }

  private removeBreakpoints(domain: number | null): void {
    for (let i = this.breakpoints.length - 1; i >= 0; i--) {
      const bp = this.breakpoints[i];
      if (domain !== null && bp.domain !== domain) continue;
      this.target.removeBreakpoint(bp);
      this.breakpoints.splice(i, 1);
    }
  }

  private detachPid(pid: number): void {
    this.removeBreakpoints(pid - 1);
    this.detachedPids.add(pid);
    log("domain %d detached", pid - 1);
    if (this.liveVcpus().length === 0) this.detachAll();
  }

  private detachAll(hangUp = true): void {
    this.removeBreakpoints(null);
    this.runState = "detached";
    this.unsubscribe();
    log("debugger detached: resuming the host");
    this.target.detach();
    if (hangUp) this.hangUp();
  }
}
