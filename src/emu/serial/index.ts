// The serial line between the two computers: one interface (SerialLineEnd), an in-process
// pair, and transports named on the command line.
export {
  type SerialLineEnd,
  type SerialLineStats,
  type LineReceiver,
  type Bytes,
  type LineEndOptions,
  DEFAULT_LINE_BUFFER_BYTES,
  checkBaud,
} from "./line-end.js";
export { createSerialPair, type SerialPair } from "./pair.js";
export { openSerialTransport, TransportLineEnd, type TransportOptions } from "./open-transport.js";
export { parseTransport, formatTransport, TRANSPORT_HELP, type TransportSpec } from "./transport-spec.js";
export { type LineClock, wallClock, bytesInTime, timeForBytes, BITS_PER_FRAME } from "./baud-pacer.js";
export { concatBytes, copyBytes, asUint8Array, countHighBytes, withHighBit, withoutHighBit, withoutHighBitIfAllHigh } from "./bytes.js";
