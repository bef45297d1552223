// i386 ELF32 executables as the bare-mode runner needs them: PT_LOAD segments at their
// physical (multiboot) addresses and the symbol table. The parsing is the dom0 tools' ELF
// reader (src/xen/tools/elf.ts); this only picks out what a bare-metal loader uses.
import { parseElf, PT_LOAD, symbolTable } from "../../src/xen/tools/elf.js";

export interface LoadSegment {
  offset: number;
  paddr: number;
  filesz: number;
  memsz: number;
}

export interface Elf32Image {
  entry: number;
  loads: LoadSegment[];
  symbols: Map<string, number>;
  bytes: Uint8Array;
}

export function parseElf32(bytes: Uint8Array, name: string): Elf32Image {
  const image = parseElf(bytes, name);
  const loads = image.programHeaders
    .filter((p) => p.type === PT_LOAD)
    .map((p) => ({ offset: p.offset, paddr: p.paddr, filesz: p.filesz, memsz: p.memsz }));
  return { entry: image.entry, loads, symbols: symbolTable(image), bytes };
}
