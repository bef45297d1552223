// The built MINIX kernel (build/minix/kernel.elf), disassembled with binutils' objdump: every
// hypercall goes through one routine (report 6.2: xen_op's `int $0x82`), the entry's set_gdt
// included; ring-2 tasks reach Xen only through the proxy interrupt.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";

/** Instruction lines matching `pattern`, each with the function it lies in. */
function sitesOf(elf: string, pattern: RegExp): Array<{ fn: string; line: string }> {
  const out = execFileSync("objdump", ["-d", "--no-show-raw-insn", elf], { encoding: "utf8", maxBuffer: 64 << 20 });
  let fn = "";
  const sites: Array<{ fn: string; line: string }> = [];
  for (const line of out.split("\n")) {
    const head = /^[0-9a-f]+ <([^>]+)>:$/.exec(line);
    if (head) fn = head[1];
    else if (pattern.test(line)) sites.push({ fn, line: line.trim() });
  }
  return sites;
}

describe("the MINIX kernel's hypercalls", () => {
  it("are made by one int $0x82, in xen_op", () => {
    const sites = sitesOf("build/minix/kernel.elf", /\tint\s+\$0x82$/);
    expect(sites.map((s) => s.fn)).toEqual(["xen_op"]);
  });

  it("reach Xen from ring 2 only through the proxy interrupt, and never from a ring-3 program", () => {
    expect(sitesOf("build/minix/kernel.elf", /\tint\s+\$0x22$/).map((s) => s.fn)).toEqual(["xen_proxy_int"]);
    for (const elf of ["tty", "pm", "boottest"]) expect(sitesOf(`build/minix/${elf}.elf`, /\tint\s+\$0x82$/), elf).toEqual([]);
  });
});
