import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, parseConfig, readConfigFile } from "../../../src/xen/tools/config.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "xen-tools");

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig()", () => {
  it("accepts the report's Appendix B configuration", () => {
    const cfg = readConfigFile(join(fixtures, "appendix-b.cfg"));
    expect(cfg.kernel).toBe("/etc/xen/minix");
    expect(cfg.builder).toBe("minix");
    expect(cfg.memoryMiB).toBe(20);
    expect(cfg.name).toBe("MinixTester");
    expect(cfg.nics).toBe(0);
    expect(cfg.extra.split("\n")).toContain("memory = 930000: a00000");
    expect(cfg.extra.startsWith(" rootdev = 896\nramimagedev=896\n")).toBe(true);
    expect(cfg.extra.endsWith("image=xenimage\n")).toBe(true);
    expect(cfg.cmdline).toBe(cfg.extra);
  });

  it("applies Xen 2.0's defaults for builder, memory, nics and name", () => {
    const cfg = parseConfig("kernel = 'k'\n", "/tmp/cfgs/hello.cfg");
    expect(cfg.builder).toBe("linux");
    expect(cfg.memoryMiB).toBe(128);
    expect(cfg.nics).toBe(1);
    expect(cfg.name).toBe("hello");
    expect(cfg.disks).toEqual([]);
  });

  it("resolves kernel, ramdisk and file disks relative to the config file", () => {
    const cfg = parseConfig(
      "kernel = '../guests/hello.elf'\nramdisk='rd.img'\ndisk = ['file:minix.img,hda1,w', 'phy:sda2,sda1,r']\n",
      "/srv/xen/cfg/minix.cfg",
    );
    expect(cfg.kernel).toBe("/srv/xen/guests/hello.elf");
    expect(cfg.ramdisk).toBe("/srv/xen/cfg/rd.img");
    expect(cfg.disks).toEqual([
      { kind: "file", target: "/srv/xen/cfg/minix.img", vdev: "hda1", mode: "w" },
      { kind: "phy", target: "sda2", vdev: "sda1", mode: "r" },
    ]);
  });

  it("reads comments, hex numbers, escapes, adjacent strings and multi-line lists", () => {
    const cfg = parseConfig(
      [
        "# a comment",
        "kernel = \"k\"   # trailing comment with 'quotes'",
        "memory = 0x10",
        "name = 'a' \"b\\x\\\"c\"",
        "disk = [ 'file:x,hda1,w',   # first",
        "         'file:y,hda2,r', ]",
        "cmdline = 'console=xen #not a comment'",
        "vif = ['mac=aa:00:00:00:00:01']",
      ].join("\n"),
      "/c/x.cfg",
    );
    expect(cfg.memoryMiB).toBe(16);
    expect(cfg.name).toBe('ab\\x"c');
    expect(cfg.disks.map((d) => d.vdev)).toEqual(["hda1", "hda2"]);
    expect(cfg.cmdline).toBe("console=xen #not a comment");
    expect(cfg.ignored.vif).toEqual(["mac=aa:00:00:00:00:01"]);
  });

  it("builds the command line from root and extra unless cmdline is set", () => {
    expect(parseConfig("kernel='k'\nroot='/dev/hda1 ro'\nextra='4'", "/c/a.cfg").cmdline).toBe("root=/dev/hda1 ro 4");
    expect(parseConfig("kernel='k'\nroot='/dev/hda1'\ncmdline='x y'", "/c/a.cfg").cmdline).toBe("x y");
  });

  it("lets later assignments and overrides win", () => {
    const cfg = parseConfig("kernel='k'\nmemory=8\nmemory=16\n", "/c/a.cfg", ["memory=32", "name='other'"]);
    expect(cfg.memoryMiB).toBe(32);
    expect(cfg.name).toBe("other");
  });

  it("names file, line and value when memory is not a number", () => {
    const err = errorOf(() => parseConfig("# x\nkernel='k'\n\nmemory = 64x\n", "minix.cfg"));
    expect(err.message).toBe('Cannot read config "minix.cfg" line 4: memory is "64x", expected a number of MiB');
    expect(err.line).toBe(4);
    expect(err.value).toBe("64x");
    expect(err).toBeInstanceOf(SyntaxError);
  });

  it("rejects a string where a number belongs and a number where a string belongs", () => {
    expect(errorOf(() => parseConfig("kernel='k'\nmemory='64'", "a.cfg")).message).toBe(
      `Cannot read config "a.cfg" line 2: memory is '64', expected a number of MiB`,
    );
    expect(errorOf(() => parseConfig("kernel=5", "a.cfg")).message).toMatch(/line 1: kernel is 5, expected a quoted path/);
  });

  it("rejects zero memory, unknown settings and a missing kernel", () => {
    expect(errorOf(() => parseConfig("kernel='k'\nmemory=0", "a.cfg")).message).toMatch(/line 2: memory is 0, expected a number of MiB of at least 1/);
    expect(errorOf(() => parseConfig("kernel='k'\nmemroy=5", "a.cfg")).message).toMatch(/line 2: unknown setting "memroy"/);
    expect(errorOf(() => parseConfig("memory=5", "a.cfg")).message).toBe('Cannot read config "a.cfg": kernel is not set, expected kernel = \'path/to/image\'');
  });

  it("reports unclosed strings and lists at the line where they open", () => {
    expect(errorOf(() => parseConfig("kernel='k'\nextra = \"\"\"abc\n\ndef\n", "a.cfg")).message).toMatch(/line 2: string opened here is never closed/);
    expect(errorOf(() => parseConfig("kernel='k\n", "a.cfg")).message).toMatch(/line 1: string is not closed before the end of the line/);
    expect(errorOf(() => parseConfig("kernel='k'\ndisk = ['a,b,w'\n", "a.cfg")).message).toMatch(/line 2: list for disk is never closed/);
  });

  it("rejects statements that are not plain assignments", () => {
    expect(errorOf(() => parseConfig("kernel='k'\nimport os\n", "a.cfg")).message).toMatch(/line 2: expected "=" after "import"/);
    expect(errorOf(() => parseConfig("kernel='k' + 'x'\n", "a.cfg")).message).toMatch(/line 1: kernel is "'k' \+ 'x'"/);
    expect(errorOf(() => parseConfig("memory==4\n", "a.cfg")).message).toMatch(/line 1: expected "=" after "memory"/);
    expect(errorOf(() => parseConfig("= 4\n", "a.cfg")).message).toMatch(/line 1: expected a setting name/);
  });

  it("rejects malformed disk entries with the entry quoted", () => {
    expect(errorOf(() => parseConfig("kernel='k'\ndisk=['hda1,hda1,w']", "a.cfg")).message).toMatch(
      /line 2: disk entry "hda1,hda1,w" has no 'phy:' or 'file:' prefix/,
    );
    expect(errorOf(() => parseConfig("kernel='k'\ndisk=['file:x,hda1,rw']", "a.cfg")).message).toMatch(/has mode "rw"/);
    expect(errorOf(() => parseConfig("kernel='k'\ndisk=['file:x,hda1']", "a.cfg")).message).toMatch(/has 2 parts/);
  });

  it("takes unquoted string overrides as xm did", () => {
    expect(parseConfig("kernel='k'", "/c/a.cfg", ["name=web2", "extra=a b=c"])).toMatchObject({ name: "web2", extra: "a b=c" });
  });

  it("rejects a bad override naming it", () => {
    expect(errorOf(() => parseConfig("kernel='k'", "a.cfg", ["memory=lots"])).message).toBe(
      'Cannot read config "a.cfg": override "memory=lots": memory is "lots", expected a number of MiB',
    );
  });
});

