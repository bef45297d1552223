// The GDB stub's front door: what the host (Xen) and the CLI import.
export type {
  AddressSpace,
  Breakpoint,
  BreakpointType,
  DebugTarget,
  MonitorCommand,
  MonitorContext,
  RegisterSnapshot,
  RegisterValue,
  ResumeRequest,
  StopReason,
  TargetEvent,
  TargetResult,
  VcpuInfo,
  VcpuRef,
} from "./target.js";
export { REGISTERS, registerByName, type RegisterInfo, type RegisterName } from "./registers.js";
export { GdbSession, choosePacketSize, type SessionOptions } from "./session.js";
export { startGdbServer, type GdbServer, type GdbServerOptions } from "./server.js";
