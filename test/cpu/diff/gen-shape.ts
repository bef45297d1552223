// What a form's operand kinds imply for encoding it (ModRM, memory, string, opcode register,
// branch, bit-offset register), computed once per form from its iced-x86 description.
import type { Form } from "./forms.js";

export interface StaticShape {
  hasModrm: boolean;
  hasMem: boolean;
  implicitMem: boolean;
  isStringOp: boolean;
  rmKind: string | undefined;
  opcodeReg: boolean;
  regOperand: boolean;
  branch: string | undefined;
  /** bt/bts/btr/btc r/m, reg: the register is a signed bit offset that moves the address. */
  bitOffsetReg: boolean;
}

const shapes = new Map<number, StaticShape>();

/** What a form's operand kinds imply for encoding, computed once per form. */
export function staticShape(form: Form): StaticShape {
  let sh = shapes.get(form.code);
  if (!sh) {
    const has = (re: RegExp): boolean => form.ops.some((o) => re.test(o));
    sh = {
      hasModrm: form.group >= 0 || has(/_or_mem$|^mem$|_reg$|^r32_rm$/),
      hasMem: has(/_or_mem$|^mem$|^mem_offs$/),
      implicitMem: has(/rDI|rSI|rBX/),
      isStringOp: has(/rDI|rSI/),
      rmKind: form.ops.find((o) => /_or_mem$|^mem$|^r32_rm$/.test(o)),
      opcodeReg: has(/_opcode$/),
      regOperand: has(/^r(8|16|32)_reg$/),
      branch: form.ops.find((o) => /^br(16|32)_[124]$/.test(o)),
      bitOffsetReg: /^(Bt|Bts|Btr|Btc)$/.test(form.mnemonic) && /^r(16|32)_reg$/.test(form.ops[1] ?? ""),
    };
    shapes.set(form.code, sh);
  }
  return sh;
}
