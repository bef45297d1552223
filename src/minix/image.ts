// The MINIX multi-a.out boot image (installboot -image of MINIX 3.1): per program one 512-byte
// sector holding a 64-byte name and the 48-byte a.out header, then text and data padded to
// 512 bytes; the kernel comes first. Report 5.1.1 ("The MINIX Kernel Image"), minix-facts 1.2.
import { A_LONGHDR, A_NSYM, A_SEP, decodeAoutHeader, encodeAoutHeader, type Aout, type AoutHeader } from "./aout.js";

export const SECTOR_SIZE = 512;
/** Longest program name a header sector holds (64 bytes with the terminating NUL). */
export const IM_NAME_MAX = 63;
/** The boot monitor and our builder load at most this many programs, the kernel included. */
export const PROCESS_MAX = 16;
/** The first 16-bit word of a MINIX kernel's data segment. */
export const KERNEL_D_MAGIC = 0x526f;
/** Offsets in the kernel text of the click shift and the kernel flags word (after a short jmp). */
export const CLICK_OFF = 2;
export const FLAGS_OFF = 4;

export interface ImageProgram {
  /** Name in the header sector, e.g. "kernel", "tty". */
  name: string;
  aout: Aout;
}

/** One program as found in an image file, with where its parts lie in the file. */
export interface ImageEntry extends ImageProgram {
  /** File offset of the header sector. */
  headerOffset: number;
  /** File offsets of the text and the data. */
  textOffset: number;
  dataOffset: number;
}

function padTo(n: number, unit: number): number {
  return Math.ceil(n / unit) * unit;
}

/**
 * Checks the marks a MINIX kernel carries: a click shift between 4 and 16 at text offset 2 and
 * the data magic 0x526F. Throws a RangeError naming the program when one is missing.
 */
export function checkKernel(p: ImageProgram): { clickShift: number; flags: number } {
  const { text, data } = p.aout;
  if (text.length < 6 || data.length < 2) {
    throw new RangeError(`Cannot use "${p.name}" as the kernel: text or data too short to hold the kernel marks`);
  }
  const clickShift = text[CLICK_OFF] | (text[CLICK_OFF + 1] << 8);
  const flags = text[FLAGS_OFF] | (text[FLAGS_OFF + 1] << 8);
  const magic = data[0] | (data[1] << 8);
  if (magic !== KERNEL_D_MAGIC) {
    throw new RangeError(
      `Cannot use "${p.name}" as the kernel: data starts with 0x${magic.toString(16)}, expected 0x526f`,
    );
  }
  if (clickShift < 4 || clickShift > 16) {
    throw new RangeError(`Cannot use "${p.name}" as the kernel: click shift is ${clickShift}, expected 4..16`);
  }
  return { clickShift, flags };
}

/** Bytes a program occupies in the image after its header sector. */
function bodySize(h: AoutHeader): number {
  return h.flags & A_SEP ? padTo(h.text, SECTOR_SIZE) + padTo(h.data, SECTOR_SIZE) : padTo(h.text + h.data, SECTOR_SIZE);
}

/**
 * Packs programs into a boot image, kernel first. As installboot does, the symbol size is
 * cleared (A_NSYM too) and the bss is not stored.
 */
export function packImage(programs: ImageProgram[]): Uint8Array {
  if (programs.length === 0) throw new RangeError("Cannot pack boot image: no programs given");
  if (programs.length > PROCESS_MAX) {
    throw new RangeError(`Cannot pack boot image: ${programs.length} programs, at most ${PROCESS_MAX}`);
  }
  checkKernel(programs[0]);
  let size = 0;
  for (const p of programs) {
    const bytes = new TextEncoder().encode(p.name);
    if (bytes.length === 0 || bytes.length > IM_NAME_MAX || bytes.includes(0)) {
      throw new RangeError(`Cannot pack boot image: program name "${p.name}" must be 1..${IM_NAME_MAX} bytes without NUL`);
    }
    if (p.aout.text.length !== p.aout.header.text || p.aout.data.length !== p.aout.header.data) {
      throw new RangeError(`Cannot pack boot image: "${p.name}" has text/data that do not match its header`);
    }
    size += SECTOR_SIZE + bodySize(p.aout.header);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of programs) {
    out.set(new TextEncoder().encode(p.name), at);
    const h: AoutHeader = { ...p.aout.header, syms: 0, flags: p.aout.header.flags & ~A_NSYM };
    out.set(encodeAoutHeader(h, true), at + 64);
    at += SECTOR_SIZE;
    out.set(p.aout.text, at);
    if (h.flags & A_SEP) {
      out.set(p.aout.data, at + padTo(h.text, SECTOR_SIZE));
    } else {
      out.set(p.aout.data, at + h.text);
    }
    at += bodySize(h);
  }
  return out;
}

/** Reads every program of a boot image, checking each header and that its parts are in the file. */
export function readImage(bytes: Uint8Array, what = "boot image"): ImageEntry[] {
  const entries: ImageEntry[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (entries.length === PROCESS_MAX) {
      throw new RangeError(`Cannot read ${what}: more than ${PROCESS_MAX} programs`);
    }
    if (at + SECTOR_SIZE > bytes.length) {
      throw new RangeError(`Cannot read ${what}: ${bytes.length - at} stray bytes at offset ${at} after the last program`);
    }
    const nameBytes = bytes.subarray(at, at + 64);
    const nul = nameBytes.indexOf(0);
    if (nul <= 0) {
      throw new SyntaxError(`Cannot read ${what}: header sector at offset ${at} has ${nul === 0 ? "an empty" : "an unterminated"} name`);
    }
    const name = new TextDecoder("latin1").decode(nameBytes.subarray(0, nul));
    const headerBytes = bytes.subarray(at + 64, at + 64 + A_LONGHDR);
    const header = decodeAoutHeader(headerBytes, 0, `${what} program "${name}"`);
    const textOffset = at + SECTOR_SIZE;
    const dataOffset = header.flags & A_SEP ? textOffset + padTo(header.text, SECTOR_SIZE) : textOffset + header.text;
    const end = textOffset + bodySize(header);
    if (end > bytes.length) {
      throw new RangeError(`Cannot read ${what}: program "${name}" needs ${end} bytes, the file has ${bytes.length}`);
    }
    entries.push({
      name,
      headerOffset: at,
      textOffset,
      dataOffset,
      aout: {
        header,
        text: bytes.slice(textOffset, textOffset + header.text),
        data: bytes.slice(dataOffset, dataOffset + header.data),
      },
    });
    at = end;
  }
  if (entries.length === 0) throw new RangeError(`Cannot read ${what}: the file is empty`);
  checkKernel(entries[0]);
  return entries;
}
