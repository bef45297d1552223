#!/usr/bin/env node
// Makes a 1.44 MB floppy image that boots a CPU test kernel under Bochs: the boot sector
// (floppy-boot.S), then the kernel's PT_LOAD segments flattened into one image starting at the
// lowest load address. The boot sector's load header gets the sector count, load address,
// file and memory sizes and the entry point, so it can do what a multiboot loader does.
// Usage: node mkfloppy.mjs floppy-boot.bin kernel.elf out.img
import { readFileSync, writeFileSync } from "node:fs";

const [bootPath, elfPath, outPath] = process.argv.slice(2);
if (!bootPath || !elfPath || !outPath) {
  console.error("Cannot make floppy image: usage is mkfloppy.mjs BOOT.bin KERNEL.elf OUT.img");
  process.exit(2);
}
const boot = readFileSync(bootPath);
const elf = readFileSync(elfPath);
if (boot.length !== 512 || boot.readUInt16LE(510) !== 0xaa55) {
  console.error(`Cannot make floppy image: "${bootPath}" is not a 512-byte boot sector`);
  process.exit(1);
}
if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 1 || elf.readUInt16LE(18) !== 3) {
  console.error(`Cannot make floppy image: "${elfPath}" is not an i386 ELF32 file`);
  process.exit(1);
}
const entry = elf.readUInt32LE(24);
const phoff = elf.readUInt32LE(28);
const phentsize = elf.readUInt16LE(42);
const phnum = elf.readUInt16LE(44);
const loads = [];
for (let i = 0; i < phnum; i++) {
  const o = phoff + i * phentsize;
  if (elf.readUInt32LE(o) !== 1) continue; // PT_LOAD
  loads.push({
    offset: elf.readUInt32LE(o + 4),
    paddr: elf.readUInt32LE(o + 12),
    filesz: elf.readUInt32LE(o + 16),
    memsz: elf.readUInt32LE(o + 20),
  });
}
if (loads.length === 0) {
  console.error(`Cannot make floppy image: "${elfPath}" has no PT_LOAD segment`);
  process.exit(1);
}
const low = Math.min(...loads.map((l) => l.paddr));
const memEnd = Math.max(...loads.map((l) => l.paddr + l.memsz));
const fileEnd = Math.max(...loads.filter((l) => l.filesz > 0).map((l) => l.paddr + l.filesz));
const flat = Buffer.alloc(fileEnd - low); // gaps between segments and their bss stay zero
for (const l of loads) elf.copy(flat, l.paddr - low, l.offset, l.offset + l.filesz);
const sectors = Math.ceil(flat.length / 512);
const maxBytes = 0xa0000 - 0x10000; // the boot sector stages the image below 640 KiB
if (flat.length > maxBytes) {
  console.error(`Cannot make floppy image: kernel image is ${flat.length} bytes, more than ${maxBytes}`);
  process.exit(1);
}
const img = Buffer.alloc(1474560);
boot.copy(img, 0);
img.writeUInt16LE(sectors, 0x1e6);
img.writeUInt32LE(low, 0x1e8);
img.writeUInt32LE(flat.length, 0x1ec);
img.writeUInt32LE(memEnd - low, 0x1f0);
img.writeUInt32LE(entry, 0x1f4);
flat.copy(img, 512);
writeFileSync(outPath, img);
