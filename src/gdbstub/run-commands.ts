// Execution-control packets: vCont (c, C, s, S, r) and the legacy c/C/s/S, detach (D, D;pid),
// kill (k, vKill). The host is all-stop: a resume moves everyone, a step one vcpu.
import { parseHex32 } from "./hex.js";
import { parseThreadId, type ThreadSelector } from "./thread-id.js";
import type { ResumeRequest, VcpuRef } from "./target.js";
import {
  NO_REPLY,
  OK,
  Refusal,
  expectEmpty,
  findVcpu,
  generalVcpu,
  refusedText,
  splitOnce,
  type Handler,
  type StubState,
} from "./command-state.js";

export const vContQuery: Handler = (args) => {
  expectEmpty(args);
  return "vCont;c;C;s;S;r";
};

/** The vcpu a legacy `s`/`c` or a thread-less vCont action means: Hc, else Hg (gdb-rsp.md 3.2). */
function stepTarget(state: StubState, sel: ThreadSelector | null): VcpuRef {
  if (sel !== null && sel.tid > 0) {
    const v = findVcpu(state, sel);
    if (v === null) throw new Refusal("Cannot step: no such thread");
    return v;
  }
  return generalVcpu(state);
}

function parseSignal(text: string): void {
  // Signals mean nothing to a virtual machine (QEMU ignores them too); they are only validated.
  if (!/^[0-9a-fA-F]{2}$/.test(text)) throw new SyntaxError(`Cannot parse signal "${text.slice(0, 8)}"`);
}

export const vCont: Handler = (args, state) => {
  if (!args.startsWith(";")) throw new SyntaxError("Cannot parse vCont: no actions");
  let request: ResumeRequest | null = null;
  let anyContinue = false;
  for (const action of args.slice(1).split(";")) {
    const colon = action.indexOf(":");
    const verb = colon < 0 ? action : action.slice(0, colon);
    const sel = colon < 0 ? null : parseThreadId(action.slice(colon + 1));
    const op = verb[0];
    if (op === "c" || op === "C") {
      if (op === "C") parseSignal(verb.slice(1));
      else expectEmpty(verb.slice(1));
      anyContinue = true;
    } else if (op === "s" || op === "S") {
      if (op === "S") parseSignal(verb.slice(1));
      else expectEmpty(verb.slice(1));
      request ??= { kind: "step", vcpu: stepTarget(state, sel) };
    } else if (op === "r") {
      const [start, end] = splitOnce(verb.slice(1), ",").map(parseHex32);
      request ??= { kind: "step", vcpu: stepTarget(state, sel), range: { start, end } };
    } else {
      throw new SyntaxError(`Cannot parse vCont action "${verb.slice(0, 8)}"`);
    }
  }
  if (request === null && !anyContinue) throw new SyntaxError("Cannot parse vCont: no actions");
  state.resume(request ?? { kind: "continue" });
  return NO_REPLY;
};

/** Legacy `c [addr]` and `s [addr]`; `C sig[;addr]` and `S sig[;addr]`. */
export function legacyResume(step: boolean, withSignal: boolean): Handler {
  return (args, state) => {
    let addressText = args;
    if (withSignal) {
      const [sig, rest] = args.includes(";") ? splitOnce(args, ";") : [args, ""];
      parseSignal(sig);
      addressText = rest;
    }
    const vcpu = step ? stepTarget(state, state.continueThread) : generalVcpu(state);
    if (addressText.length > 0) {
      const result = state.writeRegisterOf(vcpu, "eip", parseHex32(addressText));
      if (!result.ok) return refusedText(result.message);
    }
    state.resume(step ? { kind: "step", vcpu } : { kind: "continue" });
    return NO_REPLY;
  };
}

export const detach: Handler = (args, state) => {
  if (args.length === 0) {
    state.requestDetach(null);
    return OK;
  }
  if (!args.startsWith(";")) throw new SyntaxError("Cannot parse D packet");
  state.requestDetach(parseHex32(args.slice(1)));
  return OK;
};

/** `k`: the host is never killed from gdb; it is treated as a detach (gdb does not wait for a reply). */
export const kill: Handler = (_args, state) => {
  state.requestDetach(null);
  return NO_REPLY;
};

export const vKill: Handler = (args, state) => {
  if (!args.startsWith(";")) throw new SyntaxError("Cannot parse vKill packet");
  state.requestDetach(parseHex32(args.slice(1)));
  return OK;
};
