// buildReference() and staleRulings(): how the peer test turns two peers' lines and the SDM
// rulings into the reference our CPU must print.
import { describe, expect, it } from "vitest";
import { buildReference, checkName, staleRulings } from "./peers/reference.js";

describe("buildReference()", () => {
  it("takes lines both peers print as they are", () => {
    const ref = buildReference("segments", ["BEGIN x", "a: ok", "END"], ["BEGIN x", "a: ok", "END"]);
    expect(ref.lines).toEqual(["BEGIN x", "a: ok", "END"]);
    expect(ref.disagreements).toEqual([]);
  });

  it("takes a disputed line from the peer the ruling names", () => {
    const ref = buildReference("segments", ["ltr.null: ok"], ["ltr.null: #GP(0000)"]);
    expect(ref.lines).toEqual(["ltr.null: #GP(0000)"]);
    expect(ref.disagreements[0].ruling?.right).toBe("bochs");
  });

  it("leaves a disputed line without a ruling unruled", () => {
    const ref = buildReference("segments", ["made.up: 1"], ["made.up: 2"]);
    expect(ref.disagreements).toHaveLength(1);
    expect(ref.disagreements[0].ruling).toBeUndefined();
  });

  it("refuses peers that ran different checks", () => {
    expect(() => buildReference("rings", ["a: ok"], ["b: ok"])).toThrow(/ran different checks/);
  });
});

describe("staleRulings()", () => {
  it("lists the kernel's rulings no disagreement used", () => {
    const ref = buildReference("segments", ["ltr.null: ok"], ["ltr.null: #GP(0000)"]);
    const stale = staleRulings("segments", ref);
    expect(stale.length).toBeGreaterThan(0);
    expect(stale.some((r) => r.checks.test("ltr.null"))).toBe(false);
  });
});

describe("checkName()", () => {
  it("is the text before the first colon-space", () => {
    expect(checkName("cs.fetch_past_limit: #GP(0000) eip=1000")).toBe("cs.fetch_past_limit");
    expect(checkName("END")).toBe("END");
  });
});
