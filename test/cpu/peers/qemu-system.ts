// Runs a CPU test kernel under qemu-system-i386 (TCG) with its multiboot loader:
// `-kernel file.elf`, COM1 on stdio, and isa-debug-exit at port 0xF4 so the kernel can stop
// the machine. Nothing is cached between runs.
import { spawn } from "node:child_process";
import { kernelLines } from "./console-text.js";

const TIMEOUT_MS = 20_000;

export function runUnderQemu(elfPath: string, kernel: string): Promise<string[]> {
  const args = [
    "-kernel", elfPath, "-m", "32", "-nographic", "-display", "none", "-monitor", "none",
    "-serial", "stdio", "-net", "none", "-no-reboot",
    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("qemu-system-i386", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
    child.stdout.on("data", (b: Buffer) => (out += b.toString("latin1")));
    child.stderr.on("data", (b: Buffer) => (err += b.toString("latin1")));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`Cannot run qemu-system-i386 for kernel "${kernel}": ${e.message} (apt-get install qemu-system-x86)`));
    });
    child.on("close", () => {
      clearTimeout(timer);
      try {
        resolve(kernelLines(out, "qemu", kernel));
      } catch (e) {
        reject(new Error(`${(e as Error).message}; stderr ${JSON.stringify(err.slice(-300))}`));
      }
    });
  });
}
