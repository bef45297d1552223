// Front door of the i386 CPU model (issue 3): protected mode with segmentation, 2-level paging
// and rings, in two modes. "owned": the owner (Xen) gets every exception and software interrupt
// from run() and builds frames itself. "bare": ring 0 too, IDT/TSS delivery and an I/O hook, so
// PC test kernels run as on hardware. Interpreter plus a block compiler for hot 32-bit code.
//
// Typical owner loop:
//   const cpu = new Cpu(mem, { mode: "owned" });
//   cpu.setSegmentCache(SReg.CS, sel, base, limit, access); ... cpu.cr3 = pd; cpu.eip = entry;
//   switch (cpu.run(20000)) { case StopReason.EXCEPTION: handle(cpu.exception); ... }
export { Cpu, type CpuException, type CpuOptions, type SegmentCache, type WatchHit } from "./cpu.js";
export {
  Reg, SReg, Vector, StopReason, WatchKind, PF_P, PF_W, PF_U,
  CR0_PE, CR0_MP, CR0_EM, CR0_TS, CR0_ET, CR0_NE, CR0_WP, CR0_AM, CR0_PG, CR4_PSE, CR4_PGE,
  type SRegIndex, type StopReasonCode, type WatchKindCode,
} from "./constants.js";
export * as Flags from "./flags.js";
