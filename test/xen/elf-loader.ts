// A test-only loader for Xen-format ELF guests, laid out as Xen 2.0's Linux builder does
// (kernel, P2M list, page tables mapped read-only, start_info, boot stack, 4 MiB padding). The
// real builder with its checks is the dom0 tools' (src/xen/tools); this is the minimum the
// hypervisor's own tests need to boot their guests.
import { readFileSync } from "node:fs";
import { START_INFO } from "../../src/xen/abi.js";
import type { Domain } from "../../src/xen/domain.js";
import type { XenHost } from "../../src/xen/host.js";

const FOUR_MIB = 4 << 20;

export interface LoadedGuest {
  d: Domain;
  dom0Port: number;
  guestPort: number;
  startInfoVa: number;
  /** VA of the bootstrap page directory (start_info.pt_base). */
  ptBaseVa: number;
}

export function loadElfGuest(host: XenHost, path: string, opts: { name: string; memoryMiB: number; cmdline?: string }): LoadedGuest {
  const elf = readFileSync(path);
  const u32 = (o: number) => elf.readUInt32LE(o);
  const u16 = (o: number) => elf.readUInt16LE(o);
  if (u32(0) !== 0x464c457f) throw new Error(`Cannot load "${path}": not an ELF file`);
  const entry = u32(24);
  const phoff = u32(28);
  const phnum = u16(44);
  const segs: Array<{ off: number; vaddr: number; filesz: number; memsz: number }> = [];
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * 32;
    if (u32(p) === 1 && (u32(p + 24) & 3) !== 0) segs.push({ off: u32(p + 4), vaddr: u32(p + 8), filesz: u32(p + 16), memsz: u32(p + 20) });
  }
  const vStart = (Math.min(...segs.map((s) => s.vaddr)) & ~0xfff) >>> 0;
  const kernEnd = Math.max(...segs.map((s) => s.vaddr + s.memsz));
  const d = host.createDomain({ name: opts.name, memoryMiB: opts.memoryMiB });
  const nrPages = d.frameList.length;
  const page = (x: number) => Math.ceil(x / 4096) * 4096;
  const p2mVa = page(kernEnd);
  const ptVa = p2mVa + page(nrPages * 4);
  let nrPt = 2;
  let vEnd = 0;
  let startInfoVa = 0;
  for (;;) {
    startInfoVa = ptVa + nrPt * 4096;
    const stackEnd = startInfoVa + 2 * 4096;
    vEnd = Math.ceil((stackEnd - vStart) / FOUR_MIB) * FOUR_MIB + vStart;
    if (vEnd - stackEnd < 512 * 1024) vEnd += FOUR_MIB;
    if (Math.ceil((vEnd - vStart) / FOUR_MIB) + 1 <= nrPt) break;
    nrPt++;
  }
  if (vEnd - vStart > nrPages * 4096) throw new Error(`Cannot load "${path}": ${opts.memoryMiB} MiB is too small`);
  const mem = host.mem;
  const ma = (va: number) => d.frameList[(va - vStart) >>> 12] * 4096 + (va & 0xfff);
  for (const s of segs) {
    for (let i = 0; i < s.memsz; i++) mem.u8[ma(s.vaddr + i)] = i < s.filesz ? elf[s.off + i] : 0;
  }
  for (let pfn = 0; pfn < nrPages; pfn++) mem.view.setUint32(ma(p2mVa + pfn * 4), d.frameList[pfn], true);
  const l2 = ma(ptVa);
  for (let va = vStart; va < vEnd; va += 4096) {
    const l1Index = ((va - vStart) >>> 22) + 1;
    const l1 = ma(ptVa + l1Index * 4096);
    mem.view.setUint32(l2 + (va >>> 22) * 4, ((l1 & ~0xfff) | 0x67) >>> 0, true);
    const isPt = va >= ptVa && va < ptVa + nrPt * 4096;
    mem.view.setUint32(l1 + ((va >>> 12) & 1023) * 4, ((ma(va) & ~0xfff) | (isPt ? 0x21 : 0x23)) >>> 0, true);
  }
  mem.noteWrite(0, mem.bytes);
  const { dom0Port, guestPort } = host.bindControlChannel(d);
  const si = ma(startInfoVa);
  const S = START_INFO;
  mem.write32(si + S.nr_pages, nrPages);
  mem.write32(si + S.shared_info, d.sharedInfoMfn * 4096);
  mem.write16(si + S.domain_controller_evtchn, guestPort);
  mem.write32(si + S.pt_base, ptVa);
  mem.write32(si + S.nr_pt_frames, nrPt);
  mem.write32(si + S.mfn_list, p2mVa);
  mem.writeBytes(si + S.cmd_line, new Uint8Array(Buffer.from(`${opts.cmdline ?? ""}\0`, "latin1")));
  host.buildDomain(d, {
    l2Mfn: l2 >>> 12,
    fillM2p: true,
    regs: { eip: entry, esp: startInfoVa + 2 * 4096, esi: startInfoVa },
  });
  return { d, dom0Port, guestPort, startInfoVa, ptBaseVa: ptVa };
}
