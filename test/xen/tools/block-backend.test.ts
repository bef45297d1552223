// The block backend through xend on the real XenHost, with the test as the guest's frontend
// (the XenLinux blkfront sequence of xen2-abi.md §7.4) and a real disk-image file.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import {
  BLKIF_INTERFACE_STATUS_CLOSED, BLKIF_INTERFACE_STATUS_CONNECTED, BLKIF_INTERFACE_STATUS_DISCONNECTED,
  BLKIF_OP_PROBE, BLKIF_OP_READ, BLKIF_OP_WRITE, BLKIF_REQUEST, BLKIF_RESPONSE, BLKIF_RING,
  CMSG_BLKIF_FE, CMSG_BLKIF_FE_DRIVER_STATUS, CMSG_BLKIF_FE_INTERFACE_CONNECT, CMSG_BLKIF_FE_INTERFACE_STATUS, VDISK,
} from "../../../src/xen/abi.js";
import { sendPort } from "../../../src/xen/evtchn.js";
import { readConfigFile } from "../../../src/xen/tools/config.js";
import { vdevNumber } from "../../../src/xen/tools/vdev.js";
import { GuestControl, makeRig, TINY_KERNEL, writeConfig } from "./xend-rig.js";

const SECTORS = 128;

function diskRig(mode: "w" | "r" = "w", disks = true) {
  const rig = makeRig();
  const cfgPath = writeConfig(`kernel='${TINY_KERNEL}'\nmemory=4\nname='blk'\n${disks ? `disk=['file:disk.img,hda1,${mode}']\n` : ""}`);
  const img = join(dirname(cfgPath), "disk.img");
  const content = new Uint8Array(SECTORS * 512).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
  writeFileSync(img, content);
  rig.xend.create(readConfigFile(cfgPath));
  const d = rig.domain(1);
  const g = new GuestControl(rig.host, d);
  const mem = rig.host.mem;
  const u32 = (p: Uint8Array, o: number) => new DataView(p.buffer, p.byteOffset).getUint32(o, true);
  const u16 = (p: Uint8Array, o: number) => new DataView(p.buffer, p.byteOffset).getUint16(o, true);
  const ringMfn = d.frameList[1023];
  const bufMfn = (pfn: number) => d.frameList[pfn];
  let evtchn = 0;
  let reqProd = 0;

  /** DRIVER_STATUS{UP}, then INTERFACE_CONNECT with our ring; returns the statuses seen. */
  const connect = () => {
    g.send(CMSG_BLKIF_FE, CMSG_BLKIF_FE_DRIVER_STATUS, Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0]));
    const driverResp = g.txResponseMessages();
    const first = g.receive();
    const conn = new Uint8Array(16);
    new DataView(conn.buffer).setUint32(8, ringMfn, true);
    g.send(CMSG_BLKIF_FE, CMSG_BLKIF_FE_INTERFACE_CONNECT, conn);
    g.txResponseMessages();
    const second = g.receive();
    const statuses = [...first, ...second].map(([type, subtype, text]) => {
      const p = Uint8Array.from(text, (c) => c.charCodeAt(0));
      return { type, subtype, status: u32(p, 4), evtchn: u16(p, 8) };
    });
    evtchn = statuses.at(-1)!.evtchn;
    return { driverResp, statuses };
  };

  /** Puts one request on the ring, kicks the backend, returns the response status. */
  const request = (op: number, device: number, sector: number, segs: Array<[number, number, number]>, nsegOverride?: number) => {
    const ring = ringMfn * 4096;
    const slot = ring + BLKIF_RING.ring + (reqProd & 63) * BLKIF_REQUEST.SIZE;
    mem.write8(slot + BLKIF_REQUEST.operation, op);
    mem.write8(slot + BLKIF_REQUEST.nr_segments, nsegOverride ?? segs.length);
    mem.write16(slot + BLKIF_REQUEST.device, device);
    mem.write32(slot + BLKIF_REQUEST.id, 0xabc000 + reqProd);
    mem.write32(slot + BLKIF_REQUEST.sector_number, sector);
    mem.write32(slot + BLKIF_REQUEST.sector_number + 4, 0);
    segs.forEach(([mfn, first, last], i) => mem.write32(slot + BLKIF_REQUEST.frame_and_sects + i * 4, ((mfn << 12) | (first << 3) | last) >>> 0));
    reqProd++;
    mem.write32(ring + BLKIF_RING.req_prod, reqProd);
    sendPort(rig.host.core, d, evtchn);
    expect(mem.read32(ring + BLKIF_RING.resp_prod)).toBe(reqProd);
    const rs = ring + BLKIF_RING.ring + ((reqProd - 1) & 63) * BLKIF_REQUEST.SIZE;
    expect(mem.read32(rs + BLKIF_RESPONSE.id)).toBe(0xabc000 + reqProd - 1);
    expect(mem.read8(rs + BLKIF_RESPONSE.operation)).toBe(op);
    return (mem.read16(rs + BLKIF_RESPONSE.status) << 16) >> 16;
  };
  return { ...rig, d, g, mem, img, content, connect, request, bufMfn, ringMfn };
}

