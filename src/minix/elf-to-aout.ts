// Turns an ELF32 i386 executable from the guest build into a MINIX a.out, as ACK's `cv` did for
// MINIX. Programs are linked from virtual address 0 (report 5.2.1: the builder loads kernel
// processes from VA 0), text first. Common I&D: the a.out text runs up to the first writable
// segment so data lands at its linked address when text and data are loaded back to back.
// Separate I&D (the writable segments are linked from 0 too, in their own address space):
// text and data become the two parts of an A_SEP a.out.
import { A_EXEC, A_I80386, A_MINHDR, A_SEP, type Aout } from "./aout.js";

const PT_LOAD = 1;
const PF_W = 2;
const EM_386 = 3;
const ET_EXEC = 2;

export interface ElfToAoutOptions {
  /** Bytes of stack/heap gap counted in a_total after the bss (chmem's number). */
  stackBytes: number;
}

interface LoadSegment {
  vaddr: number;
  offset: number;
  filesz: number;
  memsz: number;
  flags: number;
}

/** Reads the loadable segments of an ELF32 i386 executable, checking what the a.out form needs. */
function loadSegments(elf: Uint8Array, what: string): { entry: number; segments: LoadSegment[] } {
  if (elf.length < 52 || elf[0] !== 0x7f || elf[1] !== 0x45 || elf[2] !== 0x4c || elf[3] !== 0x46) {
    throw new SyntaxError(`Cannot convert ${what}: not an ELF file`);
  }
  if (elf[4] !== 1 || elf[5] !== 1) {
    throw new SyntaxError(`Cannot convert ${what}: not a little-endian ELF32 file`);
  }
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const type = v.getUint16(16, true);
  const machine = v.getUint16(18, true);
  if (machine !== EM_386) throw new SyntaxError(`Cannot convert ${what}: machine is ${machine}, expected 3 (i386)`);
  if (type !== ET_EXEC) throw new SyntaxError(`Cannot convert ${what}: ELF type is ${type}, expected 2 (executable)`);
  const entry = v.getUint32(24, true);
  const phoff = v.getUint32(28, true);
  const phentsize = v.getUint16(42, true);
  const phnum = v.getUint16(44, true);
  if (phentsize < 32 || phoff + phnum * phentsize > elf.length) {
    throw new SyntaxError(`Cannot convert ${what}: program headers lie outside the file`);
  }
  const segments: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (v.getUint32(p, true) !== PT_LOAD) continue;
    const seg: LoadSegment = {
      offset: v.getUint32(p + 4, true),
      vaddr: v.getUint32(p + 8, true),
      filesz: v.getUint32(p + 16, true),
      memsz: v.getUint32(p + 20, true),
      flags: v.getUint32(p + 24, true),
    };
    if (seg.memsz === 0) continue;
    if (seg.offset + seg.filesz > elf.length) {
      throw new SyntaxError(`Cannot convert ${what}: segment at 0x${seg.vaddr.toString(16)} lies outside the file`);
    }
    segments.push(seg);
  }
  segments.sort((a, b) => a.vaddr - b.vaddr);
  if (segments.length === 0) throw new SyntaxError(`Cannot convert ${what}: no loadable segments`);
  if (segments[0].vaddr !== 0) {
    throw new RangeError(
      `Cannot convert ${what}: first segment is at 0x${segments[0].vaddr.toString(16)}, expected the program linked from 0`,
    );
  }
  const separate = isSeparate(segments);
  const spaces = separate ? [segments.filter((s) => (s.flags & PF_W) === 0), segments.filter((s) => (s.flags & PF_W) !== 0)] : [segments];
  for (const space of spaces) {
    for (let i = 1; i < space.length; i++) {
      const prev = space[i - 1];
      if (space[i].vaddr < prev.vaddr + prev.memsz) {
        throw new RangeError(`Cannot convert ${what}: segments overlap at 0x${space[i].vaddr.toString(16)}`);
      }
    }
  }
  return { entry, segments };
}

