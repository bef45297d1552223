// generateCases() builds reproducible cases that cover every form and stay inside the layout.
import { describe, expect, it } from "vitest";
import iced from "iced-x86";
import { generateCases, generatableForms } from "./generator.js";
import { CODE_SIZE, DATA_BASE, DATA_SIZE } from "./layout.js";
import { decodeSequence, TRUNCATED_CODE } from "./undefined-masks.js";

describe("generateCases()", () => {
  it("is reproducible from its seed", () => {
    const a = generateCases({ seed: 5, count: 300 });
    const b = generateCases({ seed: 5, count: 300 });
    const c = generateCases({ seed: 6, count: 300 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("puts every generatable form into a case within two passes over the table", () => {
    const forms = generatableForms();
    const cases = generateCases({ seed: 8, count: forms.length * 2 });
    const seen = new Set(cases.flatMap((c) => c.codes));
    expect(forms.filter((f) => !seen.has(f.code)).map((f) => f.name)).toEqual([]);
  });

  it("records the iced Code of each instruction it encoded", () => {
    for (const c of generateCases({ seed: 9, count: 500 })) {
      const decoded = decodeSequence(c.code, c.codeOff)
        .filter((s) => s.code !== TRUNCATED_CODE)
        .map((s) => s.code);
      // A sequence cut at the page end loses its tail; what remains decodes as recorded.
      // An invalid (e.g. over-long) instruction ends the case; iced may split its bytes differently.
      const upTo = (codes: number[]): number[] => {
        const k = codes.indexOf(iced.Code.INVALID);
        return k < 0 ? codes : codes.slice(0, k + 1);
      };
      const want = upTo(c.codes);
      const got = upTo(decoded);
      expect(got.length).toBeLessThanOrEqual(want.length);
      expect(want.slice(0, got.length)).toEqual(got);
      expect(c.codeOff + c.code.length).toBeLessThanOrEqual(CODE_SIZE);
    }
  });

  it("patches only the scratch data pages and keeps selectors to Linux's user ones or null", () => {
    for (const c of generateCases({ seed: 10, count: 2000 })) {
      for (const p of c.patches) {
        expect(p.addr).toBeGreaterThanOrEqual(DATA_BASE);
        expect(p.addr + p.bytes.length).toBeLessThanOrEqual(DATA_BASE + DATA_SIZE);
      }
      for (const s of c.sregs) expect([0, 0x23, 0x28, 0x29, 0x2b]).toContain(s);
      expect(c.eflags & 0x100).toBe(0); // TF only through popf inside a case, never on entry
    }
  });

  it("never emits int 0x80, which would be a Linux system call natively", () => {
    for (const c of generateCases({ seed: 11, count: 3000 })) {
      for (const s of decodeSequence(c.code, c.codeOff)) {
        expect(s.code === iced.Code.Int_imm8 && s.text.endsWith("80h")).toBe(false);
      }
    }
  });
});
