// The part of a test kernel's COM1 output that is compared across engines: the lines from
// "BEGIN" to "END". Firmware banners before BEGIN (SeaBIOS prints to the serial port under
// qemu) and carriage returns added by terminals are dropped.

/** Returns the kernel's result lines, or throws when the run did not reach END. */
export function kernelLines(raw: string, engine: string, kernel: string): string[] {
  const text = raw.replace(/\r/g, "");
  const begin = text.indexOf("BEGIN ");
  if (begin < 0) {
    throw new Error(`Cannot read ${engine} output of kernel "${kernel}": no BEGIN line in ${JSON.stringify(text.slice(-300))}`);
  }
  const lines = text.slice(begin).split("\n");
  const end = lines.indexOf("END");
  if (end < 0) {
    throw new Error(`Cannot read ${engine} output of kernel "${kernel}": it stopped before END, last lines ${JSON.stringify(lines.slice(-4))}`);
  }
  return lines.slice(0, end + 1);
}
