// Bare-mode machine for multiboot test kernels and benchmarks: loads an ELF's PT_LOAD segments
// into machine memory and puts our CPU in the state a multiboot loader leaves (Multiboot 0.6.96
// section 3.2: protected mode, flat 4 GiB code and data segments, paging off, IF clear,
// eax = 0x2BADB002, ebx = the info block). COM1 (0x3F8) is the console; a write to port 0xF4
// (qemu's isa-debug-exit) stops the machine.
import { readFileSync } from "node:fs";
import { MachineMemory } from "../../src/emu/memory.js";
import { Cpu, Reg, SReg, StopReason } from "../../src/emu/cpu/index.js";
import { parseElf32, type Elf32Image } from "./elf32.js";

export const MULTIBOOT_MAGIC = 0x2badb002;
/** Where the (all-zero, flags = 0) multiboot info block goes, as the Bochs boot sector does. */
export const MULTIBOOT_INFO = 0x9000;
const COM1 = 0x3f8;
const EXIT_PORT = 0xf4;

export interface BareMachine {
  cpu: Cpu;
  mem: MachineMemory;
  image: Elf32Image;
  /** Console bytes written to COM1 so far. */
  console(): string;
  /** Set when the kernel wrote the exit port. */
  exited(): boolean;
  /** Called for every byte the guest writes to a port other than COM1 and the exit port. */
  onPortWrite: ((port: number, value: number) => void) | null;
}

export function loadMultiboot(elfPath: string, memBytes = 32 << 20): BareMachine {
  const image = parseElf32(new Uint8Array(readFileSync(elfPath)), elfPath);
  const mem = new MachineMemory(memBytes);
  for (const l of image.loads) {
    if (l.paddr + l.memsz > memBytes) {
      throw new Error(`Cannot load "${elfPath}": segment at 0x${l.paddr.toString(16)} ends beyond ${memBytes} bytes of memory`);
    }
    mem.u8.set(image.bytes.subarray(l.offset, l.offset + l.filesz), l.paddr);
    mem.u8.fill(0, l.paddr + l.filesz, l.paddr + l.memsz);
    mem.noteWrite(l.paddr, l.memsz);
  }
  mem.u8.fill(0, MULTIBOOT_INFO, MULTIBOOT_INFO + 128);

  const cpu = new Cpu(mem, { mode: "bare" });
  for (const s of [SReg.ES, SReg.SS, SReg.DS, SReg.FS, SReg.GS]) cpu.setSegmentCache(s, 0x10, 0, -1, 0xc093);
  cpu.setSegmentCache(SReg.CS, 0x08, 0, -1, 0xc09b);
  cpu.setEflags(0x2);
  cpu.regs[Reg.EAX] = MULTIBOOT_MAGIC | 0;
  cpu.regs[Reg.EBX] = MULTIBOOT_INFO;
  cpu.eip = image.entry;

  let out = "";
  let exited = false;
  const machine: BareMachine = {
    cpu, mem, image,
    console: () => out,
    exited: () => exited,
    onPortWrite: null,
  };
  cpu.ioRead = (port, size) => {
    if (port === COM1 + 5) return 0x60; // LSR: transmitter empty
    return size === 1 ? 0xff : size === 2 ? 0xffff : -1;
  };
  cpu.ioWrite = (port, _size, value) => {
    if (port === COM1) out += String.fromCharCode(value & 0xff);
    else if (port === EXIT_PORT) {
      exited = true;
      cpu.requestStop();
    } else if (machine.onPortWrite) machine.onPortWrite(port, value);
  };
  return machine;
}

/** Runs until the kernel exits, halts, or `maxInstructions` pass; returns why it stopped. */
export function runBare(m: BareMachine, maxInstructions: number): "exit" | "halt" | "shutdown" | "budget" {
  const slice = 1_000_000;
  let left = maxInstructions;
  while (left > 0) {
    const r = m.cpu.run(Math.min(slice, left));
    if (m.exited()) return "exit";
    if (r === StopReason.HALT) return "halt";
    if (r === StopReason.SHUTDOWN) return "shutdown";
    if (r === StopReason.BUDGET) left -= Math.min(slice, left);
  }
  return "budget";
}
