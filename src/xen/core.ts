// The hypervisor's memory state: machine memory, the frame table and pool, Xen's own frames
// (the machine-to-phys table and its read-only mapping, the default GDT) and the domains.
// Everything that validates guest requests reaches memory through this object.
import createDebug from "debug";
import { MachineMemory } from "../emu/memory.js";
import {
  DOMID_FIRST_RESERVED, FIRST_RESERVED_GDT_ENTRY, INVALID_M2P_ENTRY, PGT_writable_page,
  RESERVED_GDT_DESCRIPTORS, _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_PRESENT, _PAGE_RW, _PAGE_USER,
} from "./abi.js";
import { Domain } from "./domain.js";
import { releaseGrants } from "./grant-table.js";
import { FramePool, FrameTable, OWNER_XEN, type FramePoolOptions, type Mfn } from "./frames.js";
import { PERDOMAIN_L2_SLOT, RO_MPT_L2_SLOT } from "./layout.js";
import { EventChannels, setPending } from "./evtchn.js";

const log = createDebug("xen:mm");

export interface XenCoreOptions extends FramePoolOptions {
  /** Size of machine memory in MiB. @default 64 */
  memoryMiB?: number;
}

/** What the CPU side offers Xen for keeping its translations honest. */
export interface TlbControl {
  flushTlb(): void;
  invlpg(va: number): void;
}

export class XenCore {
  readonly mem: MachineMemory;
  readonly frames: FrameTable;
  readonly pool: FramePool;
  readonly domains = new Map<number, Domain>();
  /** MFNs of the M2P table frames (u32 per MFN). */
  readonly m2pFrames: Mfn[] = [];
  /** Xen L1 mapping the M2P frames read-only at 0xFC000000. */
  readonly m2pL1Mfn: Mfn;
  /** Xen's default GDT frame: zeros below entry 256, the reserved descriptors above. */
  readonly defaultGdtMfn: Mfn;
  tlb: TlbControl | null = null;
  /** How often each delivery path ran (tests and statistics). */
  readonly counters = { bounces: 0, vm86Bounces: 0, failsafe: 0, upcalls: 0, ldtShadowMaps: 0, crashes: 0 };
  /** Called when an event makes a blocked domain runnable again (the scheduler hooks in). */
  wake: (d: Domain) => void = (d) => {
    d.blocked = false;
  };
  /** Crashes a domain for a fault Xen 2.0 treats as fatal to it (the host replaces this). */
  crash: (d: Domain, why: string) => void = (d, why) => {
    d.crashed = true;
    d.crashWhy = why;
  };
  private nextDomid = 1;

  constructor(options: XenCoreOptions = {}) {
    const mib = options.memoryMiB ?? 64;
    if (!Number.isInteger(mib) || mib < 4 || mib > 1024) {
      throw new RangeError(`Cannot create the host: memory is ${mib} MiB, expected 4 to 1024`);
    }
    this.mem = new MachineMemory(mib * 1024 * 1024);
    this.frames = new FrameTable(this.mem.frameCount);
    // Xen's frames sit at the bottom of machine memory; the rest is the domain pool.
    const m2pCount = Math.ceil((this.mem.frameCount * 4) / 4096);
    let next = 0;
    for (let i = 0; i < m2pCount; i++) this.m2pFrames.push(this.claimXenFrame(next++));
    this.m2pL1Mfn = this.claimXenFrame(next++);
    this.defaultGdtMfn = this.claimXenFrame(next++);
    this.mem.fill(this.m2pFrames[0] * 4096, m2pCount * 4096, 0xff); // every entry INVALID
    for (let i = 0; i < m2pCount; i++) {
      this.mem.write32(this.m2pL1Mfn * 4096 + i * 4, (this.m2pFrames[i] * 4096) | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED);
    }
    this.writeReservedGdtEntries(this.defaultGdtMfn);
    this.pool = new FramePool(this.frames, next, options);
    // Domain 0 is the native control plane: privileged, no memory, never scheduled; it exists
    // so that event channels to the tools work like any other interdomain channel.
    const dom0 = new Domain(0, "Domain-0", 0);
    dom0.evtchn = new EventChannels(dom0);
    dom0.privileged = true;
    dom0.pauseCount = 0;
    dom0.native = () => {};
    this.domains.set(0, dom0);
  }

  get dom0(): Domain {
    return this.domains.get(0) as Domain;
  }

  private claimXenFrame(mfn: Mfn): Mfn {
    this.frames.owner[mfn] = OWNER_XEN;
    this.frames.refs[mfn] = 1;
    return mfn;
  }

  /** Copies Xen's 40 reserved descriptors into slots 256..295 of a GDT frame. */
  writeReservedGdtEntries(gdtMfn: Mfn): void {
    const base = gdtMfn * 4096 + FIRST_RESERVED_GDT_ENTRY * 8;
    this.mem.fill(base, 40 * 8, 0);
    RESERVED_GDT_DESCRIPTORS.forEach(([lo, hi], i) => {
      this.mem.write32(base + i * 8, lo);
      this.mem.write32(base + i * 8 + 4, hi);
    });
  }

