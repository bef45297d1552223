// Runs a kernel floppy image under Bochs 2.7 (Debian build). Bochs always needs a display
// library; Debian's build offers `term`, which needs a tty, so Bochs runs under script(1).
// Its debugger prompt is skipped with an rc file holding "c". COM1 goes to a file; the kernel
// stops Bochs through the shutdown port 0x8900. A fresh directory per run, removed after.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { PeerRun } from "./qemu-system.js";

const BIOS = "/usr/share/bochs/BIOS-bochs-latest";
// Debian's bochsbios ships no VGA ROM (that is the separate vgabios package); SeaVGABIOS's
// stdvga build from the seabios package (installed with qemu-system-x86) drives Bochs's VGA.
const VGA_BIOS = "/usr/share/seabios/vgabios-stdvga.bin";

export interface BochsRun extends PeerRun {
  /** PANIC and ERROR lines of Bochs's log (the shutdown request is logged as a PANIC) */
  logErrors: string;
}

export function runUnderBochs(imgPath: string, timeoutMs = 30_000): Promise<BochsRun> {
  for (const f of [BIOS, VGA_BIOS]) {
    if (!existsSync(f)) {
      return Promise.reject(new Error(`Cannot run Bochs on "${imgPath}": ${f} is missing (apt-get install bochs bochsbios seabios)`));
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "mox-bochs-"));
  const com1 = join(dir, "com1.txt");
  const log = join(dir, "bochs.log");
  writeFileSync(join(dir, "bochsrc"), [
    "megs: 32",
    `romimage: file=${BIOS}`,
    `vgaromimage: file=${VGA_BIOS}`,
    `floppya: 1_44=${resolve(imgPath)}, status=inserted`,
    "boot: floppy",
    `com1: enabled=1, mode=file, dev=${com1}`,
    "display_library: term",
    `log: ${log}`,
    "panic: action=fatal",
    "error: action=report",
    "info: action=ignore",
    "debug: action=ignore",
    "clock: sync=none",
    "",
  ].join("\n"));
  writeFileSync(join(dir, "debugger.rc"), "c\n");
  const cmd = `bochs -q -f ${join(dir, "bochsrc")} -rc ${join(dir, "debugger.rc")}`;
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn("script", ["-qec", cmd, "/dev/null"], { cwd: dir, stdio: ["ignore", "ignore", "ignore"] });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const finish = (e?: Error) => {
      clearTimeout(timer);
      const nanoseconds = Number(process.hrtime.bigint() - t0);
      const text = existsSync(com1) ? readFileSync(com1, "latin1") : "";
      const logText = existsSync(log) ? readFileSync(log, "latin1") : "";
      const logErrors = logText.split("\n").filter((l) => /PANIC|ERROR/.test(l)).slice(-3).join(" | ");
      rmSync(dir, { recursive: true, force: true });
      if (e) reject(e);
      else resolvePromise({ console: text, nanoseconds, logErrors });
    };
    child.on("error", (e) => finish(new Error(`Cannot run Bochs on "${imgPath}": ${e.message} (needs script from util-linux and bochs)`)));
    child.on("close", () => finish());
  });
}
