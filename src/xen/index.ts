// The Xen room's front door: the host object and what other rooms (dom0 tools, CLI, gdb stub
// wiring, MINIX builder) use of the hypervisor. The ABI stays in abi.ts, imported directly.
export { XenHost, type XenHostOptions, type BuildPlan, type InitialRegisters, type DebugStop, type DomainExitListener } from "./host.js";
export { CpuPort } from "./cpu-port.js";
export { XenDebugTarget } from "./debug-target.js";
export { BufferConsole, type ConsoleSink } from "./console-sink.js";
export { Domain, Vcpu, type DomainRunState, type DebugPoint } from "./domain.js";
export { Clock, CPU_FREQ_HZ, NS_PER_INSTRUCTION, type TimeMode } from "./time.js";
export { HypercallStats } from "./hypercalls.js";
export type { GuestCpuPort, RunOutcome } from "./vcpu-port.js";
