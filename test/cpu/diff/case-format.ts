// Binary records exchanged with the native harness and stored in the corpus: a case (initial
// registers, flags, selectors, code bytes, memory patches) and its result (final state, the
// signal that ended it with trap number, error code and cr2, changed data bytes).
import { IN_FIXED, OUT_FIXED } from "./layout.js";

export interface MemoryPatch {
  addr: number;
  bytes: Uint8Array;
}

export interface DiffCase {
  /** eax, ecx, edx, ebx, esp, ebp, esi, edi */
  regs: Uint32Array;
  eflags: number;
  /** ds, es, fs, gs */
  sregs: [number, number, number, number];
  codeOff: number;
  code: Uint8Array;
  patches: MemoryPatch[];
}

export interface CaseResult {
  regs: Uint32Array;
  eflags: number;
  eip: number;
  /** cs, ss, ds, es, fs, gs */
  sregs: number[];
  /** Linux signal number that ended the case (5 SIGTRAP for the final int3). */
  signo: number;
  trapno: number;
  err: number;
  cr2: number;
  /** Changed data bytes as [address, value], sorted by address. */
  changes: Array<[number, number]>;
  /** The case stored into the code page (a generator bug: the harness repaired the page). */
  codePageWritten?: boolean;
}

export function caseRecordSize(c: DiffCase): number {
  let n = IN_FIXED + c.code.length;
  for (const p of c.patches) n += 3 + p.bytes.length;
  return n;
}

export function writeCase(c: DiffCase, buf: Buffer, at: number): number {
  const len = caseRecordSize(c);
  buf.writeUInt32LE(len, at);
  for (let i = 0; i < 8; i++) buf.writeUInt32LE(c.regs[i] >>> 0, at + 4 + 4 * i);
  buf.writeUInt32LE(c.eflags >>> 0, at + 36);
  for (let i = 0; i < 4; i++) buf.writeUInt16LE(c.sregs[i], at + 40 + 2 * i);
  buf.writeUInt16LE(c.codeOff, at + 48);
  buf[at + 50] = c.code.length;
  buf[at + 51] = c.patches.length;
  buf.set(c.code, at + IN_FIXED);
  let p = at + IN_FIXED + c.code.length;
  for (const patch of c.patches) {
    buf.writeUInt16LE(patch.addr, p);
    buf[p + 2] = patch.bytes.length;
    buf.set(patch.bytes, p + 3);
    p += 3 + patch.bytes.length;
  }
  return at + len;
}

export function encodeCases(cases: readonly DiffCase[]): Buffer {
  let total = 0;
  for (const c of cases) total += caseRecordSize(c);
  const buf = Buffer.alloc(total);
  let at = 0;
  for (const c of cases) at = writeCase(c, buf, at);
  return buf;
}

export function readCase(buf: Buffer, at: number): { value: DiffCase; next: number } {
  if (at + IN_FIXED > buf.length) throw new RangeError(`Cannot read case at byte ${at}: truncated header`);
  const len = buf.readUInt32LE(at);
  if (len < IN_FIXED || at + len > buf.length) throw new RangeError(`Cannot read case at byte ${at}: length ${len}`);
  const regs = new Uint32Array(8);
  for (let i = 0; i < 8; i++) regs[i] = buf.readUInt32LE(at + 4 + 4 * i);
  const codeLen = buf[at + 50];
  const npatch = buf[at + 51];
  const code = new Uint8Array(buf.subarray(at + IN_FIXED, at + IN_FIXED + codeLen));
  const patches: MemoryPatch[] = [];
  let p = at + IN_FIXED + codeLen;
  for (let k = 0; k < npatch; k++) {
    const n = buf[p + 2];
    patches.push({ addr: buf.readUInt16LE(p), bytes: new Uint8Array(buf.subarray(p + 3, p + 3 + n)) });
    p += 3 + n;
  }
  if (p !== at + len) throw new RangeError(`Cannot read case at byte ${at}: patches end at ${p - at} of ${len}`);
  return {
    value: {
      regs,
      eflags: buf.readUInt32LE(at + 36),
      sregs: [buf.readUInt16LE(at + 40), buf.readUInt16LE(at + 42), buf.readUInt16LE(at + 44), buf.readUInt16LE(at + 46)],
      codeOff: buf.readUInt16LE(at + 48),
      code,
      patches,
    },
    next: at + len,
  };
}

export function resultRecordSize(r: CaseResult): number {
  return OUT_FIXED + 3 * r.changes.length;
}

export function writeResult(r: CaseResult, buf: Buffer, at: number): number {
  const len = resultRecordSize(r);
  buf.writeUInt32LE(len, at);
  for (let i = 0; i < 8; i++) buf.writeUInt32LE(r.regs[i] >>> 0, at + 4 + 4 * i);
  buf.writeUInt32LE(r.eflags >>> 0, at + 36);
  buf.writeUInt32LE(r.eip >>> 0, at + 40);
  for (let i = 0; i < 6; i++) buf.writeUInt16LE(r.sregs[i], at + 44 + 2 * i);
  buf[at + 56] = r.signo;
  buf[at + 57] = r.trapno;
  buf.writeUInt16LE(r.changes.length, at + 58);
  buf.writeUInt32LE(r.err >>> 0, at + 60);
  buf.writeUInt32LE(r.cr2 >>> 0, at + 64);
  buf.writeUInt32LE(r.codePageWritten ? 1 : 0, at + 68);
  let p = at + OUT_FIXED;
  for (const [addr, value] of r.changes) {
    buf.writeUInt16LE(addr, p);
    buf[p + 2] = value;
    p += 3;
  }
  return at + len;
}

export function readResult(buf: Buffer, at: number): { value: CaseResult; next: number } {
  if (at + OUT_FIXED > buf.length) throw new RangeError(`Cannot read result at byte ${at}: truncated header`);
  const len = buf.readUInt32LE(at);
  const n = buf.readUInt16LE(at + 58);
  if (len !== OUT_FIXED + 3 * n || at + len > buf.length) {
    throw new RangeError(`Cannot read result at byte ${at}: length ${len} for ${n} changes`);
  }
  const regs = new Uint32Array(8);
  for (let i = 0; i < 8; i++) regs[i] = buf.readUInt32LE(at + 4 + 4 * i);
  const sregs: number[] = [];
  for (let i = 0; i < 6; i++) sregs.push(buf.readUInt16LE(at + 44 + 2 * i));
  const changes: Array<[number, number]> = [];
  for (let k = 0; k < n; k++) changes.push([buf.readUInt16LE(at + OUT_FIXED + 3 * k), buf[at + OUT_FIXED + 3 * k + 2]]);
  changes.sort((a, b) => a[0] - b[0]);
  return {
    value: {
      regs,
      eflags: buf.readUInt32LE(at + 36),
      eip: buf.readUInt32LE(at + 40),
      sregs,
      signo: buf[at + 56],
      trapno: buf[at + 57],
      err: buf.readUInt32LE(at + 60),
      cr2: buf.readUInt32LE(at + 64),
      changes,
      ...(buf.readUInt32LE(at + 68) & 1 ? { codePageWritten: true } : {}),
    },
    next: at + len,
  };
}

export function decodeResults(buf: Buffer): CaseResult[] {
  const out: CaseResult[] = [];
  let at = 0;
  while (at < buf.length) {
    const r = readResult(buf, at);
    out.push(r.value);
    at = r.next;
  }
  return out;
}
