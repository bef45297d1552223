// A real TCP client for tests: collects everything it receives and lets a test wait for a
// condition on it.
import net from "node:net";
import { asUint8Array, concatBytes } from "../../src/emu/serial/index.js";

export class TcpClient {
  readonly socket: net.Socket;
  private chunks: Buffer[] = [];
  private total = 0;
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (c: Buffer) => {
      this.chunks.push(c);
      this.total += c.length;
    });
    socket.on("close", () => (this.closed = true));
    socket.on("error", () => {});
  }

  static connect(port: number, host = "127.0.0.1"): Promise<TcpClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host);
      s.once("connect", () => resolve(new TcpClient(s)));
      s.once("error", reject);
    });
  }

  get length(): number {
    return this.total;
  }

  bytes(): Buffer {
    if (this.chunks.length > 1) this.chunks = [concatBytes(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  text(): string {
    return this.bytes().toString("latin1");
  }

  send(data: Buffer | string): boolean {
    return typeof data === "string" ? this.socket.write(data) : this.socket.write(asUint8Array(data));
  }

  close(): void {
    this.socket.destroy();
  }
}

export function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (cond()) resolve();
      else if (Date.now() - t0 > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 2);
    };
    tick();
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
