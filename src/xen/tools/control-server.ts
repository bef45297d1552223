// The host's end of the xm control socket: a Unix socket serving one request per connection
// (control-protocol.ts) against xend. A stale socket file left by a dead host is replaced; a
// live one is refused, so two hosts never share a path.
import debug from "debug";
import { existsSync, unlinkSync } from "node:fs";
import net from "node:net";
import { readConfigFile } from "./config.js";
import { appendBuffer, parseControlRequest, type ControlReply, type ControlRequest } from "./control-protocol.js";
import type { Xend } from "./xend.js";

const log = debug("xen:xend:control");

/** A request line longer than this is refused rather than buffered. */
const MAX_REQUEST_BYTES = 64 * 1024;

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/** Listens on `path` for xm clients. */
export async function startControlServer(xend: Xend, path: string): Promise<ControlServer> {
  await clearStaleSocket(path);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", (err) => log("client error: %s", err.message));
    serveConnection(xend, socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new Error(`Cannot listen on control socket "${path}": ${err.message}`)));
    server.listen(path, () => resolve());
  });
  server.on("error", (err) => log("server error: %s", err.message));
  log("listening on %s", path);
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function clearStaleSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
  if (alive) throw new Error(`Cannot listen on control socket "${path}": another host is running there`);
  unlinkSync(path);
}

function serveConnection(xend: Xend, socket: net.Socket): void {
  let buf = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buf = appendBuffer(buf, chunk);
    const nl = buf.indexOf(0x0a);
    if (nl < 0) {
      if (buf.length > MAX_REQUEST_BYTES) finish({ ok: false, error: "Cannot read control request: line too long" });
      return;
    }
    socket.off("data", onData);
    const line = buf.subarray(0, nl).toString("utf8");
    const rest = buf.subarray(nl + 1);
    let req: ControlRequest;
    try {
      req = parseControlRequest(line);
    } catch (err) {
      finish({ ok: false, error: (err as Error).message });
      return;
    }
    log("request %o", req);
    if (req.op === "console") {
      attachConsole(xend, socket, req.domain, rest);
      return;
    }
    finish(handle(xend, req));
  };
  const finish = (reply: ControlReply) => {
    socket.off("data", onData);
    socket.end(JSON.stringify(reply) + "\n");
  };
  socket.on("data", onData);
}

function handle(xend: Xend, req: Exclude<ControlRequest, { op: "console" }>): ControlReply {
  try {
    switch (req.op) {
      case "list":
        return { ok: true, domains: xend.list() };
      case "dmesg":
        return { ok: true, text: xend.dmesg() };
      case "create":
        return { ok: true, domain: xend.create(readConfigFile(req.config, req.overrides)) };
      case "destroy":
        return { ok: true, domain: xend.destroy(req.domain) };
      case "pause":
        return { ok: true, domain: xend.pause(req.domain) };
      case "unpause":
        return { ok: true, domain: xend.unpause(req.domain) };
      case "shutdown":
        return { ok: true, domain: xend.shutdown(req.domain, req.reason) };
    }
  } catch (err) {
    // Guest-facing and user errors come back to xm; the host keeps running.
    if (process.env.DEBUG) log("request failed: %O", err);
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function attachConsole(xend: Xend, socket: net.Socket, domain: string, early: Buffer): void {
  let att;
  try {
    att = xend.attachConsole(
      domain,
      (bytes) => socket.write(bytes),
      () => socket.end(),
    );
  } catch (err) {
    socket.end(JSON.stringify({ ok: false, error: (err as Error).message }) + "\n");
    return;
  }
  const a = att;
  socket.write(JSON.stringify({ ok: true, domain: xend.info(domain) }) + "\n");
  if (a.history.length > 0) socket.write(a.history);
  if (early.length > 0) a.write(new Uint8Array(early));
  socket.on("data", (chunk: Buffer) => a.write(new Uint8Array(chunk)));
  socket.on("close", () => a.close());
}
