// `minix-on-xen console`: a raw terminal on the splitter's console port, what
// `stty raw -echo; nc localhost 4445` gives: no local echo, no line editing, Ctrl-C and Ctrl-A
// go to the guest. The escape Ctrl-] then q quits.
import { spawnSync } from "node:child_process";
import net from "node:net";
import { asUint8Array } from "../emu/serial/index.js";
import { ConsoleEscape, ESCAPE_HELP } from "../serial-mux/console-escape.js";
import { parseCommandArgs } from "./args.js";

const help = `Usage: minix-on-xen console [--port PORT] [--host HOST]

Attaches this terminal to the serial console served by 'minix-on-xen run' or 'mux'.
The terminal is put in raw mode: every key, Ctrl-C and Ctrl-A included, goes to the guest.
Escape: ${ESCAPE_HELP}.

  --port PORT   console port (default 4445)
  --host HOST   console host (default 127.0.0.1)
  -h, --help    this text`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(argv, { port: { type: "string" }, host: { type: "string" } }, help);
  if (parsed === null) return 0;
  const host = parsed.values.host ?? "127.0.0.1";
  const portText = parsed.values.port ?? "4445";
  if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    throw new RangeError(`Cannot use --port "${portText}": expected an integer from 1 to 65535`);
  }
  const port = Number(portText);

  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect(port, host);
    s.once("connect", () => resolve(s));
    s.once("error", (err) =>
      reject(new Error(`Cannot connect to the console at ${host}:${port}: ${err.message} (is 'minix-on-xen run' or 'mux' running?)`)),
    );
  });
  socket.setNoDelay(true);
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  if (raw) {
    stdin.setRawMode(true);
    // node's raw mode keeps output post-processing (NL -> CR NL); `stty raw` does not, and the
    // guest's bytes should reach the terminal as sent. setRawMode(false) restores it.
    spawnSync("stty", ["-opost"], { stdio: ["inherit", "ignore", "ignore"] });
  }
  process.stderr.write(`Connected to the console at ${host}:${port}. ${ESCAPE_HELP}.\r\n`);

  const escape = new ConsoleEscape();
  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (why: string) => {
      if (done) return;
      done = true;
      if (raw) stdin.setRawMode(false);
      stdin.destroy(); // a paused pipe would keep the process alive
      stdin.off("data", onKeys);
      socket.destroy();
      process.stderr.write(`\r\n${why}\r\n`);
      resolve(0);
    };
    const onKeys = (chunk: Buffer) => {
      const { send, quit } = escape.feed(chunk);
      if (send.length > 0) socket.write(asUint8Array(send));
      if (quit) finish("Console closed.");
    };
    stdin.on("data", onKeys);
    stdin.resume();
    socket.on("data", (chunk: Buffer) => process.stdout.write(asUint8Array(chunk)));
    socket.on("error", () => {});
    socket.on("close", () => finish("Connection closed by the splitter."));
  });
}
