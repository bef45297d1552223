// Where Xen's text goes: its own "(XEN) ..." log and console_io output. The serial console of
// src/xen/console.ts (dom0 tools) implements this; BufferConsole keeps everything in memory for
// tests and for a host without a serial line.

export interface ConsoleSink {
  /** One line of Xen's log, without the "(XEN) " prefix or newline. */
  xenLog(line: string): void;
  /** Bytes a domain wrote with console_io(CONSOLEIO_write). */
  consoleIo(domid: number, bytes: Uint8Array): void;
  /** Up to `max` bytes of serial input for console_io(CONSOLEIO_read). */
  consoleIoRead?(domid: number, max: number): Uint8Array;
}

export class BufferConsole implements ConsoleSink {
  readonly lines: string[] = [];
  readonly output = new Map<number, number[]>();
  private input: number[] = [];

  xenLog(line: string): void {
    this.lines.push(`(XEN) ${line}`);
  }

  consoleIo(domid: number, bytes: Uint8Array): void {
    let out = this.output.get(domid);
    if (!out) this.output.set(domid, (out = []));
    for (const b of bytes) out.push(b);
  }

  consoleIoRead(_domid: number, max: number): Uint8Array {
    return Uint8Array.from(this.input.splice(0, max));
  }

  /** Queues serial input for console_io reads. */
  type(text: string): void {
    for (const b of Buffer.from(text, "latin1")) this.input.push(b);
  }

  textOf(domid: number): string {
    return Buffer.from(this.output.get(domid) ?? []).toString("latin1");
  }
}
