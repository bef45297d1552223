// `minix-on-xen mkimage`: turns the guest build's ELF programs into MINIX a.outs and packs them
// into one multi-a.out boot image, kernel first (report 5.1.1); `--list` reads an image back.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseCommandArgs } from "./args.js";
import { decodeAout, encodeAout, hasAoutMagic, isSeparateID, type Aout } from "../minix/aout.js";
import { elfToAout } from "../minix/elf-to-aout.js";
import { packImage, readImage, type ImageProgram } from "../minix/image.js";

const help = `Usage: minix-on-xen mkimage -o IMAGE [options] [NAME=]PROGRAM...
       minix-on-xen mkimage --list IMAGE

Converts each PROGRAM (an ELF linked from address 0, or a MINIX a.out) to a MINIX a.out and
packs them into a boot image, kernel first. NAME defaults to the file name without .elf.

Options:
  -o, --output FILE     the boot image to write
  --aout-dir DIR        also write each program's a.out as DIR/NAME
  --stack BYTES         stack gap counted in a_total of every program but the kernel (default 16384)
  --list IMAGE          print the programs of an existing image
  -h, --help            show this help`;

/** Splits "NAME=PATH" (or plain "PATH") into a program name and a path. */
function nameAndPath(arg: string): { name: string; path: string } {
  const eq = arg.indexOf("=");
  if (eq > 0) return { name: arg.slice(0, eq), path: arg.slice(eq + 1) };
  return { name: basename(arg).replace(/\.elf$/, ""), path: arg };
}

function loadProgram(path: string, stackBytes: number): Aout {
  const bytes = new Uint8Array(readFileSync(path));
  if (hasAoutMagic(bytes)) return decodeAout(bytes, `"${path}"`);
  return elfToAout(bytes, { stackBytes }, `"${path}"`);
}

function hex(n: number): string {
  return "0x" + n.toString(16).padStart(8, "0");
}

function list(path: string): number {
  const entries = readImage(new Uint8Array(readFileSync(path)), `boot image "${path}"`);
  console.log("name             text       data       bss        entry      total      I&D");
  for (const e of entries) {
    const h = e.aout.header;
    console.log(
      `${e.name.padEnd(16)} ${hex(h.text)} ${hex(h.data)} ${hex(h.bss)} ${hex(h.entry)} ${hex(h.total)} ${isSeparateID(h) ? "separate" : "common"}`,
    );
  }
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      output: { type: "string", short: "o" },
      "aout-dir": { type: "string" },
      stack: { type: "string" },
      list: { type: "string" },
    },
    help,
    true,
  );
  if (parsed === null) return 0;
  const { values, positionals } = parsed;
  if (values.list !== undefined) return list(values.list);
  if (values.output === undefined) throw new TypeError("Cannot make boot image: no output given (-o IMAGE)");
  if (positionals.length === 0) throw new TypeError("Cannot make boot image: no programs given");
  const stackText = values.stack ?? "16384";
  const stackBytes = Number(stackText);
  if (!Number.isInteger(stackBytes) || stackBytes < 0) {
    throw new RangeError(`Cannot make boot image: --stack is "${stackText}", expected a byte count`);
  }
  const programs: ImageProgram[] = positionals.map((arg, i) => {
    const { name, path } = nameAndPath(arg);
    return { name, aout: loadProgram(path, i === 0 ? 0 : stackBytes) };
  });
  const image = packImage(programs);
  if (values["aout-dir"] !== undefined) {
    mkdirSync(values["aout-dir"], { recursive: true });
    for (const p of programs) writeFileSync(join(values["aout-dir"], p.name), encodeAout(p.aout));
  }
  writeFileSync(values.output, image);
  return 0;
}