const HDA1 = vdevNumber("hda1");

describe("vdevNumber()", () => {
  it("numbers IDE and SCSI names as Linux did", () => {
    expect(vdevNumber("hda1")).toBe(0x0301);
    expect(vdevNumber("hdb")).toBe(0x0340);
    expect(vdevNumber("hdc2")).toBe(0x1602);
    expect(vdevNumber("sda1")).toBe(0x0801);
    expect(vdevNumber("sdb")).toBe(0x0810);
    expect(() => vdevNumber("xvda")).toThrow('Cannot name virtual disk "xvda"');
  });
});

describe("BlockBackend", () => {
  it("answers DRIVER_STATUS and connects a ring over a new event channel", () => {
    const { connect } = diskRig();
    const { driverResp, statuses } = connect();
    expect(driverResp).toHaveLength(1);
    expect(new DataView(driverResp[0].payload.buffer).getUint32(4, true)).toBe(1); // max_handle
    expect(statuses.map((s) => [s.subtype, s.status])).toEqual([
      [CMSG_BLKIF_FE_INTERFACE_STATUS, BLKIF_INTERFACE_STATUS_DISCONNECTED],
      [CMSG_BLKIF_FE_INTERFACE_STATUS, BLKIF_INTERFACE_STATUS_CONNECTED],
    ]);
    expect(statuses[1].evtchn).toBeGreaterThan(1);
  });

  it("reports interface 0 closed when the config has no disk", () => {
    const { connect } = diskRig("w", false);
    const { statuses } = connect();
    expect(statuses[0].status).toBe(BLKIF_INTERFACE_STATUS_CLOSED);
  });

  it("probes, reads and writes the image through the domain's frames", () => {
    const { connect, request, mem, bufMfn, content, img } = diskRig();
    connect();
    expect(request(BLKIF_OP_PROBE, 0, 0, [[bufMfn(1000), 0, 7]])).toBe(1);
    const v = bufMfn(1000) * 4096;
    expect(mem.read32(v + VDISK.capacity)).toBe(SECTORS);
    expect(mem.read16(v + VDISK.device)).toBe(HDA1);
    expect(mem.read16(v + VDISK.info)).toBe(0x20 | 0x80);

    // Sectors 2..9 and 10..11 into two scattered pages.
    expect(request(BLKIF_OP_READ, HDA1, 2, [[bufMfn(1001), 0, 7], [bufMfn(1002), 3, 4]])).toBe(0);
    expect([...mem.readBytes(bufMfn(1001) * 4096, 4096)]).toEqual([...content.subarray(2 * 512, 10 * 512)]);
    expect([...mem.readBytes(bufMfn(1002) * 4096 + 3 * 512, 1024)]).toEqual([...content.subarray(10 * 512, 12 * 512)]);

    mem.fill(bufMfn(1003) * 4096, 4096, 0x5a);
    expect(request(BLKIF_OP_WRITE, HDA1, 20, [[bufMfn(1003), 1, 2]])).toBe(0);
    const after = readFileSync(img);
    expect(after.subarray(20 * 512, 22 * 512).every((b) => b === 0x5a)).toBe(true);
    expect(after[19 * 512 + 511]).toBe(content[19 * 512 + 511]);
    expect(after[22 * 512]).toBe(content[22 * 512]);
  });

  it("refuses bad requests with BLKIF_RSP_ERROR and changes nothing", () => {
    const { connect, request, mem, bufMfn, d, host, img } = diskRig();
    connect();
    const before = readFileSync(img);
    mem.fill(bufMfn(1001) * 4096, 4096, 0x11);
    expect(request(BLKIF_OP_READ, HDA1, SECTORS - 2, [[bufMfn(1001), 0, 7]])).toBe(-1); // past the end
    expect(request(BLKIF_OP_READ, 0x0302, 0, [[bufMfn(1001), 0, 0]])).toBe(-1); // no such device
    expect(request(BLKIF_OP_READ, HDA1, 0, [[bufMfn(1001), 5, 2]])).toBe(-1); // first > last
    expect(request(BLKIF_OP_READ, HDA1, 0, [], 0)).toBe(-1); // no segments
    expect(request(BLKIF_OP_READ, HDA1, 0, [[bufMfn(1001), 0, 0]], 12)).toBe(-1); // too many
    expect(request(9, HDA1, 0, [[bufMfn(1001), 0, 0]])).toBe(-1); // unknown op
    // Xen's own frame, and one of the domain's page tables (the bootstrap L2 at PFN 5).
    expect(request(BLKIF_OP_READ, HDA1, 0, [[host.core.m2pFrames[0], 0, 0]])).toBe(-1);
    const l2 = d.frameList[5] * 4096;
    const l2Before = mem.readBytes(l2, 4096).slice();
    expect(request(BLKIF_OP_READ, HDA1, 0, [[bufMfn(1001), 0, 7], [d.frameList[5], 0, 7]])).toBe(-1);
    expect([...mem.readBytes(l2, 4096)]).toEqual([...l2Before]);
    expect(mem.readBytes(bufMfn(1001) * 4096, 4096).every((b) => b === 0x11)).toBe(true);
    expect(Buffer.compare(new Uint8Array(readFileSync(img)), new Uint8Array(before))).toBe(0);
  });

  it("refuses writes to a read-only disk", () => {
    const { connect, request, bufMfn, mem } = diskRig("r");
    connect();
    expect(mem.read16(bufMfn(1000) * 4096)).toBe(0);
    expect(request(BLKIF_OP_PROBE, 0, 0, [[bufMfn(1000), 0, 7]])).toBe(1);
    expect(mem.read16(bufMfn(1000) * 4096 + VDISK.info)).toBe(0x20 | 0x40 | 0x80);
    expect(request(BLKIF_OP_WRITE, HDA1, 0, [[bufMfn(1001), 0, 0]])).toBe(-1);
    expect(request(BLKIF_OP_READ, HDA1, 0, [[bufMfn(1001), 0, 0]])).toBe(0);
  });

  it("refuses a domain whose disk image is missing, leaving nothing behind", () => {
    const { xend, host } = makeRig();
    const free = host.core.pool.freeCount;
    expect(() => xend.create(readConfigFile(writeConfig(`kernel='${TINY_KERNEL}'\nmemory=4\ndisk=['file:nope.img,hda1,w']\n`)))).toThrow(
      /^Cannot attach disk ".*nope.img": no such file \(.*t\.cfg line 3\)$/,
    );
    expect(() => xend.create(readConfigFile(writeConfig(`kernel='${TINY_KERNEL}'\nmemory=4\ndisk=['phy:hda1,hda1,w']\n`)))).toThrow(
      'Cannot attach disk "phy:hda1": only file: images are supported here',
    );
    expect(host.core.pool.freeCount).toBe(free);
    expect(xend.list()).toEqual([]);
  });
});
