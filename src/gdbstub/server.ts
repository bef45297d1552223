// Serves the stub on a TCP port (127.0.0.1 by default, port 0 allowed): one debugger at a
// time, each connection its own GdbSession. Used by tests and benchmarks with an in-memory
// target, and by anyone running the stub without the serial line in between.
import createDebug from "debug";
import net from "node:net";
import { GdbSession } from "./session.js";
import type { DebugTarget } from "./target.js";

const log = createDebug("gdbstub");

export interface GdbServerOptions {
  target: DebugTarget;
  /** @default "127.0.0.1" */
  host?: string;
  /** @default 0 (any free port) */
  port?: number;
  /** Sees every byte the stub sends (tests check them for 7-bit cleanliness). */
  tap?(bytes: Uint8Array): void;
  /** Run-length encode replies. @default false */
  runLength?: boolean;
}

export interface GdbServer {
  /** The port actually bound. */
  readonly port: number;
  /** The session of the connected debugger, if any. */
  readonly session: GdbSession | null;
  close(): Promise<void>;
}

export async function startGdbServer(options: GdbServerOptions): Promise<GdbServer> {
  let current: { socket: net.Socket; session: GdbSession } | null = null;
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    if (current !== null) {
      log("refusing a second debugger connection");
      socket.end();
      return;
    }
    const session = new GdbSession({
      target: options.target,
      lossless: true,
      runLength: options.runLength ?? false,
      write: (bytes) => {
        options.tap?.(bytes);
        if (!socket.destroyed) socket.write(bytes);
      },
      hangUp: () => socket.end(),
    });
    const mine = { socket, session };
    current = mine;
    socket.on("data", (chunk: Buffer) => session.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    socket.on("error", (err) => log("debugger connection: %s", err.message));
    socket.on("close", () => {
      session.disconnected();
      if (current === mine) current = null;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("Cannot serve gdb: no TCP address bound");
  return {
    port: address.port,
    get session() {
      return current?.session ?? null;
    },
    close: () =>
      new Promise<void>((resolve) => {
        current?.socket.destroy();
        server.close(() => resolve());
      }),
  };
}
