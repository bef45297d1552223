// The CPU test kernels (test/cpu/kernels) run under qemu-system-i386, Bochs and our CPU in
// bare mode. The lines both peers print are the reference; where the peers differ, the Intel
// SDM ruling in peers/rulings.ts picks the right one. Our CPU must print the reference exactly.
// Each kernel is built by `npm run build`; every run starts from the built files afresh.
import { beforeAll, describe, expect, it } from "vitest";
import { bochsLines, qemuLines } from "./peers/peer-kernels.js";
import { runOnOurCpu } from "./peers/bare.js";
import { buildReference, staleRulings, type Reference } from "./peers/reference.js";

const KERNELS = ["segments", "rings", "paging", "idt", "iopl", "hot", "v86"];
const OUT = "build/cpu/kernels";

describe.each(KERNELS)("test kernel %s", (kernel) => {
  let qemu: string[] = [];
  let bochs: string[] = [];
  let ref: Reference;

  beforeAll(async () => {
    [qemu, bochs] = await Promise.all([
      qemuLines(`${OUT}/${kernel}.elf`, kernel),
      bochsLines(`${OUT}/${kernel}.img`, kernel),
    ]);
    ref = buildReference(kernel, qemu, bochs);
  }, 60_000);

  it("runs to the end under both peers with the same checks", () => {
    expect(qemu[0]).toBe("BEGIN magic=2badb002");
    expect(bochs[0]).toBe("BEGIN magic=2badb002");
    expect(qemu.length).toBeGreaterThan(10);
    expect(qemu.map((l) => l.split(": ")[0])).toEqual(bochs.map((l) => l.split(": ")[0]));
  });

  it("has an Intel SDM ruling for every line the peers print differently", () => {
    const unruled = ref.disagreements.filter((d) => d.ruling === undefined)
      .map((d) => `${d.check}\n  qemu:  ${d.qemu}\n  bochs: ${d.bochs}`);
    expect(unruled, "peer disagreements without a ruling in test/cpu/peers/rulings.ts").toEqual([]);
    const stale = staleRulings(kernel, ref).map((r) => String(r.checks));
    expect(stale, "rulings that match no disagreement any more").toEqual([]);
  });

  // The CPU's default, then its interpreter alone, then its block compiler on every block.
  it.each([
    ["default", undefined],
    ["interpreter only", -1],
    ["every block compiled", 0],
  ])("prints the reference lines on our CPU in bare mode (%s)", (_how, threshold) => {
    const ours = runOnOurCpu(`${OUT}/${kernel}.elf`, kernel, threshold);
    // line by line, so a failure names the check
    const diff = ref.lines.flatMap((line, i) => (ours[i] === line ? [] : [`reference: ${line}\nours:      ${ours[i] ?? "(missing)"}`]));
    expect(diff).toEqual([]);
    expect(ours.length).toBe(ref.lines.length);
  });
});
