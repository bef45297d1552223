// The multi-a.out boot image: header sectors, 512-byte padding, kernel first, reading back.
import { describe, expect, it } from "vitest";
import { A_EXEC, A_I80386, A_MINHDR, A_NSYM, A_SEP, type Aout } from "../../src/minix/aout.js";
import { checkKernel, packImage, readImage, SECTOR_SIZE, type ImageProgram } from "../../src/minix/image.js";

function program(name: string, textLen: number, dataLen: number, flags = A_EXEC, kernel = false): ImageProgram {
  const text = Uint8Array.from({ length: textLen }, (_, i) => (i * 7 + name.length) & 0xff);
  const data = Uint8Array.from({ length: dataLen }, (_, i) => (i * 13 + 1) & 0xff);
  if (kernel) {
    text.set([0xeb, 0x04, 12, 0, 0xfd, 0x01], 0); // jmp; CLICK_SHIFT 12; flags 0x01fd
    data.set([0x6f, 0x52], 0); // KERNEL_D_MAGIC
  }
  const aout: Aout = {
    header: { flags: flags | A_NSYM, cpu: A_I80386, hdrlen: A_MINHDR, text: textLen, data: dataLen, bss: 100, entry: 0, total: textLen + dataLen + 100 + 4096, syms: 77 },
    text,
    data,
  };
  return { name, aout };
}

describe("packImage()", () => {
  it("writes one header sector per program, then text and data padded to 512 bytes", () => {
    const progs = [program("kernel", 1000, 30, A_EXEC, true), program("tty", 600, 513)];
    const img = packImage(progs);
    // kernel: sector + pad(1030); tty: sector + pad(1113)
    expect(img.length).toBe(512 + 1536 + 512 + 1536);
    expect(new TextDecoder().decode(img.subarray(0, 6))).toBe("kernel");
    expect(img[6]).toBe(0);
    expect([img[64], img[65]]).toEqual([0x01, 0x03]);
    expect(img.subarray(512, 1512)).toEqual(progs[0].aout.text);
    expect(img.subarray(1512, 1542)).toEqual(progs[0].aout.data);
    expect(new TextDecoder().decode(img.subarray(2048, 2051))).toBe("tty");
  });

  it("pads text and data separately for separate I&D", () => {
    const img = packImage([program("kernel", 100, 10, A_EXEC, true), program("sep", 600, 20, A_SEP)]);
    const entries = readImage(img);
    expect(entries[1].dataOffset - entries[1].textOffset).toBe(1024);
    expect(entries[1].aout.data).toEqual(program("sep", 600, 20, A_SEP).aout.data);
  });

  it("clears the symbol size and A_NSYM as installboot does", () => {
    const [k] = readImage(packImage([program("kernel", 100, 10, A_EXEC, true)]));
    expect(k.aout.header.syms).toBe(0);
    expect(k.aout.header.flags & A_NSYM).toBe(0);
  });

  it("refuses a first program that is not a kernel", () => {
    expect(() => packImage([program("tty", 100, 10)])).toThrow(/Cannot use "tty" as the kernel: data starts with/);
  });

  it("refuses bad names and too many programs", () => {
    const k = program("kernel", 100, 10, A_EXEC, true);
    expect(() => packImage([k, program("x".repeat(64), 10, 10)])).toThrow(/must be 1..63 bytes/);
    expect(() => packImage([k, ...Array.from({ length: 16 }, (_, i) => program(`p${i}`, 10, 10))])).toThrow(/17 programs, at most 16/);
  });
});

describe("readImage()", () => {
  it("round-trips names, headers, text and data", () => {
    const progs = [program("kernel", 4096, 200, A_EXEC, true), program("tty", 3000, 1000), program("boottest", 1, 0)];
    const entries = readImage(packImage(progs));
    expect(entries.map((e) => e.name)).toEqual(["kernel", "tty", "boottest"]);
    entries.forEach((e, i) => {
      expect(e.aout.text).toEqual(progs[i].aout.text);
      expect(e.aout.data).toEqual(progs[i].aout.data);
      expect(e.aout.header).toMatchObject({ text: progs[i].aout.header.text, bss: 100, total: progs[i].aout.header.total });
      expect(e.headerOffset % SECTOR_SIZE).toBe(0);
    });
    expect(checkKernel(entries[0])).toEqual({ clickShift: 12, flags: 0x01fd });
  });

  it("reports a truncated image with the program's name", () => {
    const img = packImage([program("kernel", 100, 10, A_EXEC, true), program("tty", 2000, 10)]);
    expect(() => readImage(img.subarray(0, img.length - 512))).toThrow(/program "tty" needs 3584 bytes, the file has 3072/);
  });

  it("reports a bad magic and stray bytes", () => {
    const img = packImage([program("kernel", 100, 10, A_EXEC, true)]);
    const bad = img.slice();
    bad[64] = 0;
    expect(() => readImage(bad)).toThrow(/magic is 00 03, expected 01 03/);
    const longer = new Uint8Array(img.length + 10);
    longer.set(img);
    expect(() => readImage(longer)).toThrow(/10 stray bytes/);
    expect(() => readImage(new Uint8Array(0))).toThrow(/the file is empty/);
  });
});