  /** The PDE Xen keeps in L2 slot `slot` (>= 1008) of domain `d`'s tables. */
  xenL2Entry(slot: number, d: Domain): number {
    if (slot === RO_MPT_L2_SLOT) return (this.m2pL1Mfn * 4096) | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
    if (slot === PERDOMAIN_L2_SLOT && d.perdomainL1Mfn >= 0) {
      return (d.perdomainL1Mfn * 4096) | _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY;
    }
    return 0;
  }

  /**
   * Delivers an event to `port` of `d`: a native domain (our dom0) gets a callback, a guest
   * gets the port set pending in its shared_info.
   */
  evtchnDeliver(d: Domain, port: number): void {
    if (d.native) d.native(port);
    else setPending(this, d, port);
  }

  // ---- M2P ---------------------------------------------------------------------------------

  /** m2p[mfn] = pfn (MMU_MACHPHYS_UPDATE and the builders). */
  setM2p(mfn: Mfn, pfn: number): void {
    const off = mfn * 4;
    this.mem.write32(this.m2pFrames[off >>> 12] * 4096 + (off & 0xfff), pfn);
  }

  getM2p(mfn: Mfn): number {
    const off = mfn * 4;
    return this.mem.read32(this.m2pFrames[off >>> 12] * 4096 + (off & 0xfff));
  }

  // ---- Frames ------------------------------------------------------------------------------

  flushTlb(): void {
    this.tlb?.flushTlb();
  }

  /** Returns a frame to the pool: forgets its owner and M2P entry, drops stale translations. */
  releaseFrame(mfn: Mfn): void {
    const owner = this.frames.owner[mfn];
    const d = this.domains.get(owner);
    if (d) {
      const i = d.frameList.indexOf(mfn);
      if (i >= 0) d.frameList.splice(i, 1);
    }
    this.setM2p(mfn, INVALID_M2P_ENTRY);
    this.pool.release(mfn);
    this.flushTlb();
  }

  /** Gives `n` fresh, zeroed frames to `d`; null if the pool or the domain's limit is short. */
  allocateDomainFrames(d: Domain, n: number): Mfn[] | null {
    if (d.frameList.length + n > d.maxPages) return null;
    const got = this.pool.allocate(n, d.id);
    if (!got) return null;
    for (const mfn of got) {
      this.mem.fill(mfn * 4096, 4096, 0);
      d.frameList.push(mfn);
    }
    return got;
  }

  // ---- Domains -----------------------------------------------------------------------------

  /**
   * Creates an empty, paused domain with room for `maxPages` frames, its shared_info page and
   * per-domain map. Frames are given separately (allocateDomainFrames) by the builder.
   */
  createDomain(name: string, maxPages: number, domid?: number): Domain {
    let id = domid ?? this.nextDomid;
    if (domid === undefined) {
      while (this.domains.has(id)) id++;
      this.nextDomid = id + 1;
    } else if (this.domains.has(id) || id <= 0 || id >= DOMID_FIRST_RESERVED) {
      throw new RangeError(`Cannot create domain ${id}: the id is in use or reserved`);
    }
    const xenFrames = this.pool.allocate(2, OWNER_XEN);
    if (!xenFrames) throw new RangeError(`Cannot create domain "${name}": machine memory is exhausted`);
    const d = new Domain(id, name, maxPages);
    d.evtchn = new EventChannels(d);
    const [sharedMfn, perdomainMfn] = xenFrames;
    this.mem.fill(sharedMfn * 4096, 4096, 0);
    this.mem.fill(perdomainMfn * 4096, 4096, 0);
    // shared_info belongs to the domain and is permanently "writable" (Xen holds the type).
    this.frames.owner[sharedMfn] = id;
    this.frames.type[sharedMfn] = PGT_writable_page;
    this.frames.typeCount[sharedMfn] = 1;
    this.frames.validated[sharedMfn] = 1;
    this.setM2p(sharedMfn, INVALID_M2P_ENTRY);
    d.sharedInfoMfn = sharedMfn;
    d.perdomainL1Mfn = perdomainMfn;
    this.mem.write8(sharedMfn * 4096 + 1, 1); // upcall_mask = 1 until the guest unmasks
    this.domains.set(id, d);
    log("created domain %d %s max %d pages", id, name, maxPages);
    return d;
  }

  /** Frees every frame of a domain and forgets it. */
  destroyDomain(d: Domain): void {
    d.dying = true;
    releaseGrants(this, d);
    const owned = [...d.frameList];
    d.frameList.length = 0;
    for (const mfn of owned) this.releaseFrame(mfn);
    for (const mfn of [d.sharedInfoMfn, d.perdomainL1Mfn]) if (mfn >= 0) this.releaseFrame(mfn);
    this.domains.delete(d.id);
    log("destroyed domain %d", d.id);
  }
}
