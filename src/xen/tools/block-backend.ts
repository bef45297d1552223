// dom0's block backend for one domain (Xen 2.0's blkback, driven as xend's blkif.py drove it):
// answers the frontend's CMSG_BLKIF_FE control messages, connects to the ring page the guest
// offers (by MFN) over a fresh event channel, and serves BLKIF_OP_PROBE/READ/WRITE requests from
// the config's `disk = ['file:IMAGE,VDEV,MODE']` images (xen2-abi.md §7.4, §8). Segments carry
// machine addresses; each is checked against the domain's frames as Xen's mapping calls did.
import debug from "debug";
import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";
import {
  BLKIF_DRIVER_STATUS_UP,
  BLKIF_FE_DRIVER_STATUS,
  BLKIF_FE_INTERFACE_CONNECT,
  BLKIF_FE_INTERFACE_STATUS,
  BLKIF_INTERFACE_STATUS_CLOSED,
  BLKIF_INTERFACE_STATUS_CONNECTED,
  BLKIF_INTERFACE_STATUS_DISCONNECTED,
  BLKIF_MAX_SEGMENTS_PER_REQUEST,
  BLKIF_OP_PROBE,
  BLKIF_OP_READ,
  BLKIF_OP_WRITE,
  BLKIF_REQUEST,
  BLKIF_RESPONSE,
  BLKIF_RING,
  BLKIF_RING_SIZE,
  BLKIF_RSP_ERROR,
  BLKIF_RSP_OKAY,
  CMSG_BLKIF_FE,
  CMSG_BLKIF_FE_DRIVER_STATUS,
  CMSG_BLKIF_FE_INTERFACE_CONNECT,
  CMSG_BLKIF_FE_INTERFACE_DISCONNECT,
  CMSG_BLKIF_FE_INTERFACE_STATUS,
  PAGE_SIZE,
  VDISK,
  VDISK_FLAG_RO,
  VDISK_FLAG_VIRT,
  VDISK_TYPE_DISK,
} from "../abi.js";
import type { MachineMemory } from "../../emu/memory.js";
import type { DiskSpec } from "./config.js";
import type { ControlMessage } from "./control-ring.js";
import { vdevNumber } from "./vdev.js";

const log = debug("xen:blkback");

/** blkif counts in 512-byte sectors, eight to a page. */
export const BLKIF_SECTOR_SIZE = 512;

/** What the backend needs from the hypervisor, for the domain it serves. */
export interface BlockBackendHost {
  memory: MachineMemory;
  /** True when `mfn` is one of the domain's frames. */
  ownsFrame(mfn: number): boolean;
  /** Takes a writable type reference on the domain's frame (false for page tables, GDT/LDT frames). */
  getWritable(mfn: number): boolean;
  putWritable(mfn: number): void;
  /** A new event channel between dom0 and the domain. */
  bindChannel(): { dom0Port: number; guestPort: number };
  closeChannel(dom0Port: number): void;
  onEvent(dom0Port: number, fn: () => void): void;
  notify(dom0Port: number): void;
  /** Sends a controller request to the guest on its control ring. */
  sendControl(m: ControlMessage): void;
  /** Runs `fn` once the response to the request being handled is on the ring (still synchronously). */
  afterResponse(fn: () => void): void;
}

interface Disk {
  spec: DiskSpec;
  device: number;
  fd: number;
  sectors: number;
  readonly: boolean;
}

export class BlockBackend {
  private readonly disks: Disk[] = [];
  private ring: { mfn: number; dom0Port: number; guestPort: number; reqCons: number } | null = null;
  /** Requests served, by operation, and those refused, for tests and `xm list -l`. */
  readonly stats = { probe: 0, read: 0, write: 0, errors: 0 };

