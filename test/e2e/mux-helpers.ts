// Child processes for end-to-end tests of the built CLI: start, read the stable lines it
// prints, and make sure every child is gone after each test.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { TcpClient, until } from "../serial-mux/tcp-client.js";

export const CLI = join(process.cwd(), "dist", "src", "cli", "main.js");

export class Child {
  readonly proc: ChildProcess;
  stdout = "";
  stderr = "";
  exitCode: number | null = null;
  exited = false;

  constructor(cmd: string, args: string[]) {
    this.proc = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stdout!.on("data", (d: Buffer) => (this.stdout += d.toString("latin1")));
    this.proc.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString("latin1")));
    this.proc.on("exit", (code) => {
      this.exitCode = code;
      this.exited = true;
    });
  }

  static cli(args: string[]): Child {
    return new Child(process.execPath, [CLI, ...args]);
  }

  /** Waits for a line of stdout matching `re` and returns the match. */
  async line(re: RegExp, what: string): Promise<RegExpMatchArray> {
    await until(() => re.test(this.stdout) || this.exited, what);
    const m = this.stdout.match(re);
    if (m === null) throw new Error(`${what}: child exited (${this.exitCode}); stderr: ${this.stderr}`);
    return m;
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    if (!this.exited) this.proc.kill(signal);
    await until(() => this.exited, "child to exit");
    return this.exitCode;
  }
}

/** The "gdb: HOST:PORT" and "console: HOST:PORT" lines of run and mux. */
export async function muxPorts(c: Child): Promise<{ gdb: number; console: number }> {
  const g = await c.line(/^gdb: 127\.0\.0\.1:(\d+)$/m, "the gdb port line");
  const k = await c.line(/^console: 127\.0\.0\.1:(\d+)$/m, "the console port line");
  return { gdb: Number(g[1]), console: Number(k[1]) };
}

/**
 * What one end-to-end test opened: clients, child processes, line ends and temp dirs, released
 * in that order by `release()` (call it from afterEach) whatever the test's outcome.
 */
export class E2eResources {
  private clients: TcpClient[] = [];
  private children: Child[] = [];
  private closers: Array<() => Promise<void>> = [];
  private dirs: string[] = [];

  child(c: Child): Child {
    this.children.push(c);
    return c;
  }

  async client(port: number): Promise<TcpClient> {
    const c = await TcpClient.connect(port);
    this.clients.push(c);
    return c;
  }

  /** Registers something with an async close (a serial line end). */
  closeLater<T extends { close(): Promise<void> }>(thing: T): T {
    this.closers.push(() => thing.close());
    return thing;
  }

  tempDir(prefix = "mox-e2e-"): string {
    const d = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(d);
    return d;
  }

  async release(): Promise<void> {
    for (const c of this.clients.splice(0)) c.close();
    await Promise.all(this.children.splice(0).map((c) => c.stop("SIGKILL")));
    await Promise.all(this.closers.splice(0).map((close) => close()));
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}
