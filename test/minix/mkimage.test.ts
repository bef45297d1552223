// `minix-on-xen mkimage` run as users run it: ELF programs in, a boot image and a.outs out.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { A_SEP, decodeAout, encodeAout } from "../../src/minix/aout.js";
import { elfToAout } from "../../src/minix/elf-to-aout.js";
import { readImage } from "../../src/minix/image.js";

function cli(...args: string[]) {
  return spawnSync("node", ["dist/src/cli/main.js", "mkimage", ...args], { encoding: "utf8" });
}

/** A kernel-shaped a.out made from the fixture: kernel marks patched in. */
function fakeKernel(dir: string): string {
  const a = elfToAout(new Uint8Array(readFileSync("build/test-minix/prog.elf")), { stackBytes: 0 });
  a.text.set([0xeb, 0x04, 12, 0, 0xfd, 0x01]);
  a.data.set([0x6f, 0x52]);
  const path = join(dir, "kernel.aout");
  writeFileSync(path, encodeAout(a));
  return path;
}

describe("mkimage command", () => {
  it("packs a kernel a.out and an ELF into an image and writes the a.outs", () => {
    const dir = mkdtempSync(join(tmpdir(), "mkimage-"));
    const image = join(dir, "image");
    const r = cli("-o", image, "--aout-dir", join(dir, "aout"), "--stack", "4096", `kernel=${fakeKernel(dir)}`, "build/test-minix/prog.elf");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const entries = readImage(new Uint8Array(readFileSync(image)));
    expect(entries.map((e) => e.name)).toEqual(["kernel", "prog"]);
    const prog = decodeAout(new Uint8Array(readFileSync(join(dir, "aout", "prog"))));
    expect(prog.header.total).toBe(prog.header.text + prog.header.data + prog.header.bss + 4096);
    expect(entries[1].aout.text).toEqual(prog.text);
    const list = cli("--list", image);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^kernel\s+0x00001000/m);
    expect(list.stdout).toMatch(/^prog\s+0x00001000 0x00000009/m);
  });

  it("packs a separate-I&D ELF as an A_SEP a.out, text and data padded apart, and lists it so", () => {
    const dir = mkdtempSync(join(tmpdir(), "mkimage-"));
    const image = join(dir, "image");
    const r = cli("-o", image, "--stack", "4096", `kernel=${fakeKernel(dir)}`, "sep=build/test-minix/prog-sep.elf");
    expect(r.status).toBe(0);
    const entries = readImage(new Uint8Array(readFileSync(image)));
    expect(entries[1].aout.header.flags).toBe(A_SEP);
    expect(entries[1].dataOffset - entries[1].textOffset).toBe(512);
    expect(new DataView(entries[1].aout.data.buffer).getUint32(0, true)).toBe(0xcafebabe);
    const list = cli("--list", image);
    expect(list.stdout).toMatch(/^sep\s+0x00000010 0x00000009 .* separate$/m);
    expect(list.stdout).toMatch(/^kernel\s+.* common$/m);
  });

  it("fails with one line when the first program is not a kernel", () => {
    const dir = mkdtempSync(join(tmpdir(), "mkimage-"));
    const r = cli("-o", join(dir, "image"), "build/test-minix/prog.elf");
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('Cannot use "prog" as the kernel: data starts with 0xbabe, expected 0x526f');
  });

  it("fails clearly on a missing output or a bad stack size", () => {
    expect(cli("build/test-minix/prog.elf").stderr).toMatch(/no output given/);
    expect(cli("-o", "/tmp/x", "--stack", "lots", "build/test-minix/prog.elf").stderr).toMatch(/--stack is "lots"/);
  });
});
