// Runs a CPU test kernel under Bochs 2.7 (Debian build). Bochs has no multiboot loader, so it
// boots the kernel's floppy image (test/cpu/kernels/boot: a boot sector that loads the
// flattened kernel and enters it in the multiboot state). Bochs always needs a display
// library; Debian's build offers `term`, which needs a tty, so Bochs runs under script(1).
// Its debugger prompt is skipped with an rc file holding "c". COM1 goes to a file; the
// kernel stops Bochs through the shutdown port 0x8900. A fresh directory per run.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { kernelLines } from "./console-text.js";

const TIMEOUT_MS = 30_000;
const BIOS = "/usr/share/bochs/BIOS-bochs-latest";
// Debian's bochsbios ships no VGA ROM (that is the separate vgabios package); SeaVGABIOS's
// stdvga build from the seabios package (installed with qemu-system-x86) drives Bochs's VGA.
const VGA_BIOS = "/usr/share/seabios/vgabios-stdvga.bin";

export function runUnderBochs(imgPath: string, kernel: string): Promise<string[]> {
  for (const f of [BIOS, VGA_BIOS]) {
    if (!existsSync(f)) {
      return Promise.reject(new Error(`Cannot run Bochs for kernel "${kernel}": ${f} is missing (apt-get install bochs bochsbios seabios)`));
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "mox-bochs-"));
  const com1 = join(dir, "com1.txt");
  writeFileSync(join(dir, "bochsrc"), [
    "megs: 32",
    `romimage: file=${BIOS}`,
    `vgaromimage: file=${VGA_BIOS}`,
    `floppya: 1_44=${resolve(imgPath)}, status=inserted`,
    "boot: floppy",
    `com1: enabled=1, mode=file, dev=${com1}`,
    "display_library: term",
    `log: ${join(dir, "bochs.log")}`,
    "panic: action=fatal",
    "error: action=report",
    "info: action=ignore",
    "debug: action=ignore",
    "clock: sync=none",
    "",
  ].join("\n"));
  writeFileSync(join(dir, "debugger.rc"), "c\n");
  const cmd = `bochs -q -f ${join(dir, "bochsrc")} -rc ${join(dir, "debugger.rc")}`;
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qec", cmd, "/dev/null"], { cwd: dir, stdio: ["ignore", "ignore", "ignore"] });
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
    const finish = (e?: Error) => {
      clearTimeout(timer);
      let lines: string[] | undefined;
      let error = e;
      if (!error) {
        try {
          lines = kernelLines(existsSync(com1) ? readFileSync(com1, "latin1") : "", "bochs", kernel);
        } catch (x) {
          const log = existsSync(join(dir, "bochs.log")) ? readFileSync(join(dir, "bochs.log"), "latin1") : "";
          const panic = log.split("\n").filter((l) => /PANIC|ERROR/.test(l)).slice(-3).join(" | ");
          error = new Error(`${(x as Error).message}; bochs log: ${panic}`);
        }
      }
      rmSync(dir, { recursive: true, force: true });
      if (error) reject(error);
      else resolve(lines as string[]);
    };
    child.on("error", (e) => finish(new Error(`Cannot run Bochs for kernel "${kernel}": ${e.message} (needs script from util-linux and bochs)`)));
    child.on("close", () => finish());
  });
}
