// The dom0 tools' ELF reader: program headers with both addresses, and the symbol table.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseElf, PT_LOAD, symbolTable } from "../../../src/xen/tools/elf.js";

describe("parseElf()", () => {
  const bytes = new Uint8Array(readFileSync("build/toolchain/hello32"));

  it("reads the entry point and the loadable segments of an i386 executable", () => {
    const image = parseElf(bytes, "hello32");
    const loads = image.programHeaders.filter((p) => p.type === PT_LOAD);
    expect(loads.length).toBeGreaterThan(0);
    expect(loads.some((p) => image.entry >= p.vaddr && image.entry < p.vaddr + p.memsz)).toBe(true);
    for (const p of loads) expect(p.paddr).toBe(p.vaddr); // ld's default for a static executable
  });

  it("symbolTable() finds the linked symbols, with _start at the entry point", () => {
    const image = parseElf(bytes, "hello32");
    const symbols = symbolTable(image);
    expect(symbols.get("_start")).toBe(image.entry);
    expect(symbols.has("msg")).toBe(true);
  });

  it("rejects a file that is not ELF with the file named", () => {
    expect(() => parseElf(new Uint8Array(64), "junk.bin")).toThrow(/Cannot read ELF image "junk.bin": no ELF magic/);
  });
});
