// A real XenHost with the serial console and xend on top, plus the guest's side of the control
// channel played by the test (through shared_info and the real event-channel send).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CONTROL_IF, CONTROL_IF_OFFSET, CONTROL_MSG, SHARED_INFO, START_INFO } from "../../../src/xen/abi.js";
import { SerialConsole } from "../../../src/xen/console.js";
import { XenHost } from "../../../src/xen/host.js";
import type { Domain } from "../../../src/xen/domain.js";
import { sendPort } from "../../../src/xen/evtchn.js";
import { Xend } from "../../../src/xen/tools/xend.js";
import { readConfigFile } from "../../../src/xen/tools/config.js";

export const TINY_KERNEL = resolve("build/xen-tools/tiny-kernel");

export function writeConfig(text: string, name = "t.cfg"): string {
  const dir = mkdtempSync(join(tmpdir(), "xend-"));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

export function tinyConfig(name: string, memory = 4): string {
  return writeConfig(`kernel = '${TINY_KERNEL}'\nmemory = ${memory}\nname = '${name}'\ncmdline = 'hello'\n`, `${name}.cfg`);
}

export function makeRig(memoryMiB = 24) {
  const uart: number[] = [];
  const console = new SerialConsole((b) => uart.push(...b));
  const host = new XenHost({ memoryMiB, console, shuffle: true, seed: 7 });
  const xend = new Xend(host, console);
  const text = () => Buffer.from(uart).toString("latin1");
  const create = (name: string, memory = 4) => xend.create(readConfigFile(tinyConfig(name, memory)));
  const domain = (id: number): Domain => host.core.domains.get(id)!;
  return { uart, console, host, xend, text, create, domain };
}

/** Reads a u32 of the guest's start_info through its bootstrap page tables (ESI holds its VA). */
export function startInfoField(host: XenHost, d: Domain, off: number, size: 2 | 4 = 4): number {
  const va = d.vcpu.regs.gpr[6] >>> 0; // ESI
  const l2 = d.vcpu.baseptrMfn * 4096;
  const pde = host.mem.read32(l2 + (va >>> 22) * 4);
  const pte = host.mem.read32((pde & ~0xfff) + ((va >>> 12) & 1023) * 4);
  const ma = (pte & ~0xfff) + off;
  return size === 2 ? host.mem.read16(ma) : host.mem.read32(ma);
}

/** The guest's half of control_if_t, as XenLinux's ctrl_if.c drives it. */
export class GuestControl {
  private rxCons = 0;
  private txCons = 0;
  constructor(private host: XenHost, private d: Domain) {}
  get ifMa(): number {
    return this.d.sharedInfoMfn * 4096 + CONTROL_IF_OFFSET;
  }
  get port(): number {
    return startInfoField(this.host, this.d, START_INFO.domain_controller_evtchn, 2);
  }
  send(type: number, subtype: number, payload: Uint8Array): void {
    const m = this.host.mem;
    const prod = m.read32(this.ifMa + CONTROL_IF.tx_req_prod);
    const slot = this.ifMa + CONTROL_IF.tx_ring + (prod & 7) * CONTROL_MSG.SIZE;
    m.write8(slot + CONTROL_MSG.type, type);
    m.write8(slot + CONTROL_MSG.subtype, subtype);
    m.write8(slot + CONTROL_MSG.id, 0);
    m.write8(slot + CONTROL_MSG.length, payload.length);
    m.writeBytes(slot + CONTROL_MSG.msg, payload);
    m.write32(this.ifMa + CONTROL_IF.tx_req_prod, prod + 1);
    sendPort(this.host.core, this.d, this.port);
  }
  /** Responses since last time, with their payloads. */
  txResponseMessages(): Array<{ type: number; subtype: number; payload: Uint8Array }> {
    const m = this.host.mem;
    const out = [];
    for (; this.txCons !== m.read32(this.ifMa + CONTROL_IF.tx_resp_prod); this.txCons++) {
      const slot = this.ifMa + CONTROL_IF.tx_ring + (this.txCons & 7) * CONTROL_MSG.SIZE;
      out.push({ type: m.read8(slot), subtype: m.read8(slot + 1), payload: m.readBytes(slot + 4, m.read8(slot + 3)).slice() });
    }
    return out;
  }
  txResponses(): number {
    const n = this.host.mem.read32(this.ifMa + CONTROL_IF.tx_resp_prod) - this.txCons;
    this.txCons += n;
    return n;
  }
  /** Takes rx requests (answering each with length 0) as [type, subtype, payload text]. */
  receive(): Array<[number, number, string]> {
    const m = this.host.mem;
    const out: Array<[number, number, string]> = [];
    for (; this.rxCons !== m.read32(this.ifMa + CONTROL_IF.rx_req_prod); this.rxCons++) {
      const slot = this.ifMa + CONTROL_IF.rx_ring + (this.rxCons & 7) * CONTROL_MSG.SIZE;
      const len = m.read8(slot + CONTROL_MSG.length);
      out.push([m.read8(slot), m.read8(slot + 1), Buffer.from(m.readBytes(slot + 4, len)).toString("latin1")]);
      m.write8(slot + CONTROL_MSG.length, 0);
      m.write32(this.ifMa + CONTROL_IF.rx_resp_prod, this.rxCons + 1);
    }
    if (out.length > 0) sendPort(this.host.core, this.d, this.port);
    return out;
  }
  /** True when our control port is pending in shared_info (the controller notified us). */
  portPending(): boolean {
    const word = this.host.mem.read32(this.d.sharedInfoMfn * 4096 + SHARED_INFO.evtchn_pending + (this.port >>> 5) * 4);
    return ((word >>> (this.port & 31)) & 1) === 1;
  }
  clearPending(): void {
    const a = this.d.sharedInfoMfn * 4096 + SHARED_INFO.evtchn_pending + (this.port >>> 5) * 4;
    this.host.mem.write32(a, this.host.mem.read32(a) & ~(1 << (this.port & 31)));
  }
}
