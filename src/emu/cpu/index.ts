// Front door of the i386 CPU model: the Cpu class and its public numbering.
export { Cpu, type CpuException, type CpuOptions, type SegmentCache, type WatchHit } from "./cpu.js";
export {
  Reg, SReg, Vector, StopReason, WatchKind, PF_P, PF_W, PF_U,
  CR0_PE, CR0_MP, CR0_EM, CR0_TS, CR0_ET, CR0_NE, CR0_WP, CR0_AM, CR0_PG, CR4_PSE, CR4_PGE,
  type SRegIndex, type StopReasonCode, type WatchKindCode,
} from "./constants.js";
export * as Flags from "./flags.js";
