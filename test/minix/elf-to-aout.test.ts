// ELF (from the guest toolchain) to MINIX a.out: text up to the data page, data, bss, total.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { A_EXEC, A_I80386, A_SEP, decodeAout, encodeAout } from "../../src/minix/aout.js";
import { elfToAout } from "../../src/minix/elf-to-aout.js";

const elf = new Uint8Array(readFileSync("build/test-minix/prog.elf"));

describe("elfToAout()", () => {
  it("converts a program linked from 0 into a common-I&D i386 a.out", () => {
    const a = elfToAout(elf, { stackBytes: 8192 });
    expect(a.header.flags).toBe(A_EXEC);
    expect(a.header.cpu).toBe(A_I80386);
    expect(a.header.hdrlen).toBe(32);
    expect(a.header.entry).toBe(0);
    // Text runs to the page where data starts, so data sits at its linked address.
    expect(a.header.text).toBe(4096);
    expect(a.text[0]).toBe(0xb8); // movl $imm, %eax
    expect(new DataView(a.text.buffer).getUint32(1, true)).toBe(0x11223344);
    expect(new DataView(a.data.buffer).getUint32(0, true)).toBe(0xcafebabe);
    expect(new TextDecoder().decode(a.data.subarray(4, 9))).toBe("data!");
    expect(a.header.data).toBe(9);
    expect(a.header.data + a.header.bss).toBeGreaterThanOrEqual(9 + 300);
    expect(a.header.total).toBe(a.header.text + a.header.data + a.header.bss + 8192);
  });

  it("converts a program whose data is linked from 0 too into a separate-I&D a.out", () => {
    const sep = new Uint8Array(readFileSync("build/test-minix/prog-sep.elf"));
    const a = elfToAout(sep, { stackBytes: 8192 });
    expect(a.header.flags).toBe(A_SEP);
    expect(a.header.cpu).toBe(A_I80386);
    // The text is just the code (rounded to 16 bytes), not padded to the data's page.
    expect(a.header.text).toBe(16);
    expect(a.text[0]).toBe(0xb8);
    // movl counter, %ebx: the data address is 0, the start of the data segment.
    expect(new DataView(a.text.buffer).getUint32(7, true)).toBe(0);
    expect(new DataView(a.data.buffer).getUint32(0, true)).toBe(0xcafebabe);
    expect(new TextDecoder().decode(a.data.subarray(4, 9))).toBe("data!");
    expect(a.header.data).toBe(9);
    expect(a.header.data + a.header.bss).toBeGreaterThanOrEqual(9 + 300);
    // a_total counts data, bss and stack only.
    expect(a.header.total).toBe(a.header.data + a.header.bss + 8192);
    expect(decodeAout(encodeAout(a)).header).toEqual(a.header);
  });

  it("refuses what is not an i386 ELF executable", () => {
    expect(() => elfToAout(new Uint8Array(100), { stackBytes: 0 })).toThrow("Cannot convert ELF file: not an ELF file");
    const other = elf.slice();
    other[18] = 62; // EM_X86_64
    expect(() => elfToAout(other, { stackBytes: 0 }, '"p"')).toThrow('Cannot convert "p": machine is 62, expected 3 (i386)');
  });

  it("refuses a program not linked from address 0", () => {
    const moved = elf.slice();
    const v = new DataView(moved.buffer);
    const phoff = v.getUint32(28, true);
    v.setUint32(phoff + 8, 0x100000, true); // first PT_LOAD vaddr
    expect(() => elfToAout(moved, { stackBytes: 0 })).toThrow(/expected the program linked from 0/);
  });
});
