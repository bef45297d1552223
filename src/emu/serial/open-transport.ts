// Opens a serial-line end on a named transport (see transport-spec.ts). Connecting ends keep
// retrying while the peer is absent; listening ends take one peer at a time; a tty is set to
// raw mode with stty so no byte is translated. Meanwhile the line discards and counts sends.
import { spawnSync } from "node:child_process";
import { constants as fsc, existsSync, lstatSync, openSync, closeSync, unlinkSync } from "node:fs";
import net from "node:net";
import tty from "node:tty";
import createDebug from "debug";
import type { LineEndOptions } from "./line-end.js";
import { StreamLineEnd } from "./stream-end.js";
import { formatTransport, parseTransport, type TransportSpec } from "./transport-spec.js";

const log = createDebug("emu:serial");

export interface TransportOptions extends LineEndOptions {
  /** Milliseconds between connection attempts of tcp:/unix: ends (default 200). */
  retryMs?: number;
}

/** A line end on a named transport; `address` says where it is attached. */
export class TransportLineEnd extends StreamLineEnd {
  constructor(
    description: string,
    lossless: boolean,
    options: LineEndOptions,
    onClose: () => Promise<void>,
    private readonly addressOf: () => string = () => description,
  ) {
    super(description, lossless, options, onClose);
  }

  /** The address in use: for listeners the bound one (tcp-listen:127.0.0.1:PORT with the real port). */
  get address(): string {
    return this.addressOf();
  }
}

/** Opens a line end; resolves once listeners are bound (connecting ends connect in the background). */
export async function openSerialTransport(
  transport: TransportSpec | string,
  options: TransportOptions = {},
): Promise<TransportLineEnd> {
  const spec = typeof transport === "string" ? parseTransport(transport) : transport;
  switch (spec.kind) {
    case "tcp":
    case "unix":
      return openConnecting(spec, options);
    case "tcp-listen":
    case "unix-listen":
      return openListening(spec, options);
    case "tty":
      return openTty(spec.path, options);
  }
}

function openConnecting(spec: TransportSpec & { kind: "tcp" | "unix" }, options: TransportOptions): TransportLineEnd {
  const retryMs = options.retryMs ?? 200;
  const text = formatTransport(spec);
  let stopped = false;
  let socket: net.Socket | null = null;
  let retry: NodeJS.Timeout | null = null;
  let lastError = "";
  const end = new TransportLineEnd(text, true, options, async () => {
    stopped = true;
    if (retry !== null) clearTimeout(retry);
    socket?.destroy();
  });
  const connect = (): void => {
    retry = null;
    const s = spec.kind === "tcp" ? net.connect(spec.port, spec.host) : net.connect(spec.path);
    socket = s;
    s.once("connect", () => {
      if (spec.kind === "tcp") s.setNoDelay(true);
      lastError = "";
      log("%s: connected", text);
      end.attach(s, s);
    });
    s.on("error", (err: NodeJS.ErrnoException) => {
      // Report each kind of failure once, not every retry.
      if (err.code !== lastError) log("%s: %s", text, err.message);
      lastError = err.code ?? err.message;
    });
    s.once("close", () => {
      if (socket === s) socket = null;
      if (end.attachedInput === s) end.detach();
      if (!stopped) retry = setTimeout(connect, retryMs);
    });
  };
  connect();
  return end;
}

async function openListening(
  spec: TransportSpec & { kind: "tcp-listen" | "unix-listen" },
  options: TransportOptions,
): Promise<TransportLineEnd> {
  let current: net.Socket | null = null;
  const server = net.createServer();
  const end = new TransportLineEnd(
    formatTransport(spec),
    true,
    options,
    async () => {
      current?.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    () => {
      const a = server.address();
      if (a === null || typeof a === "string" || spec.kind === "unix-listen") return formatTransport(spec);
      return formatTransport({ kind: "tcp-listen", host: a.address, port: a.port });
    },
  );
  server.on("connection", (s) => {
    if (current !== null) {
      // A cable has two ends: a second peer is turned away and the first keeps the line.
      log("%s: refused a second peer", end.description);
      s.destroy();
      return;
    }
    current = s;
    if (spec.kind === "tcp-listen") s.setNoDelay(true);
    s.on("error", (err) => log("%s: peer error: %s", end.description, err.message));
    s.once("close", () => {
      if (current === s) current = null;
      if (end.attachedInput === s) end.detach();
    });
    end.attach(s, s);
  });
  if (spec.kind === "unix-listen") await removeStaleSocket(spec.path);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) =>
      reject(new Error(`Cannot listen for the serial line on "${formatTransport(spec)}": ${err.message}`)),
    );
    if (spec.kind === "tcp-listen") server.listen(spec.port, spec.host, () => resolve());
    else server.listen(spec.path, () => resolve());
  });
  server.on("error", (err) => log("%s: %s", end.description, err.message));
  return end;
}

/** A socket file left by a process that died is removed; a live one is left for listen() to refuse. */
async function removeStaleSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  if (!lstatSync(path).isSocket()) {
    throw new Error(`Cannot listen for the serial line on "unix-listen:${path}": the path exists and is not a socket`);
  }
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
  if (!live) unlinkSync(path);
}

function openTty(path: string, options: TransportOptions): TransportLineEnd {
  let readFd: number;
  try {
    readFd = openSync(path, fsc.O_RDWR | fsc.O_NOCTTY);
  } catch (err) {
    throw new Error(`Cannot open serial device "${path}": ${(err as Error).message}`);
  }
  if (!tty.isatty(readFd)) {
    closeSync(readFd);
    throw new Error(`Cannot open serial device "${path}": not a terminal device`);
  }
  // Raw: no echo, no line editing, no signal characters, no CR/NL translation, 8 bits.
  const baud = options.baud ?? 0;
  const stty = spawnSync("stty", ["-F", path, "raw", "-echo", "-ixon", "-ixoff", "cs8", ...(baud > 0 ? [String(baud)] : [])], {
    encoding: "utf8",
  });
  if (stty.status !== 0) {
    closeSync(readFd);
    const why = stty.error?.message ?? stty.stderr.trim();
    throw new Error(`Cannot set serial device "${path}" to raw mode: stty failed: ${why}`);
  }
  const writeFd = openSync(path, fsc.O_WRONLY | fsc.O_NOCTTY);
  const input = new tty.ReadStream(readFd);
  const output = new tty.WriteStream(writeFd);
  const end = new TransportLineEnd(path, false, options, async () => {
    input.destroy();
    output.destroy();
  });
  const gone = (err?: Error): void => {
    if (err) log("%s: %s", path, err.message);
    end.detach();
  };
  input.on("error", gone);
  output.on("error", gone);
  input.on("end", () => gone());
  end.attach(input, output);
  return end;
}
