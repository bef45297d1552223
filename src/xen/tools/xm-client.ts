// The xm side of the control socket: send one request, read one reply; for `console`, then
// relay raw bytes between the caller's terminal and the domain until either side leaves.
import net from "node:net";
import { appendBuffer, parseControlReply, type ControlReply, type ControlRequest } from "./control-protocol.js";

/** Ctrl-], the telnet-style escape that detaches `xm console`. */
export const CONSOLE_ESCAPE = 0x1d;

function connect(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(path);
    s.once("connect", () => resolve(s));
    s.once("error", (err: NodeJS.ErrnoException) => {
      const why = err.code === "ENOENT" || err.code === "ECONNREFUSED" ? "no host is running there (start one with minix-on-xen run or host)" : err.message;
      reject(new Error(`Cannot reach host at "${path}": ${why}`));
    });
  });
}

/** Reads the reply line; resolves with it and whatever bytes followed it. */
function readReply(s: net.Socket): Promise<{ reply: ControlReply; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = appendBuffer(buf, chunk);
      const nl = buf.indexOf(0x0a);
      if (nl < 0) return;
      cleanup();
      try {
        resolve({ reply: parseControlReply(buf.subarray(0, nl).toString("utf8")), rest: buf.subarray(nl + 1) });
      } catch (err) {
        reject(err);
      }
    };
    const onEnd = () => {
      cleanup();
      reject(new Error("Cannot read reply from host: connection closed before a reply"));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new Error(`Cannot read reply from host: ${err.message}`));
    };
    const cleanup = () => {
      s.off("data", onData);
      s.off("end", onEnd);
      s.off("error", onError);
    };
    s.on("data", onData);
    s.once("end", onEnd);
    s.once("error", onError);
  });
}

/** Sends one request and returns the host's reply. */
export async function xmRequest(path: string, req: ControlRequest): Promise<ControlReply> {
  const s = await connect(path);
  try {
    s.write(JSON.stringify(req) + "\n");
    return (await readReply(s)).reply;
  } finally {
    s.destroy();
  }
}

export interface ConsoleStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: NodeJS.WritableStream;
  /** Where "attached"/"detached" notes go (stderr). */
  notes: NodeJS.WritableStream;
}

/**
 * Attaches the caller's terminal to a domain's console. Resolves when the domain goes away,
 * the host closes, or the user types Ctrl-]. Rejects with the host's error (no such domain).
 */
export async function xmConsole(path: string, domain: string, io: ConsoleStreams): Promise<void> {
  const s = await connect(path);
  s.write(JSON.stringify({ op: "console", domain } satisfies ControlRequest) + "\n");
  let first;
  try {
    first = await readReply(s);
  } catch (err) {
    s.destroy();
    throw err;
  }
  if (!first.reply.ok) {
    s.destroy();
    throw new Error(first.reply.error);
  }
  const d = first.reply.domain;
  io.notes.write(`Attached to domain ${d?.id ?? domain}${d ? ` (${d.name})` : ""}; Ctrl-] detaches.\r\n`);
  if (first.rest.length > 0) io.output.write(new Uint8Array(first.rest));
  const raw = io.input.isTTY === true && typeof io.input.setRawMode === "function";
  if (raw) io.input.setRawMode!(true);
  return new Promise<void>((resolve) => {
    let done = false;
    const finish = (why: string) => {
      if (done) return;
      done = true;
      io.input.off("data", onInput);
      if (raw) io.input.setRawMode!(false);
      io.input.pause();
      s.destroy();
      io.notes.write(`\r\n${why}\r\n`);
      resolve();
    };
    const onInput = (chunk: Buffer | string) => {
      const b = typeof chunk === "string" ? new TextEncoder().encode(chunk) : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
      const esc = b.indexOf(CONSOLE_ESCAPE);
      if (esc >= 0) {
        if (esc > 0) s.write(b.subarray(0, esc));
        finish("Detached.");
        return;
      }
      s.write(b);
    };
    s.on("data", (chunk: Buffer) => io.output.write(new Uint8Array(chunk)));
    s.on("close", () => finish("Console closed by the host (domain gone or host stopped)."));
    s.on("error", () => undefined);
    io.input.on("data", onInput);
    io.input.once("end", () => finish("Detached (end of input)."));
    io.input.resume();
  });
}
