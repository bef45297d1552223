// BENCH STAND-IN until the Xen target lands: a DebugTarget over MachineMemory in which each
// domain maps MAPPED_BYTES of flat memory and "executes" one byte per step. It lets
// `npm run bench -- gdb` measure the stub, the serial line and the splitter under gdb;
// swap in the real host once it implements DebugTarget.
import { MachineMemory } from "../../../src/emu/memory.js";
import type {
  AddressSpace,
  Breakpoint,
  DebugTarget,
  MonitorCommand,
  RegisterSnapshot,
  RegisterValue,
  ResumeRequest,
  TargetEvent,
  TargetResult,
  VcpuInfo,
  VcpuRef,
} from "../../../src/gdbstub/target.js";

export const MAPPED_BYTES = 16 * 1024 * 1024;
const CODE_START = 0x1000;

interface FlatDomain {
  id: number;
  regs: Map<string, RegisterValue>;
  /** Machine address of virtual address 0. */
  base: number;
}

export class FlatTarget implements DebugTarget {
  readonly memory: MachineMemory;
  readonly domains: FlatDomain[] = [];
  /** Steps the spinning domains ran (while the host ran freely). */
  spins = 0;
  private listeners = new Set<(e: TargetEvent) => void>();
  private running = false;
  private stopRequested = false;
  private halted = false;

  constructor(domainCount: number) {
    this.memory = new MachineMemory(MAPPED_BYTES * domainCount);
    for (let id = 0; id < domainCount; id++) {
      const regs = new Map<string, RegisterValue>();
      for (const n of ["eax", "ecx", "edx", "ebx", "esi", "edi"]) regs.set(n, 0);
      regs.set("esp", 0x8000);
      regs.set("ebp", 0x8000);
      regs.set("eip", CODE_START);
      regs.set("eflags", 0x202);
      for (const s of ["cs", "ss", "ds", "es", "fs", "gs"]) regs.set(s, 0x10);
      this.domains.push({ id, regs, base: id * MAPPED_BYTES });
      // A page of nops to step through.
      this.memory.u8.fill(0x90, id * MAPPED_BYTES + CODE_START, id * MAPPED_BYTES + CODE_START + 0x1000);
    }
  }

  vcpus(): VcpuInfo[] {
    return this.domains.map((d) => ({ ref: { domain: d.id, vcpu: 0 }, domainName: `bench-${d.id}`, state: this.running ? "running" : "paused" }));
  }
  attach(): void {}
  detach(): void {
    if (!this.running) this.resume({ kind: "continue" });
  }
  readRegisters(vcpu: VcpuRef): RegisterSnapshot {
    return this.domains[vcpu.domain]?.regs ?? new Map();
  }
  writeRegister(vcpu: VcpuRef, name: string, value: RegisterValue): TargetResult {
    this.domains[vcpu.domain]?.regs.set(name, value);
    return { ok: true };
  }
  readMemory(vcpu: VcpuRef, _space: AddressSpace, address: number, length: number): Uint8Array {
    const d = this.domains[vcpu.domain];
    if (d === undefined || address >= MAPPED_BYTES) return new Uint8Array(0);
    const end = Math.min(MAPPED_BYTES, address + length);
    return this.memory.u8.subarray(d.base + address, d.base + end);
  }
  writeMemory(vcpu: VcpuRef, _space: AddressSpace, address: number, data: Uint8Array): TargetResult {
    const d = this.domains[vcpu.domain];
    if (d === undefined || address + data.length > MAPPED_BYTES) return { ok: false, message: "Cannot write memory: not mapped" };
    this.memory.writeBytes(d.base + address, data);
    return { ok: true };
  }
  insertBreakpoint(_bp: Breakpoint): TargetResult {
    return { ok: true };
  }
  removeBreakpoint(_bp: Breakpoint): TargetResult {
    return { ok: true };
  }
  resume(request: ResumeRequest): void {
    this.running = true;
    if (request.kind === "step") {
      const d = this.domains[request.vcpu.domain];
      const eip = d.regs.get("eip") as number;
      d.regs.set("eip", eip + 1 >= CODE_START + 0x1000 ? CODE_START : eip + 1);
      this.running = false;
      this.emit({ kind: "stop", vcpu: request.vcpu, reason: { kind: "step" } });
      return;
    }
    const tick = () => {
      if (this.halted) return;
      if (this.stopRequested) {
        this.stopRequested = false;
        this.running = false;
        this.emit({ kind: "stop", vcpu: { domain: 0, vcpu: 0 }, reason: { kind: "requested" } });
        return;
      }
      this.spins += 1000;
      setImmediate(tick);
    };
    setImmediate(tick);
  }
  requestStop(): void {
    if (this.running) this.stopRequested = true;
    else this.emit({ kind: "stop", vcpu: { domain: 0, vcpu: 0 }, reason: { kind: "requested" } });
  }
  onEvent(listener: (event: TargetEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  /** Ends the free run for good (the benchmark is over). */
  halt(): void {
    this.halted = true;
  }
  monitorCommands(): MonitorCommand[] {
    return [];
  }
  private emit(event: TargetEvent): void {
    setImmediate(() => {
      for (const l of this.listeners) l(event);
    });
  }
}