/** Separate I&D: read-only and writable segments each start at 0, in their own address spaces. */
function isSeparate(segments: LoadSegment[]): boolean {
  const writable = segments.filter((s) => (s.flags & PF_W) !== 0);
  return writable.length > 0 && writable.length < segments.length && writable[0].vaddr === 0;
}

/** The segments laid out flat from 0 as the program sees them: initialised bytes and memory end. */
function flatten(elf: Uint8Array, segments: LoadSegment[]): { bytes: Uint8Array; memEnd: number } {
  const last = segments[segments.length - 1];
  const fileEnd = last.vaddr + last.filesz;
  // A bss gap before a later segment is stored as zeros, as a flat image must.
  const bytes = new Uint8Array(fileEnd);
  for (const s of segments) {
    bytes.set(elf.subarray(s.offset, s.offset + Math.min(s.filesz, Math.max(0, fileEnd - s.vaddr))), s.vaddr);
  }
  return { bytes, memEnd: Math.max(...segments.map((s) => s.vaddr + s.memsz)) };
}

/**
 * Converts an ELF executable into an a.out (cpu A_I80386, 32-byte header). Common I&D (flags
 * A_EXEC): a_text covers VA 0 up to the first writable segment (padding included), a_data the
 * initialised bytes after it, a_bss the zeroed tail, a_total = text + data + bss + stack gap.
 * Separate I&D (flags A_SEP): a_text is the text, rounded up to 16 bytes as `cv` does; a_data
 * and a_bss are the data space's; a_total = data + bss + stack gap (the text is not counted).
 */
export function elfToAout(elf: Uint8Array, options: ElfToAoutOptions, what = "ELF file"): Aout {
  const { entry, segments } = loadSegments(elf, what);
  if (!Number.isInteger(options.stackBytes) || options.stackBytes < 0) {
    throw new RangeError(`Cannot convert ${what}: stack size ${options.stackBytes} is not a byte count`);
  }
  if (isSeparate(segments)) return separateAout(elf, segments, entry, options, what);
  const firstWritable = segments.findIndex((s) => (s.flags & PF_W) !== 0);
  const { bytes: image, memEnd } = flatten(elf, segments);
  const fileEnd = image.length;
  const textEnd = firstWritable < 0 ? fileEnd : segments[firstWritable].vaddr;
  if (entry >= textEnd) {
    throw new RangeError(`Cannot convert ${what}: entry 0x${entry.toString(16)} is not in the text`);
  }
  const text = image.slice(0, textEnd);
  const data = image.slice(textEnd, fileEnd);
  const bss = memEnd - fileEnd;
  return {
    header: {
      flags: A_EXEC,
      cpu: A_I80386,
      hdrlen: A_MINHDR,
      text: text.length,
      data: data.length,
      bss,
      entry,
      total: text.length + data.length + bss + options.stackBytes,
      syms: 0,
    },
    text,
    data,
  };
}

function separateAout(elf: Uint8Array, segments: LoadSegment[], entry: number, options: ElfToAoutOptions, what: string): Aout {
  const textSpace = flatten(elf, segments.filter((s) => (s.flags & PF_W) === 0));
  const dataSpace = flatten(elf, segments.filter((s) => (s.flags & PF_W) !== 0));
  if (entry >= textSpace.memEnd) {
    throw new RangeError(`Cannot convert ${what}: entry 0x${entry.toString(16)} is not in the text`);
  }
  const text = new Uint8Array(Math.ceil(textSpace.memEnd / 16) * 16);
  text.set(textSpace.bytes);
  const data = dataSpace.bytes;
  const bss = dataSpace.memEnd - data.length;
  return {
    header: {
      flags: A_SEP,
      cpu: A_I80386,
      hdrlen: A_MINHDR,
      text: text.length,
      data: data.length,
      bss,
      entry,
      total: data.length + bss + options.stackBytes,
      syms: 0,
    },
    text,
    data,
  };
}
