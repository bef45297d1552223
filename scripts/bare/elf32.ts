// Reading i386 ELF32 executables for the bare-mode runner: program headers (PT_LOAD) and
// the symbol table, from the System V ABI's ELF layout. Loading only; no relocation.

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
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 52 || v.getUint32(0) !== 0x7f454c46 || bytes[4] !== 1 || v.getUint16(18, true) !== 3) {
    throw new Error(`Cannot load "${name}": not an i386 ELF32 file`);
  }
  const entry = v.getUint32(24, true);
  const phoff = v.getUint32(28, true);
  const shoff = v.getUint32(32, true);
  const phentsize = v.getUint16(42, true);
  const phnum = v.getUint16(44, true);
  const shentsize = v.getUint16(46, true);
  const shnum = v.getUint16(48, true);
  const loads: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (v.getUint32(o, true) !== 1) continue; // PT_LOAD
    loads.push({
      offset: v.getUint32(o + 4, true),
      paddr: v.getUint32(o + 12, true),
      filesz: v.getUint32(o + 16, true),
      memsz: v.getUint32(o + 20, true),
    });
  }
  const symbols = new Map<string, number>();
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    if (v.getUint32(o + 4, true) !== 2) continue; // SHT_SYMTAB
    const symOff = v.getUint32(o + 16, true);
    const symSize = v.getUint32(o + 20, true);
    const strSec = shoff + v.getUint32(o + 24, true) * shentsize;
    const strOff = v.getUint32(strSec + 16, true);
    for (let s = symOff; s + 16 <= symOff + symSize; s += 16) {
      const nameOff = v.getUint32(s, true);
      if (nameOff === 0) continue;
      let end = strOff + nameOff;
      while (bytes[end] !== 0) end++;
      const sym = Buffer.from(bytes.subarray(strOff + nameOff, end)).toString("latin1");
      symbols.set(sym, v.getUint32(s + 4, true));
    }
  }
  return { entry, loads, symbols, bytes };
}
