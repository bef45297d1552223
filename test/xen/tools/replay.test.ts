// Deterministic time plus a console input script: the hello guest's console is byte-identical
// run after run, typed input and echo included.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createSerialPair } from "../../../src/emu/serial/index.js";
import { startTestingComputer } from "../../../src/xen/tools/testing-computer.js";

async function runOnce(script: string): Promise<string> {
  const pair = createSerialPair();
  let text = "";
  pair.development.setReceiver((c) => (text += c.toString("latin1")));
  const tc = await startTestingComputer(pair.testing, {
    baud: 0, configs: [resolve("configs/hello.cfg")], controlPath: null, timeMode: "deterministic", inputScript: script,
  });
  const t0 = Date.now();
  // The guest prints nothing after both of these, so the run has a definite end.
  while (!(text.includes("second\r") && text.includes("hello: 5 timer ticks\n")) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
  await tc.stop();
  await Promise.all([pair.testing.close(), pair.development.close()]);
  return text;
}

describe("deterministic replay", () => {
  it("gives byte-identical console output for the same input script", async () => {
    const script = join(mkdtempSync(join(tmpdir(), "replay-")), "input.txt");
    writeFileSync(script, "expect hello: ready\nsend first\\r\nexpect first\\r\nsend second\\r\n");
    const a = await runOnce(script);
    const b = await runOnce(script);
    expect(a).toContain("hello: ready\n");
    expect(a.slice(a.indexOf("hello: ready"))).toMatch(/first\r[\s\S]*second\r/);
    expect(b).toBe(a);
  });
});
