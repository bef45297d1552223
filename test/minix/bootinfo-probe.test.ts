// The builder (src/minix/builder.ts) and the kernel (include/minix/bootinfo.h) agree on the
// start information and GDT slots: a gcc -m32 probe prints the C side's offsets and numbers.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BOOT_GDT_ENTRIES,
  KERNEL_CS_INDEX,
  KERNEL_DS_INDEX,
  MINIX_START_INFO,
  NR_GDT_FRAMES,
  SHARED_INFO_VA,
} from "../../src/minix/builder.js";
import { PROCESS_MAX } from "../../src/minix/image.js";

const C_EXPRESSIONS: Record<string, string> = {
  msi_vaddr: "offsetof(minix_start_info_t, setup_info.msi_vaddr)",
  fmem_vaddr: "offsetof(minix_start_info_t, setup_info.fmem_vaddr)",
  gdt_vaddr: "offsetof(minix_start_info_t, setup_info.gdt_vaddr)",
  gdt_mfns: "offsetof(minix_start_info_t, setup_info.gdt_mfns)",
  nr_procs: "offsetof(minix_start_info_t, setup_info.nr_procs)",
  processes: "offsetof(minix_start_info_t, setup_info.processes)",
  PROCESS_SIZE: "sizeof(process_t)",
  procheaders: "offsetof(minix_start_info_t, setup_info.procheaders)",
  PROCHEADER_SIZE: "sizeof(image_header_t)",
  shared_info: "offsetof(minix_start_info_t, shared_info)",
  SIZE: "sizeof(minix_start_info_t)",
  MSI_GDT_MFNS: "MSI_GDT_MFNS",
  MSI_SIZE: "MSI_SIZE",
  a_syms: "offsetof(image_header_t, a_syms)",
  PROCESS_MAX: "PROCESS_MAX",
  NR_GDT_MF: "NR_GDT_MF",
  BOOT_GDT_ENTRIES: "BOOT_GDT_ENTRIES",
  SHARED_INFO_VA: "SHARED_INFO_VA",
  KERNEL_CS_INDEX: "KERNEL_CS_INDEX",
  KERNEL_DS_INDEX: "KERNEL_DS_INDEX",
};

function probe(): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), "bootinfo-"));
  try {
    const lines = Object.entries(C_EXPRESSIONS).map(([k, e]) => `  printf("${k} %lu\\n", (unsigned long)(${e}));`);
    const src = [
      "#include <stdio.h>",
      "#include <stddef.h>",
      '#include "xen/xen.h"',
      '#include "minix/types.h"',
      '#include "minix/bootinfo.h"',
      "int main(void) {",
      ...lines,
      "  return 0;",
      "}",
    ].join("\n");
    writeFileSync(join(dir, "probe.c"), src);
    execFileSync("gcc", ["-m32", "-Wall", "-Werror", "-iquote", "src/minix/guest/include", join(dir, "probe.c"), "-o", join(dir, "probe")]);
    const out = execFileSync(join(dir, "probe"), { encoding: "utf8" });
    return Object.fromEntries(out.trim().split("\n").map((l) => [l.split(" ")[0], Number(l.split(" ")[1])]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("MINIX start information", () => {
  const c = probe();

  it("has the same layout in the builder and in bootinfo.h", () => {
    for (const key of Object.keys(MINIX_START_INFO) as (keyof typeof MINIX_START_INFO)[]) {
      expect([key, c[key]]).toEqual([key, MINIX_START_INFO[key]]);
    }
    expect(c.MSI_GDT_MFNS).toBe(MINIX_START_INFO.gdt_mfns);
    expect(c.MSI_SIZE).toBe(MINIX_START_INFO.SIZE);
    expect(c.a_syms).toBe(64 + 28);
  });

  it("has the same numbers on both sides", () => {
    expect(c.PROCESS_MAX).toBe(PROCESS_MAX);
    expect(c.NR_GDT_MF).toBe(NR_GDT_FRAMES);
    expect(c.BOOT_GDT_ENTRIES).toBe(BOOT_GDT_ENTRIES);
    expect(c.SHARED_INFO_VA).toBe(SHARED_INFO_VA);
    expect(c.KERNEL_CS_INDEX).toBe(KERNEL_CS_INDEX);
    expect(c.KERNEL_DS_INDEX).toBe(KERNEL_DS_INDEX);
  });
});
