// Comparing a case's outcome on the host CPU with our emulator's: registers, flags, eip,
// selectors, the exception (vector, error code, cr2) and changed memory, with only the
// per-instruction undefined parts masked (undefined-masks.ts). Native signal results are first
// turned into the architectural event they stand for.
import type { CaseResult, DiffCase } from "./case-format.js";
import { EFLAGS } from "./layout.js";
import { decodeSequence, masksFor, type DecodedStep } from "./undefined-masks.js";

/** What a case ended in, in CPU terms. */
export interface Outcome {
  regs: Uint32Array;
  eflags: number;
  eip: number;
  /** cs, ss, ds, es, fs, gs */
  sregs: number[];
  /** Exception or interrupt vector that stopped the case; -2 when it did not stop (hang). */
  vector: number;
  /** The stop was a software interrupt (int n), not an exception. */
  software: boolean;
  /** Error code for vectors that push one, else -1. */
  errorCode: number;
  /** cr2 for #PF, else 0. */
  cr2: number;
  changes: Array<[number, number]>;
}

const VECTORS_WITH_CODE = new Set([8, 10, 11, 12, 13, 14, 17]);
/** Vectors delivered as faults (eip at the instruction): #DE #BR #UD #NP #SS #GP #PF #AC. */
const FAULT_VECTORS = new Set([0, 5, 6, 11, 12, 13, 14, 17]);
/** The harness stops a hung case with its user-CPU-time tick (SIGVTALRM; SIGALRM in old corpora). */
const HANG_SIGNALS = new Set([26, 14]);

export function hasErrorCode(vector: number): boolean {
  return VECTORS_WITH_CODE.has(vector);
}

/** The Linux signal each hardware vector is delivered as (x86 traps.c), to cross-check trapno. */
const SIGNAL_OF_VECTOR = new Map<number, number>([
  [0, 8], // #DE -> SIGFPE
  [1, 5], // #DB -> SIGTRAP
  [3, 5], // #BP -> SIGTRAP
  [4, 11], // #OF -> SIGSEGV
  [5, 11], // #BR -> SIGSEGV
  [6, 4], // #UD -> SIGILL
  [11, 7], // #NP -> SIGBUS
  [12, 7], // #SS -> SIGBUS
  [13, 11], // #GP -> SIGSEGV
  [14, 11], // #PF -> SIGSEGV
  [17, 7], // #AC -> SIGBUS
]);

/** The event a native result stands for. Linux turns `int n` through a DPL-0 gate into #GP(n*8+2). */
export function nativeOutcome(c: DiffCase, r: CaseResult): Outcome {
  if (!HANG_SIGNALS.has(r.signo) && SIGNAL_OF_VECTOR.get(r.trapno) !== r.signo) {
    throw new Error(`Cannot interpret native result: signal ${r.signo} with trap number ${r.trapno}`);
  }
  let vector = r.trapno;
  let eip = r.eip;
  let errorCode = hasErrorCode(vector) ? r.err : -1;
  let software = false;
  let eflags = r.eflags;
  if (HANG_SIGNALS.has(r.signo)) {
    vector = -2;
    errorCode = -1;
  } else if (vector === 13 && (r.err & 7) === 2) {
    const steps = decodeSequence(c.code, c.codeOff);
    const s = steps.find((t) => t.start === r.eip);
    if (s && s.mnemonic === "Int") {
      vector = r.err >>> 3;
      errorCode = -1;
      eip = s.start + s.length;
      software = true;
      eflags &= ~EFLAGS.RF; // set by the #GP delivery the interrupt turned into
    }
  } else if (vector === 3 || vector === 4) {
    // int3, into, int 3 and int 4 pass Linux's DPL-3 gates. All are software interrupts (the
    // gate's DPL is checked for them), as the final int3 of every case is.
    const s = decodeSequence(c.code, c.codeOff).find((t) => t.start + t.length === r.eip);
    software = s === undefined ? vector === 3 : s.mnemonic === "Int" || s.mnemonic === "Int3" || s.mnemonic === "Into";
  }
  if (vector === 1) {
    // INT1 (icebp) is a trap (eip after it), but this host reports it at the instruction
    // (a hypervisor intercept re-injects it as a fault); restore the architectural eip.
    const s = decodeSequence(c.code, c.codeOff).find((t) => t.start === r.eip);
    if (s && s.mnemonic === "Int1") {
      eip = s.start + s.length;
      eflags &= ~EFLAGS.RF;
    }
  }
  if (vector === 14 && !software) errorCode &= 7; // P, W/R, U/S: the bits an i386 defines
  return {
    regs: r.regs,
    eflags,
    eip,
    sregs: r.sregs,
    vector,
    software,
    errorCode,
    cr2: vector === 14 && !software ? r.cr2 : 0,
    changes: r.changes,
  };
}