  constructor(
    private readonly domid: number,
    disks: DiskSpec[],
    private readonly host: BlockBackendHost,
  ) {
    try {
      for (const spec of disks) this.disks.push(openDisk(spec));
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** The CMSG_BLKIF_FE handler for the domain controller. */
  handle(req: ControlMessage): ControlMessage | undefined {
    switch (req.subtype) {
      case CMSG_BLKIF_FE_DRIVER_STATUS: {
        const status = u32(req.payload, BLKIF_FE_DRIVER_STATUS.status);
        if (status === BLKIF_DRIVER_STATUS_UP) {
          this.disconnect();
          // After the echo, tell the frontend whether interface 0 exists and awaits a ring.
          this.host.afterResponse(() =>
            this.sendStatus(this.disks.length === 0 ? BLKIF_INTERFACE_STATUS_CLOSED : BLKIF_INTERFACE_STATUS_DISCONNECTED, 0),
          );
        } else this.disconnect();
        const out = new Uint8Array(BLKIF_FE_DRIVER_STATUS.SIZE);
        out.set(req.payload.subarray(0, out.length));
        setU32(out, BLKIF_FE_DRIVER_STATUS.max_handle, this.disks.length === 0 ? 0 : 1);
        return { ...req, payload: out };
      }
      case CMSG_BLKIF_FE_INTERFACE_CONNECT: {
        const handle = u32(req.payload, BLKIF_FE_INTERFACE_CONNECT.handle);
        const mfn = u32(req.payload, BLKIF_FE_INTERFACE_CONNECT.shmem_frame);
        if (handle !== 0 || this.disks.length === 0) {
          log("dom%d: connect to unknown interface %d", this.domid, handle);
          return req;
        }
        this.disconnect();
        if (!this.host.ownsFrame(mfn) || !this.host.getWritable(mfn)) {
          log("dom%d: ring frame %d is not a writable frame of the domain", this.domid, mfn);
          this.host.afterResponse(() => this.sendStatus(BLKIF_INTERFACE_STATUS_DISCONNECTED, 0));
          return req;
        }
        const { dom0Port, guestPort } = this.host.bindChannel();
        const ringMa = mfn * PAGE_SIZE;
        // The frontend hands over a zeroed ring; requests are those past the responses.
        this.ring = { mfn, dom0Port, guestPort, reqCons: this.host.memory.read32(ringMa + BLKIF_RING.resp_prod) };
        this.host.onEvent(dom0Port, () => this.serveRing());
        this.host.afterResponse(() => this.sendStatus(BLKIF_INTERFACE_STATUS_CONNECTED, guestPort));
        return req;
      }
      case CMSG_BLKIF_FE_INTERFACE_DISCONNECT:
        this.disconnect();
        this.host.afterResponse(() => this.sendStatus(BLKIF_INTERFACE_STATUS_DISCONNECTED, 0));
        return req;
      default:
        return undefined;
    }
  }

  private sendStatus(status: number, evtchn: number): void {
    const p = new Uint8Array(BLKIF_FE_INTERFACE_STATUS.SIZE);
    setU32(p, BLKIF_FE_INTERFACE_STATUS.handle, 0);
    setU32(p, BLKIF_FE_INTERFACE_STATUS.status, status);
    setU16(p, BLKIF_FE_INTERFACE_STATUS.evtchn, evtchn);
    setU16(p, BLKIF_FE_INTERFACE_STATUS.domid, 0);
    this.host.sendControl({ type: CMSG_BLKIF_FE, subtype: CMSG_BLKIF_FE_INTERFACE_STATUS, id: 0, payload: p });
  }

  /** Serves every request the frontend has produced, then raises its event channel. */
  serveRing(): void {
    const r = this.ring;
    if (r === null) return;
    const mem = this.host.memory;
    const ringMa = r.mfn * PAGE_SIZE;
    const prod = mem.read32(ringMa + BLKIF_RING.req_prod);
    let served = 0;
    // A frontend may not have more than a ring's worth outstanding; more is a guest bug.
    while (r.reqCons !== prod && served < BLKIF_RING_SIZE) {
      const slot = ringMa + BLKIF_RING.ring + (r.reqCons & (BLKIF_RING_SIZE - 1)) * BLKIF_REQUEST.SIZE;
      const op = mem.read8(slot + BLKIF_REQUEST.operation);
      const id = mem.read32(slot + BLKIF_REQUEST.id);
      const status = this.serveRequest(slot, op);
      if (status < 0) this.stats.errors++;
      // The response goes in the slot of the next response, which is this request's slot.
      const respProd = mem.read32(ringMa + BLKIF_RING.resp_prod);
      const rs = ringMa + BLKIF_RING.ring + (respProd & (BLKIF_RING_SIZE - 1)) * BLKIF_REQUEST.SIZE;
      mem.write32(rs + BLKIF_RESPONSE.id, id);
      mem.write8(rs + BLKIF_RESPONSE.operation, op);
      mem.write16(rs + BLKIF_RESPONSE.status, status & 0xffff);
      mem.write32(ringMa + BLKIF_RING.resp_prod, (respProd + 1) >>> 0);
      r.reqCons = (r.reqCons + 1) >>> 0;
      served++;
    }
    if (served > 0) this.host.notify(r.dom0Port);
  }

  /** Performs one request; returns the response status (BLKIF_RSP_* or the probe count). */
  private serveRequest(slot: number, op: number): number {
    const mem = this.host.memory;
    const nseg = mem.read8(slot + BLKIF_REQUEST.nr_segments);
    if (nseg < 1 || nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST) return BLKIF_RSP_ERROR;
    const seg = (i: number) => {
      const fas = mem.read32(slot + BLKIF_REQUEST.frame_and_sects + i * 4);
      return { mfn: fas >>> 12, first: (fas >>> 3) & 7, last: fas & 7 };
    };
    if (op === BLKIF_OP_PROBE) {
      const s = seg(0);
      if (!this.host.ownsFrame(s.mfn) || !this.host.getWritable(s.mfn)) return BLKIF_RSP_ERROR;
      const base = s.mfn * PAGE_SIZE;
      this.disks.forEach((d, i) => {
        const e = base + i * VDISK.SIZE;
        mem.write32(e + VDISK.capacity, d.sectors >>> 0);
        mem.write32(e + VDISK.capacity + 4, Math.floor(d.sectors / 2 ** 32));
        mem.write16(e + VDISK.device, d.device);
        mem.write16(e + VDISK.info, VDISK_TYPE_DISK | VDISK_FLAG_VIRT | (d.readonly ? VDISK_FLAG_RO : 0));
      });
      this.host.putWritable(s.mfn);
      this.stats.probe++;
      return this.disks.length;
    }
    if (op !== BLKIF_OP_READ && op !== BLKIF_OP_WRITE) return BLKIF_RSP_ERROR;
    const disk = this.disks.find((d) => d.device === mem.read16(slot + BLKIF_REQUEST.device));
    if (disk === undefined || (op === BLKIF_OP_WRITE && disk.readonly)) return BLKIF_RSP_ERROR;
    const lo = mem.read32(slot + BLKIF_REQUEST.sector_number);
    const hi = mem.read32(slot + BLKIF_REQUEST.sector_number + 4);
    let sector = hi * 2 ** 32 + lo;
    // Check every segment before touching anything, so a bad request changes nothing.
    const segs = [];
    let total = 0;
    for (let i = 0; i < nseg; i++) {
      const s = seg(i);
      if (s.first > s.last || !this.host.ownsFrame(s.mfn)) return BLKIF_RSP_ERROR;
      segs.push(s);
      total += s.last - s.first + 1;
    }
    if (sector + total > disk.sectors) return BLKIF_RSP_ERROR;
    // Disk data for a read lands in guest frames: each must be mappable writable (no page
    // tables, GDT or LDT frames), as Xen 2.0's backend mapping required. All or nothing.
    const held: number[] = [];
    if (op === BLKIF_OP_READ) {
      for (const s of segs) {
        if (!this.host.getWritable(s.mfn)) {
          for (const m of held) this.host.putWritable(m);
          return BLKIF_RSP_ERROR;
        }
        held.push(s.mfn);
      }
    }
    for (const s of segs) {
      const ma = s.mfn * PAGE_SIZE + s.first * BLKIF_SECTOR_SIZE;
      const len = (s.last - s.first + 1) * BLKIF_SECTOR_SIZE;
      if (op === BLKIF_OP_READ) {
        const buf = new Uint8Array(len);
        readSync(disk.fd, buf, 0, len, sector * BLKIF_SECTOR_SIZE);
        mem.writeBytes(ma, buf);
      } else {
        writeSync(disk.fd, mem.readBytes(ma, len), 0, len, sector * BLKIF_SECTOR_SIZE);
      }
      sector += s.last - s.first + 1;
    }
    for (const m of held) this.host.putWritable(m);
    if (op === BLKIF_OP_READ) this.stats.read++;
    else this.stats.write++;
    return BLKIF_RSP_OKAY;
  }

  private disconnect(): void {
    const r = this.ring;
    if (r === null) return;
    this.ring = null;
    this.host.closeChannel(r.dom0Port);
    this.host.putWritable(r.mfn);
  }

  /** Drops the ring and closes the images (the domain is going away). */
  close(): void {
    this.disconnect();
    for (const d of this.disks.splice(0)) closeSync(d.fd);
  }
}

function openDisk(spec: DiskSpec): Disk {
  if (spec.kind !== "file") {
    throw new RangeError(`Cannot attach disk "${spec.kind}:${spec.target}": only file: images are supported here`);
  }
  const device = vdevNumber(spec.vdev);
  let fd: number;
  try {
    fd = openSync(spec.target, spec.mode === "w" ? "r+" : "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RangeError(`Cannot attach disk "${spec.target}": ${code === "ENOENT" ? "no such file" : (err as Error).message}`);
  }
  const size = fstatSync(fd).size;
  return { spec, device, fd, sectors: Math.floor(size / BLKIF_SECTOR_SIZE), readonly: spec.mode === "r" };
}

function u32(b: Uint8Array, off: number): number {
  return off + 4 <= b.length ? new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true) : 0;
}

function setU32(b: Uint8Array, off: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(off, v >>> 0, true);
}

function setU16(b: Uint8Array, off: number, v: number): void {
  new DataView(b.buffer, b.byteOffset, b.byteLength).setUint16(off, v & 0xffff, true);
}
