// The syntax of Xen 2.0 domain config files: a Python file of plain assignments, as xm read
// with execfile(). We accept the subset people write: `name = value` where value is a string
// ('…', "…", '''…''', """…""", adjacent literals concatenated), an integer (decimal or 0x hex)
// or a list of those; `#` comments; lists and triple-quoted strings may span lines.

/** A value as written in a config file. */
export type ConfigValue = string | number | ConfigValue[];

/** One assignment, with the line it starts on and its raw text (for error messages). */
export interface ConfigAssignment {
  key: string;
  value: ConfigValue;
  line: number;
  raw: string;
}

/** A config-file error naming the file, the line and (when there is one) the offending value. */
export class ConfigError extends SyntaxError {
  readonly file: string;
  readonly line: number;
  readonly value: string | undefined;
  /** The message without the "Cannot read config" prefix. */
  readonly problem: string;

  /** `line` 0 means the problem belongs to the whole file (a missing setting, an unreadable file). */
  constructor(file: string, line: number, problem: string, value?: string) {
    super(`Cannot read config "${file}"${line > 0 ? ` line ${line}` : ""}: ${problem}`);
    this.problem = problem;
    this.name = "ConfigError";
    this.file = file;
    this.line = line;
    this.value = value;
  }
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[+-]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)(?![A-Za-z0-9_.])/y;

/** Splits config text into assignments; throws ConfigError on anything it cannot read. */
export function parseAssignments(
  text: string,
  file: string,
  expected: (key: string) => string | undefined = () => undefined,
): ConfigAssignment[] {
  return new Reader(text, file, expected).all();
}

class Reader {
  private pos = 0;
  private line = 1;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly expected: (key: string) => string | undefined,
  ) {}

  private expectation(key: string, fallback: string): string {
    return this.expected(key) ?? fallback;
  }

  all(): ConfigAssignment[] {
    const out: ConfigAssignment[] = [];
    for (;;) {
      this.skipBlankAndComments(true);
      if (this.pos >= this.text.length) return out;
      out.push(this.assignment());
    }
  }

  private fail(problem: string, line = this.line, value?: string): never {
    throw new ConfigError(this.file, line, problem, value);
  }

  /** Skips spaces, tabs, comments and (when allowed) newlines. */
  private skipBlankAndComments(newlines: boolean): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === " " || c === "\t" || c === "\r" || c === "\f") this.pos++;
      else if (c === "\\" && t[this.pos + 1] === "\n") {
        this.pos += 2;
        this.line++;
      } else if (c === "#") {
        while (this.pos < t.length && t[this.pos] !== "\n") this.pos++;
      } else if (c === "\n" && newlines) {
        this.pos++;
        this.line++;
      } else return;
    }
  }

  /** The rest of the current line without its comment, for quoting a bad value. */
  private restOfLine(from: number): string {
    const end = this.text.indexOf("\n", from);
    const s = this.text.slice(from, end < 0 ? undefined : end);
    const hash = s.indexOf("#");
    return (hash >= 0 ? s.slice(0, hash) : s).trim();
  }

  private assignment(): ConfigAssignment {
    const line = this.line;
    IDENT.lastIndex = this.pos;
    const m = IDENT.exec(this.text);
    if (m === null) this.fail(`expected a setting name, found "${this.restOfLine(this.pos)}"`);
    const key = m[0];
    this.pos += key.length;
    this.skipBlankAndComments(false);
    if (this.text[this.pos] !== "=" || this.text[this.pos + 1] === "=") {
      this.fail(`expected "=" after "${key}", found "${this.restOfLine(this.pos)}"`);
    }
    this.pos++;
    this.skipBlankAndComments(false);
    const start = this.pos;
    if (this.pos >= this.text.length || this.text[this.pos] === "\n") this.fail(`${key} has no value`);
    const value = this.value(key, line);
    const raw = this.text.slice(start, this.pos).trim();
    this.skipBlankAndComments(false);
    if (this.text[this.pos] === ";") {
      this.pos++;
      this.skipBlankAndComments(false);
    }
    if (this.pos < this.text.length && this.text[this.pos] !== "\n") {
      const bad = this.restOfLine(start);
      this.fail(`${key} is "${bad}", expected ${this.expectation(key, "one string, number or list")}`, line, bad);
    }
    return { key, value, line, raw };
  }

  private value(key: string, line: number): ConfigValue {
    const c = this.text[this.pos];
    if (c === "'" || c === '"') return this.strings();
    if (c === "[" || c === "(") return this.list(key, line);
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m !== null) {
      this.pos += m[0].length;
      return parseInteger(m[0]);
    }
    const bad = this.restOfLine(this.pos);
    this.fail(`${key} is "${bad}", expected ${this.expectation(key, "a string, a number or a list")}`, line, bad);
  }

  /** One or more adjacent string literals, concatenated as Python does. */
  private strings(): string {
    let s = this.string();
    for (;;) {
      const save = this.pos;
      const saveLine = this.line;
      this.skipBlankAndComments(false);
      const c = this.text[this.pos];
      if (c === "'" || c === '"') s += this.string();
      else {
        this.pos = save;
        this.line = saveLine;
        return s;
      }
    }
  }

  private string(): string {
    const t = this.text;
    const startLine = this.line;
    const q = t[this.pos];
    const triple = t.startsWith(q.repeat(3), this.pos);
    this.pos += triple ? 3 : 1;
    let out = "";
    for (;;) {
      if (this.pos >= t.length) this.fail(`string opened here is never closed`, startLine);
      const c = t[this.pos];
      if (triple ? t.startsWith(q.repeat(3), this.pos) : c === q) {
        this.pos += triple ? 3 : 1;
        return out;
      }
      if (c === "\n") {
        if (!triple) this.fail(`string is not closed before the end of the line`, startLine);
        this.line++;
      }
      if (c === "\\" && this.pos + 1 < t.length) {
        const e = t[this.pos + 1];
        this.pos += 2;
        if (e === "\n") {
          this.line++;
          continue;
        }
        out += ESCAPES[e] ?? "\\" + e;
        continue;
      }
      out += c;
      this.pos++;
    }
  }

  private list(key: string, line: number): ConfigValue[] {
    const close = this.text[this.pos] === "[" ? "]" : ")";
    this.pos++;
    const items: ConfigValue[] = [];
    for (;;) {
      this.skipBlankAndComments(true);
      if (this.pos >= this.text.length) this.fail(`list for ${key} is never closed`, line);
      if (this.text[this.pos] === close) {
        this.pos++;
        return items;
      }
      items.push(this.value(key, line));
      this.skipBlankAndComments(true);
      const c = this.text[this.pos];
      if (c === ",") this.pos++;
      else if (this.pos >= this.text.length) this.fail(`list for ${key} is never closed`, line);
      else if (c !== close) {
        const bad = this.restOfLine(this.pos);
        this.fail(`list for ${key} has "${bad}" where "," or "${close}" belongs`, this.line, bad);
      }
    }
  }
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "0": "\0",
  "\\": "\\",
  "'": "'",
  '"': '"',
};

function parseInteger(s: string): number {
  const neg = s.startsWith("-");
  const body = s.replace(/^[+-]/, "").toLowerCase();
  let n: number;
  if (body.startsWith("0x")) n = parseInt(body.slice(2), 16);
  else if (body.startsWith("0o")) n = parseInt(body.slice(2), 8);
  else if (body.startsWith("0b")) n = parseInt(body.slice(2), 2);
  else n = parseInt(body, 10);
  return neg ? -n : n;
}