describe("readConfigFile()", () => {
  it("reports a missing file by the path given", () => {
    expect(errorOf(() => readConfigFile("no/such.cfg")).message).toBe('Cannot read config "no/such.cfg": no such file');
  });

  it("anchors relative paths at the file's folder", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    writeFileSync(join(dir, "d.cfg"), "kernel = 'guest.elf'\n");
    expect(readConfigFile(join(dir, "d.cfg")).kernel).toBe(resolve(dir, "guest.elf"));
  });
});

describe("parseConfig() on damaged text", () => {
  it("either parses or throws a ConfigError naming the file, for 3000 corrupted configs", () => {
    const good = readFileSync(join(fixtures, "appendix-b.cfg"), "utf8");
    const alphabet = "\"'#=[](),\n\\ x0123456789abc\t";
    let seed = 99;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    let parsed = 0;
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const chars = [...good];
      const edits = 1 + Math.floor(rnd() * 3);
      for (let e = 0; e < edits; e++) chars[Math.floor(rnd() * chars.length)] = alphabet[Math.floor(rnd() * alphabet.length)];
      try {
        parseConfig(chars.join(""), "fuzz.cfg");
        parsed++;
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).message).toMatch(/^Cannot read config "fuzz\.cfg"( line \d+)?: /);
        refused++;
      }
    }
    expect(parsed).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
