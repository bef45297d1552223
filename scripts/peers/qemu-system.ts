// Runs a multiboot kernel under qemu-system-i386 (TCG) with its own multiboot loader:
// `-kernel file.elf`, COM1 on stdio, and isa-debug-exit at port 0xF4 so the kernel can stop
// the machine. Returns everything COM1 printed and the wall time of the whole run.
import { spawn } from "node:child_process";

export interface PeerRun {
  console: string;
  /** wall time from spawn to exit, boot included */
  nanoseconds: number;
}

export function runUnderQemu(elfPath: string, timeoutMs = 20_000): Promise<PeerRun> {
  const args = [
    "-kernel", elfPath, "-m", "32", "-nographic", "-display", "none", "-monitor", "none",
    "-serial", "stdio", "-net", "none", "-no-reboot",
    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
  ];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn("qemu-system-i386", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (b: Buffer) => (out += b.toString("latin1")));
    child.stderr.on("data", (b: Buffer) => (err += b.toString("latin1")));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`Cannot run qemu-system-i386 on "${elfPath}": ${e.message} (apt-get install qemu-system-x86)`));
    });
    child.on("close", () => {
      clearTimeout(timer);
      const nanoseconds = Number(process.hrtime.bigint() - t0);
      resolve({ console: out + (err ? `\n[stderr] ${err}` : ""), nanoseconds });
    });
  });
}
