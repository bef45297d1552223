// The kernel's event handling (src/minix/guest/kernel/evtchn.c) run natively, with a shared_info
// page mapped at its fixed VA and Xen 2.0's "make a port pending" steps played by the harness:
// an event raised while its port is masked is delivered exactly once after the port is unmasked.
import { beforeAll, describe, expect, it } from "vitest";
import { GUEST, runKernelHarness } from "./native-kernel.js";

const G = GUEST;
let out: Map<string, string>;

beforeAll(() => {
  const text = runKernelHarness("evtchn", [{ path: "test/minix/fixtures/evtchn-harness.c", flags: ["-Wno-unused-parameter"] }, `${G}/kernel/evtchn.c`]);
  out = new Map(text.trim().split("\n").map((l) => [l.split(" ")[0], l.split(" ").slice(1).join(" ")]));
});

describe("evtchn.c", () => {
  it("keeps a freshly bound port masked until its irq is enabled", () => {
    expect(out.get("masked-after-bind")).toBe("1");
  });

  it("leaves an event raised on a masked port pending, without an upcall or a handler call", () => {
    expect(out.get("raised-while-masked")).toBe("pending 1 upcall 0");
    expect(out.get("callback-while-masked")).toBe("handled 0");
  });

  it("makes the waiting event visible on unmask and runs its handler exactly once", () => {
    expect(out.get("unmasked")).toBe("upcall 1 sel 1");
    expect(out.get("callback-after-unmask")).toBe("handled 1 pending 0");
    expect(out.get("second-callback")).toBe("handled 1");
    expect(out.get("raised-unmasked")).toBe("handled 2");
  });
});
