// Machine frames as Xen 2.0 accounts for them (xen/include/asm-x86/mm.h): per MFN an owner, a
// general reference count, and a type (none/L1/L2/GDT/LDT/writable) with a type count, a
// validated flag and a pinned flag. Also the frame pool that hands frames to domains, shuffled
// (a host option) so that no confusion of PFN and MFN can pass a test by accident.
import { PGT_none } from "./abi.js";

/** Owner value of a frame in the free pool. */
export const OWNER_FREE = -1;
/** Owner value of frames Xen keeps for itself (M2P table, per-domain maps, default GDT). */
export const OWNER_XEN = -2;

export type Mfn = number;

/** Per-frame accounting, one typed array per field, indexed by MFN. */
export class FrameTable {
  readonly count: number;
  readonly owner: Int32Array;
  /** General references: 1 for being allocated, +1 per mapping or Xen use. */
  readonly refs: Int32Array;
  readonly type: Uint8Array;
  readonly typeCount: Int32Array;
  readonly validated: Uint8Array;
  readonly pinned: Uint8Array;

  constructor(frameCount: number) {
    this.count = frameCount;
    this.owner = new Int32Array(frameCount).fill(OWNER_FREE);
    this.refs = new Int32Array(frameCount);
    this.type = new Uint8Array(frameCount);
    this.typeCount = new Int32Array(frameCount);
    this.validated = new Uint8Array(frameCount);
    this.pinned = new Uint8Array(frameCount);
  }

  isValidMfn(mfn: Mfn): boolean {
    return Number.isInteger(mfn) && mfn >= 0 && mfn < this.count;
  }

  /** Forgets everything about a frame (it returns to the pool). */
  reset(mfn: Mfn): void {
    this.owner[mfn] = OWNER_FREE;
    this.refs[mfn] = 0;
    this.type[mfn] = PGT_none;
    this.typeCount[mfn] = 0;
    this.validated[mfn] = 0;
    this.pinned[mfn] = 0;
  }
}

/** A small deterministic PRNG (mulberry32), so shuffled pools replay identically. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FramePoolOptions {
  /** Hand frames out in a shuffled order (non-contiguous MFNs). @default true */
  shuffle?: boolean;
  /** Seed of the shuffle. @default 1 */
  seed?: number;
}

/** The free machine frames. Allocation takes from the end of a (possibly shuffled) list. */
export class FramePool {
  private free: Mfn[] = [];
  private readonly random: () => number;
  readonly shuffle: boolean;

  constructor(private readonly table: FrameTable, firstFreeMfn: Mfn, options: FramePoolOptions = {}) {
    this.shuffle = options.shuffle ?? true;
    this.random = seededRandom(options.seed ?? 1);
    for (let mfn = table.count - 1; mfn >= firstFreeMfn; mfn--) this.free.push(mfn);
    if (this.shuffle) this.shuffleFree();
  }

  get freeCount(): number {
    return this.free.length;
  }

  private shuffleFree(): void {
    const f = this.free;
    for (let i = f.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = f[i];
      f[i] = f[j];
      f[j] = t;
    }
  }

  /** Takes n frames for `owner` (a domid or OWNER_XEN); null if the pool is short. */
  allocate(n: number, owner: number): Mfn[] | null {
    if (n > this.free.length) return null;
    const out: Mfn[] = [];
    for (let i = 0; i < n; i++) {
      const mfn = this.free.pop() as Mfn;
      this.table.reset(mfn);
      this.table.owner[mfn] = owner;
      this.table.refs[mfn] = 1;
      out.push(mfn);
    }
    return out;
  }

  /** Returns a frame to the pool; a random position keeps the pool shuffled. */
  release(mfn: Mfn): void {
    this.table.reset(mfn);
    if (this.shuffle && this.free.length > 0) {
      const j = Math.floor(this.random() * (this.free.length + 1));
      if (j === this.free.length) this.free.push(mfn);
      else {
        this.free.push(this.free[j]);
        this.free[j] = mfn;
      }
    } else {
      this.free.push(mfn);
    }
  }
}
