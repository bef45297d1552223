// The development computer's splitter: routing rule (split), console scrollback, the TCP server.
export { splitFromLine, debugToLine, consoleToLine, DEBUG_BIT, type LineSplit } from "./split.js";
export { Scrollback, DEFAULT_SCROLLBACK_BYTES } from "./scrollback.js";
export {
  MuxServer,
  type MuxServerOptions,
  type MuxStats,
  DEFAULT_GDB_PORT,
  DEFAULT_CONSOLE_PORT,
  DEFAULT_LISTEN_HOST,
  DEFAULT_CLIENT_QUEUE_BYTES,
} from "./server.js";
