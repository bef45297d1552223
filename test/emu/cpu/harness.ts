// Test harness for the CPU: assembles AT&T snippets with the host `as --32`, loads them into
// fresh machine memory and runs them in bare mode (ring 0, flat segments) until hlt.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MachineMemory } from "../../../src/emu/memory.js";
import { Cpu, StopReason, type StopReasonCode } from "../../../src/emu/cpu/index.js";

export const CODE = 0x10000;
export const STACK_TOP = 0x80000;

/** Assembles 32-bit AT&T source placed at `origin`; returns the flat bytes. */
export function assemble(src: string, origin = CODE): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "cpu-asm-"));
  try {
    writeFileSync(join(dir, "a.s"), `.code32\n.text\n.globl _start\n_start:\n${src}\n`);
    execFileSync("as", ["--32", "-o", join(dir, "a.o"), join(dir, "a.s")]);
    execFileSync("ld", ["-m", "elf_i386", "-Ttext", `0x${origin.toString(16)}`, "-e", "_start", "-o", join(dir, "a.elf"), join(dir, "a.o")]);
    execFileSync("objcopy", ["-O", "binary", "-j", ".text", join(dir, "a.elf"), join(dir, "a.bin")]);
    return new Uint8Array(readFileSync(join(dir, "a.bin")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Machine {
  mem: MachineMemory;
  cpu: Cpu;
}

export function machine(code: Uint8Array, mode: "bare" | "owned" = "bare", bytes = 4 << 20): Machine {
  const mem = new MachineMemory(bytes);
  mem.writeBytes(CODE, code);
  const cpu = new Cpu(mem, { mode });
  cpu.eip = CODE;
  cpu.regs[4] = STACK_TOP;
  return { mem, cpu };
}

/** Assembles, runs until it stops (hlt in bare mode), and returns the machine. */
export function runAsm(src: string, opts: { mode?: "bare" | "owned"; budget?: number } = {}): Machine & { stop: StopReasonCode } {
  const m = machine(assemble(src), opts.mode ?? "bare");
  const stop = m.cpu.run(opts.budget ?? 1_000_000);
  return { ...m, stop };
}

export { StopReason };
