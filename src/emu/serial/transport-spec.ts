// The names of serial-line transports on the command line:
//   tcp:HOST:PORT        connect to a peer listening on TCP
//   tcp-listen:PORT      listen on 127.0.0.1:PORT (or tcp-listen:HOST:PORT); port 0 = any free
//   unix:PATH            connect to a peer listening on a Unix socket
//   unix-listen:PATH     listen on a Unix socket
//   /dev/ttyS0, /dev/pts/3, ./my-pty   a tty device (a real serial port or a pty), set raw

export type TransportSpec =
  | { readonly kind: "tcp"; readonly host: string; readonly port: number }
  | { readonly kind: "tcp-listen"; readonly host: string; readonly port: number }
  | { readonly kind: "unix"; readonly path: string }
  | { readonly kind: "unix-listen"; readonly path: string }
  | { readonly kind: "tty"; readonly path: string };

export const TRANSPORT_HELP = `tcp:HOST:PORT | tcp-listen:[HOST:]PORT | unix:PATH | unix-listen:PATH | /dev/TTY`;

function fail(text: string, why: string): never {
  throw new TypeError(`Cannot use serial transport "${text}": ${why}; expected ${TRANSPORT_HELP}`);
}

function parsePort(text: string, portText: string, allowZero: boolean): number {
  if (!/^\d{1,5}$/.test(portText)) fail(text, `port "${portText}" is not a number`);
  const port = Number(portText);
  if (port > 65535 || (!allowZero && port === 0)) fail(text, `port ${port} is out of range`);
  return port;
}

/** Splits "HOST:PORT", accepting a bracketed IPv6 host such as "[::1]:5555". */
function splitHostPort(text: string, rest: string): [string, string] {
  const colon = rest.lastIndexOf(":");
  if (colon <= 0) fail(text, "HOST:PORT expected");
  let host = rest.slice(0, colon);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return [host, rest.slice(colon + 1)];
}

export function parseTransport(text: string): TransportSpec {
  if (text.startsWith("/") || text.startsWith("./") || text.startsWith("../")) {
    return { kind: "tty", path: text };
  }
  const colon = text.indexOf(":");
  if (colon < 0) fail(text, "no transport kind");
  const kind = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  switch (kind) {
    case "tcp": {
      const [host, port] = splitHostPort(text, rest);
      return { kind, host, port: parsePort(text, port, false) };
    }
    case "tcp-listen": {
      if (!rest.includes(":")) return { kind, host: "127.0.0.1", port: parsePort(text, rest, true) };
      const [host, port] = splitHostPort(text, rest);
      return { kind, host, port: parsePort(text, port, true) };
    }
    case "unix":
    case "unix-listen":
      if (rest === "") fail(text, "no socket path");
      return { kind, path: rest };
    default:
      return fail(text, `unknown kind "${kind}"`);
  }
}

/** The canonical text of a spec (what `parseTransport` reads back to the same spec). */
export function formatTransport(spec: TransportSpec): string {
  const host = (h: string) => (h.includes(":") ? `[${h}]` : h);
  switch (spec.kind) {
    case "tcp":
    case "tcp-listen":
      return `${spec.kind}:${host(spec.host)}:${spec.port}`;
    case "unix":
    case "unix-listen":
      return `${spec.kind}:${spec.path}`;
    case "tty":
      return spec.path;
  }
}
