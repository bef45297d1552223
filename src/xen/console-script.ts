// Scripted serial input, expect-style: "wait until the console has printed X, then type Y".
// The serial console runs the script on its own output, synchronously, so the input lands at
// the same point of the guest's execution every time: with --time deterministic, the same
// script gives byte-identical console output run after run.
//
// Script lines:  expect TEXT | send TEXT | # comment | blank.  TEXT takes \r \n \t \\ \xHH.

export type ScriptStep = { kind: "expect"; text: string } | { kind: "send"; bytes: Uint8Array };

/** Parses a script; errors name the file and line ("Cannot read input script ..."). */
export function parseConsoleScript(text: string, file: string): ScriptStep[] {
  const steps: ScriptStep[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    const m = /^(expect|send) (.*)$/.exec(line);
    if (m === null) {
      throw new SyntaxError(`Cannot read input script "${file}" line ${i + 1}: "${line}", expected "expect TEXT" or "send TEXT"`);
    }
    let body: string;
    try {
      body = unescape(m[2]);
    } catch (err) {
      throw new SyntaxError(`Cannot read input script "${file}" line ${i + 1}: ${(err as Error).message}`);
    }
    if (m[1] === "expect") {
      if (body === "") throw new SyntaxError(`Cannot read input script "${file}" line ${i + 1}: expect needs text`);
      steps.push({ kind: "expect", text: body });
    } else steps.push({ kind: "send", bytes: Uint8Array.from(body, (c) => c.charCodeAt(0)) });
  });
  return steps;
}

function unescape(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, e: string) => {
    if (e.startsWith("x") && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    const simple: Record<string, string> = { r: "\r", n: "\n", t: "\t", "\\": "\\" };
    const v = simple[e];
    if (v === undefined) throw new Error(`unknown escape "\\${e}"`);
    return v;
  });
}

/** Runs a script against console output; what it returns is typed on the serial line. */
export class ConsoleScript {
  private next = 0;
  /** Output since the last matched expect (only as much as the pending pattern can need). */
  private window = "";

  constructor(private readonly steps: ScriptStep[]) {}

  get done(): boolean {
    return this.next >= this.steps.length;
  }

  /** Sends due before any output (a script that starts with send). */
  start(): Uint8Array | null {
    return this.advance();
  }

  /** Feeds console output; returns bytes to type now, or null. Unmatched output stays for the next expect, as in expect(1). */
  observe(bytes: Uint8Array): Uint8Array | null {
    if (this.done) return null;
    for (const b of bytes) this.window += String.fromCharCode(b);
    const out: number[] = [];
    for (let step = this.steps[this.next]; step !== undefined && step.kind === "expect"; step = this.steps[this.next]) {
      const at = this.window.indexOf(step.text);
      if (at < 0) {
        // Keep only a tail that could still hold the start of the pattern.
        if (this.window.length > 4096) this.window = this.window.slice(-Math.max(step.text.length - 1, 1));
        break;
      }
      this.window = this.window.slice(at + step.text.length);
      this.next++;
      const typed = this.advance();
      if (typed !== null) out.push(...typed);
    }
    return out.length === 0 ? null : Uint8Array.from(out);
  }

  private advance(): Uint8Array | null {
    const out: number[] = [];
    for (let s = this.steps[this.next]; s !== undefined && s.kind === "send"; s = this.steps[++this.next]) out.push(...s.bytes);
    return out.length === 0 ? null : Uint8Array.from(out);
  }
}
