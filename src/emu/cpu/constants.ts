// Public numbering for the i386 CPU model: registers and segment registers in encoding order,
// exception vectors (SDM vol. 3 §6.3.1), stop reasons of Cpu.run and watchpoint kinds.
// Plain objects rather than const enums: esbuild/vitest does not inline const enums across files.

/** General registers in ModRM encoding order. */
export const Reg = { EAX: 0, ECX: 1, EDX: 2, EBX: 3, ESP: 4, EBP: 5, ESI: 6, EDI: 7 } as const;

/** Segment registers in ModRM/sreg encoding order. */
export const SReg = { ES: 0, CS: 1, SS: 2, DS: 3, FS: 4, GS: 5 } as const;
export type SRegIndex = 0 | 1 | 2 | 3 | 4 | 5;

export const Vector = {
  DE: 0, DB: 1, NMI: 2, BP: 3, OF: 4, BR: 5, UD: 6, NM: 7, DF: 8,
  TS: 10, NP: 11, SS: 12, GP: 13, PF: 14, MF: 16, AC: 17,
} as const;

/** Why Cpu.run returned. */
export const StopReason = {
  /** The instruction budget ran out. */
  BUDGET: 0,
  /** Owned mode: an exception or software interrupt; see cpu.exception. */
  EXCEPTION: 1,
  /** Bare mode: hlt executed (cpu.halted is set; eip is after the hlt). */
  HALT: 2,
  /** An execution breakpoint matched before the instruction at eip ran. */
  BREAKPOINT: 3,
  /** A data watchpoint fired; the access completed; see cpu.watchHit. */
  WATCHPOINT: 4,
  /** Single-step: exactly one instruction (or one delivered event) completed. */
  STEP: 5,
  /** requestStop() was called. */
  STOP_REQUESTED: 6,
  /** Bare mode: triple fault (a fault while delivering a double fault). */
  SHUTDOWN: 7,
} as const;
export type StopReasonCode = (typeof StopReason)[keyof typeof StopReason];

/** Data watchpoint kinds (same numbers as GDB's Z2/Z3/Z4 minus 2). */
export const WatchKind = { WRITE: 0, READ: 1, ACCESS: 2 } as const;
export type WatchKindCode = (typeof WatchKind)[keyof typeof WatchKind];

/** Page-fault error code bits (SDM vol. 3 §4.7). */
export const PF_P = 1;
export const PF_W = 2;
export const PF_U = 4;

/** Control register bits. */
export const CR0_PE = 1 << 0;
export const CR0_MP = 1 << 1;
export const CR0_EM = 1 << 2;
export const CR0_TS = 1 << 3;
export const CR0_ET = 1 << 4;
export const CR0_NE = 1 << 5;
export const CR0_WP = 1 << 16;
export const CR0_AM = 1 << 18;
export const CR0_PG = 1 << 31;
export const CR4_PSE = 1 << 4;
export const CR4_PGE = 1 << 7;