/** Steps of the case that completed before it stopped. */
export function executedSteps(c: DiffCase, o: Outcome): DecodedStep[] {
  const steps = decodeSequence(c.code, c.codeOff);
  const out: DecodedStep[] = [];
  // A fault stops at the start of its instruction, a trap at the start of the next one: either
  // way, the instruction starting at the final eip did not complete.
  for (const s of steps) {
    if (o.eip >>> 0 === s.start) break;
    out.push(s);
  }
  return out;
}

const REG_NAMES = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const SREG_NAMES = ["cs", "ss", "ds", "es", "fs", "gs"];

const hex = (v: number, w = 8): string => (v >>> 0).toString(16).padStart(w, "0");

/** Differences between expected (native) and got (emulator), masked; empty when they agree. */
export function compareOutcomes(c: DiffCase, expected: Outcome, got: Outcome): string[] {
  const diffs: string[] = [];
  const masks = masksFor(executedSteps(c, expected), c.regs, expected.regs, expected.eflags);
  for (let i = 0; i < 8; i++) {
    const keep = ~masks.regs[i] >>> 0;
    if (((expected.regs[i] ^ got.regs[i]) & keep) >>> 0 !== 0) {
      diffs.push(`${REG_NAMES[i]}: expected ${hex(expected.regs[i])} got ${hex(got.regs[i])}`);
    }
  }
  // For a fault the host reports EFLAGS as pushed in the exception frame, where the CPU sets RF
  // (so the restarted instruction does not re-trigger a breakpoint); it is not a result flag.
  const rfMask = FAULT_VECTORS.has(expected.vector) && !expected.software ? EFLAGS.RF : 0;
  const flagKeep = ~(masks.flags | rfMask) >>> 0;
  if (((expected.eflags ^ got.eflags) & flagKeep) >>> 0 !== 0) {
    diffs.push(
      `eflags: expected ${hex(expected.eflags)} got ${hex(got.eflags)} (differ ${hex((expected.eflags ^ got.eflags) & flagKeep)}, masked ${hex(masks.flags)})`,
    );
  }
  if (expected.vector !== got.vector || expected.software !== got.software) {
    const kind = (o: Outcome): string => `${o.vector}${o.software ? " (software)" : ""}`;
    diffs.push(`vector: expected ${kind(expected)} got ${kind(got)}`);
  }
  if (expected.eip >>> 0 !== got.eip >>> 0) diffs.push(`eip: expected ${hex(expected.eip)} got ${hex(got.eip)}`);
  if (expected.vector === got.vector && expected.errorCode !== got.errorCode) {
    diffs.push(`error code: expected ${hex(expected.errorCode, 4)} got ${hex(got.errorCode, 4)}`);
  }
  if (expected.vector === 14 && got.vector === 14 && !expected.software && !got.software && expected.cr2 >>> 0 !== got.cr2 >>> 0) {
    diffs.push(`cr2: expected ${hex(expected.cr2)} got ${hex(got.cr2)}`);
  }
  for (let i = 0; i < 6; i++) {
    if (expected.sregs[i] !== got.sregs[i]) {
      diffs.push(`${SREG_NAMES[i]}: expected ${hex(expected.sregs[i], 4)} got ${hex(got.sregs[i], 4)}`);
    }
  }
  const shown = (ch: Array<[number, number]>): string =>
    ch
      .filter(([a]) => !masks.memory.has(a))
      .map(([a, v]) => `${hex(a, 4)}=${hex(v, 2)}`)
      .join(" ");
  const e = shown(expected.changes);
  const g = shown(got.changes);
  if (e !== g) diffs.push(`memory: expected [${e}] got [${g}]`);
  return diffs;
}

/** A mismatch report: bytes, disassembly, inputs, then the differences. */
export function describeMismatch(c: DiffCase, expected: Outcome, diffs: readonly string[]): string {
  const steps = decodeSequence(c.code, c.codeOff);
  const lines = [
    `code @${hex(0xc000 + c.codeOff, 4)}: ${Buffer.from(c.code).toString("hex")}  ${steps.map((s) => s.text).join(" ; ")}`,
    `in: ${REG_NAMES.map((n, i) => `${n}=${hex(c.regs[i])}`).join(" ")} eflags=${hex(c.eflags)} ds=${hex(c.sregs[0], 2)} es=${hex(c.sregs[1], 2)} fs=${hex(c.sregs[2], 2)} gs=${hex(c.sregs[3], 2)}`,
  ];
  if (c.patches.length > 0) {
    lines.push(`mem: ${c.patches.map((p) => `${hex(p.addr, 4)}:${Buffer.from(p.bytes).toString("hex")}`).join(" ")}`);
  }
  lines.push(`native ended in vector ${expected.vector} at ${hex(expected.eip)}`);
  for (const d of diffs) lines.push(`  ${d}`);
  return lines.join("\n");
}
