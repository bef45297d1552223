// Data packets: registers (g, G, p, P) in the stub's layout, memory (m, M; X refused so the
// line stays 7-bit clean) and breakpoints and watchpoints (Z0-Z4, z0-z4), all on the Hg thread.
import { hexToBytes, hexToRegister, parseHex32, registerToHex } from "./hex.js";
import { CORE_BLOCK_BYTES, CORE_REGISTERS, registerByNumber } from "./registers.js";
import type { Breakpoint, BreakpointType } from "./target.js";
import {
  EMPTY,
  E_FAULT,
  HexReply,
  E_MALFORMED,
  OK,
  expectEmpty,
  generalVcpu,
  parseAddressLength,
  refusedText,
  resultReply,
  splitOnce,
  type Handler,
  type StubState,
} from "./command-state.js";

// ---- registers ----

export const readAllRegisters: Handler = (args, state) => {
  expectEmpty(args);
  const regs = state.registersOf(generalVcpu(state));
  return CORE_REGISTERS.map((r) => registerToHex(regs.get(r.name), r.bits)).join("");
};

export const writeAllRegisters: Handler = (args, state) => {
  if (args.length !== CORE_BLOCK_BYTES * 2) {
    throw new SyntaxError(`Cannot parse G packet: expected ${CORE_BLOCK_BYTES * 2} hex digits`);
  }
  const vcpu = generalVcpu(state);
  const values = [];
  let at = 0;
  for (const r of CORE_REGISTERS) {
    values.push({ name: r.name, value: hexToRegister(args.slice(at, at + r.bits / 4), r.bits) });
    at += r.bits / 4;
  }
  for (const { name, value } of values) {
    if (value === undefined) continue;
    const result = state.writeRegisterOf(vcpu, name, value);
    if (!result.ok) return refusedText(result.message);
  }
  return OK;
};

export const readRegister: Handler = (args, state) => {
  const info = registerByNumber(parseHex32(args));
  // "x" means unavailable whatever the size gdb expects; an empty reply would tell gdb that
  // `p` is unsupported altogether.
  if (info === undefined) return "xx";
  const value = state.registersOf(generalVcpu(state)).get(info.name);
  return registerToHex(value, info.bits);
};

export const writeRegister: Handler = (args, state) => {
  const [num, hex] = splitOnce(args, "=");
  const info = registerByNumber(parseHex32(num));
  if (info === undefined) return E_MALFORMED;
  const value = hexToRegister(hex, info.bits);
  if (value === undefined) return OK;
  return resultReply(state.writeRegisterOf(generalVcpu(state), info.name, value));
};

// ---- memory ----

export const readMemory: Handler = (args, state) => {
  const [address, requested] = parseAddressLength(args);
  // A reply may be short (RSP allows it), so cap hostile lengths rather than refuse them.
  const length = Math.min(requested, state.packetSize, 0x1_0000_0000 - address);
  if (length === 0) return EMPTY;
  const data = state.target.readMemory(generalVcpu(state), state.space, address, length);
  if (data.length === 0) return E_FAULT;
  return new HexReply(data.subarray(0, length));
};

export const writeMemory: Handler = (args, state) => {
  const [head, hex] = splitOnce(args, ":");
  const [address, length] = parseAddressLength(head);
  if (hex.length !== length * 2) throw new SyntaxError("Cannot parse M packet: length does not match the data");
  if (length === 0) return OK;
  if (address + length > 0x1_0000_0000) return E_FAULT;
  const data = hexToBytes(hex);
  return resultReply(state.target.writeMemory(generalVcpu(state), state.space, address, data));
};

/** `X` (binary write) would carry 8-bit bytes over the 7-bit line: the empty reply makes gdb use `M`. */
export const binaryWrite: Handler = () => EMPTY;

// ---- breakpoints and watchpoints ----

export const Z_TYPES: BreakpointType[] = ["software", "hardware", "write", "read", "access"];

function parseBreakpoint(args: string, type: BreakpointType, state: StubState): Breakpoint {
  // args: ",addr,kind" with optional ";cond..." we never asked for.
  const body = args.split(";")[0];
  if (!body.startsWith(",")) throw new SyntaxError("Cannot parse breakpoint: missing ','");
  const [address, length] = parseAddressLength(body.slice(1));
  if (length === 0 || length > 0x1000) throw new RangeError(`Cannot set breakpoint: length ${length} is outside 1..4096`);
  return { type, domain: generalVcpu(state).domain, address, length };
}

export function insertPoint(type: BreakpointType): Handler {
  return (args, state) => {
    const bp = parseBreakpoint(args, type, state);
    const result = state.target.insertBreakpoint(bp);
    if (result.ok) state.breakpoints.push(bp);
    return resultReply(result);
  };
}

export function removePoint(type: BreakpointType): Handler {
  return (args, state) => {
    const bp = parseBreakpoint(args, type, state);
    const i = state.breakpoints.findIndex(
      (b) => b.type === bp.type && b.domain === bp.domain && b.address === bp.address && b.length === bp.length,
    );
    if (i >= 0) state.breakpoints.splice(i, 1);
    return resultReply(state.target.removeBreakpoint(bp));
  };
}
