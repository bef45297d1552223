// Reading 32-bit little-endian i386 ELF executables, as a domain builder needs them: the file
// header, the program headers (what to load where) and the section headers (to find
// `__xen_guest`). Pure: bytes in, a description out; the builder does the copying.
// Field offsets follow the System V ABI (ELF32), i386 supplement.

export const ELFCLASS32 = 1;
export const ELFDATA2LSB = 1;
export const ET_EXEC = 2;
export const EM_386 = 3;
export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const SYM_SIZE = 16;

const EHDR_SIZE = 52;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;

export interface ElfProgramHeader {
  type: number;
  /** Offset of the segment's bytes in the file. */
  offset: number;
  /** Virtual address (VA) the segment is linked at. */
  vaddr: number;
  /** Physical load address: where a bare-metal loader (multiboot) puts the segment. */
  paddr: number;
  filesz: number;
  memsz: number;
  flags: number;
}

export interface ElfSection {
  name: string;
  type: number;
  offset: number;
  size: number;
  /** VA of the section when loaded (0 for sections that are not). */
  addr: number;
  /** sh_link: for a symbol table, the index of its string table. */
  link: number;
}

export interface ElfImage {
  /** Entry point, a VA. */
  entry: number;
  programHeaders: ElfProgramHeader[];
  sections: ElfSection[];
  bytes: Uint8Array;
}

/** Parses an ELF32 i386 executable. `what` names it in errors (a path). */
export function parseElf(bytes: Uint8Array, what: string): ElfImage {
  const fail = (why: string): never => {
    throw new RangeError(`Cannot read ELF image "${what}": ${why}`);
  };
  if (bytes.length < EHDR_SIZE) fail(`${bytes.length} bytes is too short for an ELF header`);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) fail("no ELF magic");
  if (bytes[4] !== ELFCLASS32) fail(`class ${bytes[4]}, expected 32-bit`);
  if (bytes[5] !== ELFDATA2LSB) fail(`data encoding ${bytes[5]}, expected little-endian`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = v.getUint16(16, true);
  const machine = v.getUint16(18, true);
  if (type !== ET_EXEC) fail(`type ${type}, expected an executable (ET_EXEC)`);
  if (machine !== EM_386) fail(`machine ${machine}, expected i386`);
  const entry = v.getUint32(24, true);
  const phoff = v.getUint32(28, true);
  const shoff = v.getUint32(32, true);
  const phentsize = v.getUint16(42, true);
  const phnum = v.getUint16(44, true);
  const shentsize = v.getUint16(46, true);
  const shnum = v.getUint16(48, true);
  const shstrndx = v.getUint16(50, true);

  const inFile = (off: number, len: number) => off + len <= bytes.length;
  if (phnum > 0 && (phentsize < PHDR_SIZE || !inFile(phoff, phnum * phentsize))) fail("program headers lie outside the file");
  const programHeaders: ElfProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    const ph: ElfProgramHeader = {
      type: v.getUint32(o, true),
      offset: v.getUint32(o + 4, true),
      vaddr: v.getUint32(o + 8, true),
      paddr: v.getUint32(o + 12, true),
      filesz: v.getUint32(o + 16, true),
      memsz: v.getUint32(o + 20, true),
      flags: v.getUint32(o + 24, true),
    };
    if (ph.type === PT_LOAD) {
      if (!inFile(ph.offset, ph.filesz)) fail(`segment ${i} (VA 0x${hex(ph.vaddr)}) lies outside the file`);
      if (ph.memsz < ph.filesz) fail(`segment ${i} has memsz ${ph.memsz} below filesz ${ph.filesz}`);
    }
    programHeaders.push(ph);
  }

  const sections: ElfSection[] = [];
  if (shnum > 0 && shoff !== 0) {
    if (shentsize < SHDR_SIZE || !inFile(shoff, shnum * shentsize)) fail("section headers lie outside the file");
    if (shstrndx >= shnum) fail(`section-name table index ${shstrndx} is beyond ${shnum} sections`);
    const raw = [];
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      raw.push({
        nameOff: v.getUint32(o, true),
        type: v.getUint32(o + 4, true),
        addr: v.getUint32(o + 12, true),
        offset: v.getUint32(o + 16, true),
        size: v.getUint32(o + 20, true),
        link: v.getUint32(o + 24, true),
      });
    }
    const strtab = raw[shstrndx];
    if (!inFile(strtab.offset, strtab.size)) fail("section-name table lies outside the file");
    for (const s of raw) {
      if (s.type !== SHT_NOBITS && !inFile(s.offset, s.size)) fail(`section at offset ${s.offset} lies outside the file`);
      sections.push({ name: cString(bytes, strtab.offset + s.nameOff, strtab.offset + strtab.size), type: s.type, offset: s.offset, size: s.size, addr: s.addr, link: s.link });
    }
  }
  return { entry, programHeaders, sections, bytes };
}

/** The bytes of a named section, or undefined when the image has none. */
export function sectionBytes(image: ElfImage, name: string): Uint8Array | undefined {
  const s = image.sections.find((x) => x.name === name);
  return s === undefined || s.type === SHT_NOBITS ? undefined : image.bytes.subarray(s.offset, s.offset + s.size);
}

/** The symbol table (SHT_SYMTAB) as name -> value; empty for a stripped image. */
export function symbolTable(image: ElfImage): Map<string, number> {
  const symbols = new Map<string, number>();
  const v = new DataView(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength);
  for (const sec of image.sections) {
    if (sec.type !== SHT_SYMTAB) continue;
    const strtab = image.sections[sec.link];
    if (strtab === undefined) continue;
    for (let s = sec.offset; s + SYM_SIZE <= sec.offset + sec.size; s += SYM_SIZE) {
      const nameOff = v.getUint32(s, true);
      if (nameOff === 0 || nameOff >= strtab.size) continue;
      symbols.set(cString(image.bytes, strtab.offset + nameOff, strtab.offset + strtab.size), v.getUint32(s + 4, true));
    }
  }
  return symbols;
}

/** Loadable segments as Xen 2.0's builder counts them: PT_LOAD with write or execute permission. */
export function loadableSegments(image: ElfImage): ElfProgramHeader[] {
  return image.programHeaders.filter((p) => p.type === PT_LOAD && (p.flags & (PF_W | PF_X)) !== 0);
}

function cString(bytes: Uint8Array, from: number, end: number): string {
  let s = "";
  for (let i = from; i < end && bytes[i] !== 0; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function hex(n: number): string {
  return (n >>> 0).toString(16);
}
