// The guest library's formatting and 64-bit division, compiled from the guest sources with the
// guest's flags and run natively (the host runs i386 code): results checked against
// JavaScript's own formatting and BigInt arithmetic.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const LIB = "src/minix/guest/lib";
const RENAMES = ["snprintf", "vsnprintf", "doprnt", "__udivdi3", "__umoddi3", "__divdi3", "__moddi3", "__udivmoddi4",
  "memcpy", "memmove", "memset", "memcmp", "strlen", "strcmp", "strncmp", "strncpy"].map((n) => `-D${n}=guest_${n.replace(/^_+/, "")}`);

function runHarness(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), "guest-lib-"));
  try {
    const objs = ["doprnt.c", "divdi3.c", "string.c"].map((f) => {
      const o = join(dir, f + ".o");
      execFileSync("gcc", ["-m32", "-ffreestanding", "-fno-builtin", "-nostdinc", "-fno-pic", "-O1", "-Wall", "-Wextra", "-Werror",
        "-Isrc/minix/guest/include", ...RENAMES, "-c", join(LIB, f), "-o", o]);
      return o;
    });
    const harness = join(dir, "main.c");
    writeFileSync(harness, `#include <stdio.h>
typedef unsigned long long u64; typedef long long s64;
int guest_snprintf(char *, unsigned, const char *, ...);
u64 guest_udivdi3(u64, u64); u64 guest_umoddi3(u64, u64); s64 guest_divdi3(s64, s64); s64 guest_moddi3(s64, s64);
int main(void) { char b[256]; int n; (void)b; (void)n;
${body}
return 0; }
`);
    execFileSync("gcc", ["-m32", "-no-pie", "-O0", harness, ...objs, "-o", join(dir, "h")]);
    return execFileSync(join(dir, "h"), { encoding: "utf8" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("guest lib", () => {
  it("snprintf() formats as C's printf does for the conversions it supports", () => {
    const cases: [string, string][] = [
      ['"%d|%i|%u", -42, 7, 4000000000u', "-42|7|4000000000"],
      ['"%x|%X|%o", 0xbeef, 0xbeef, 8', "beef|BEEF|10"],
      ['"[%08x][%8d][%-6d][%05d]", 0x1234, -17, 3, -42', "[00001234][     -17][3     ][-0042]"],
      ['"%s|%.3s|%-5s|%5s", "minix", "xenial", "ab", "cd"', "minix|xen|ab   |   cd"],
      ['"%lld %llu %llx", -1234567890123LL, 18446744073709551615ULL, 0x123456789abcULL', "-1234567890123 18446744073709551615 123456789abc"],
      ['"%c%c%% %p", 0x41, 0x42, (void *)0x1000', "AB% 0x00001000"],
      ['"%s", (char *)0', "(null)"],
    ];
    const out = runHarness(cases.map(([args]) => `n = guest_snprintf(b, sizeof b, ${args}); printf("%s\\n%d\\n", b, n);`).join("\n"));
    const lines = out.split("\n");
    cases.forEach(([, want], i) => {
      expect(lines[2 * i]).toBe(want);
      expect(Number(lines[2 * i + 1])).toBe(want.length);
    });
  });

  it("snprintf() truncates to the buffer and still returns the full length", () => {
    const out = runHarness('n = guest_snprintf(b, 6, "%s-%d", "console", 123); printf("%s|%d\\n", b, n);');
    expect(out).toBe("conso|11\n");
  });

  it("64-bit division helpers agree with BigInt", () => {
    const pairs: [bigint, bigint][] = [
      [1_000_000_000_000n, 60n], [0xffffffffffffffffn, 3n], [123456789012345n, 1000000000n],
      [5n, 7n], [0x8000000000000000n, 0x100000001n], [999n, 1n], [0x123456789abcdefn, 0xfedcban],
    ];
    const signed: [bigint, bigint][] = [[-1000000000007n, 60n], [1000000000007n, -61n], [-77n, -5n], [-9223372036854775807n, 2n]];
    const body = [
      ...pairs.map(([a, b]) => `printf("%llu %llu\\n", guest_udivdi3(${a}ULL, ${b}ULL), guest_umoddi3(${a}ULL, ${b}ULL));`),
      ...signed.map(([a, b]) => `printf("%lld %lld\\n", guest_divdi3(${a}LL, ${b}LL), guest_moddi3(${a}LL, ${b}LL));`),
    ].join("\n");
    const lines = runHarness(body).trim().split("\n");
    pairs.forEach(([a, b], i) => expect(lines[i]).toBe(`${a / b} ${a % b}`));
    signed.forEach(([a, b], i) => expect(lines[pairs.length + i]).toBe(`${a / b} ${a % b}`));
  });
});
