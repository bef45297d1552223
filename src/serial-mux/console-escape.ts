// The escape key of the console client: Ctrl-] (0x1d) followed by q (or .) quits; Ctrl-]
// twice sends one Ctrl-]; Ctrl-] followed by anything else sends both bytes. Every other byte,
// Ctrl-C and Ctrl-A included, goes to the guest. The only state between chunks is whether the
// last byte seen was an unconsumed Ctrl-].

export const ESCAPE_BYTE = 0x1d; // Ctrl-]
export const ESCAPE_HELP = "Ctrl-] then q quits; Ctrl-] Ctrl-] sends Ctrl-]";

export interface EscapeResult {
  /** Bytes to send to the console. */
  readonly send: Buffer;
  /** True when the user asked to quit (bytes after the quit key are ignored). */
  readonly quit: boolean;
}

export class ConsoleEscape {
  private armed = false;

  feed(chunk: Buffer): EscapeResult {
    if (!this.armed && !chunk.includes(ESCAPE_BYTE)) return { send: chunk, quit: false };
    const out = Buffer.allocUnsafe(chunk.length + 1);
    let n = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.armed) {
        this.armed = false;
        if (b === 0x71 || b === 0x51 || b === 0x2e) return { send: out.subarray(0, n), quit: true }; // q Q .
        out[n++] = ESCAPE_BYTE;
        if (b !== ESCAPE_BYTE) out[n++] = b;
      } else if (b === ESCAPE_BYTE) {
        this.armed = true;
      } else {
        out[n++] = b;
      }
    }
    return { send: out.subarray(0, n), quit: false };
  }
}
