// The guest's C copy of the Xen 2.0 ABI (src/minix/guest/include/xen/) agrees with src/xen/abi.ts:
// a gcc -m32 probe generated from every numeric constant and offset table of abi.ts prints the
// C side's value of each; a name missing in C fails the compile, a different value fails here.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as abi from "../../src/xen/abi.js";

const INCLUDE = "src/minix/guest/include";

/** Host-only facts (Xen internals, the native dom0 interface) with no C twin on purpose. */
const HOST_ONLY = new Set([
  "DOM0_INTERFACE_VERSION", "DOM0_OP_SIZE", "BOUNCE_EFLAGS_MASK",
  "PGT_none", "PGT_l1_page_table", "PGT_l2_page_table", "PGT_gdt_page", "PGT_ldt_page", "PGT_writable_page",
]);

/** C names differing from the TS names: errno values are prefixed because MINIX has its own errno. */
function cName(tsName: string): string {
  return /^E[A-Z]+$/.test(tsName) ? `XEN_${tsName}` : tsName;
}

interface CLayout {
  type: string;
  /** Field path inside `type` where it differs from the TS key. */
  paths?: Record<string, string>;
}

const LAYOUTS: Record<string, CLayout> = {
  MMU_UPDATE: { type: "mmu_update_t" },
  TRAP_INFO: { type: "trap_info_t" },
  VM86_ACTIVATION: { type: "vm86_activation_t" },
  VM86_BOUNCE_FRAME: { type: "vm86_bounce_frame_t" },
  MULTICALL_ENTRY: { type: "multicall_entry_t", paths: { result: "args[5]" } },
  VCPU_INFO: { type: "vcpu_info_t" },
  SHARED_INFO: {
    type: "shared_info_t",
    paths: {
      evtchn_upcall_pending: "vcpu_data[0].evtchn_upcall_pending",
      evtchn_upcall_mask: "vcpu_data[0].evtchn_upcall_mask",
      mfn_to_pfn_start: "arch.mfn_to_pfn_start",
      pfn_to_mfn_frame_list: "arch.pfn_to_mfn_frame_list",
    },
  },
  START_INFO: { type: "start_info_t" },
  EVTCHN_OP: { type: "evtchn_op_t" },
  EVTCHN_BIND_INTERDOMAIN: { type: "evtchn_op_t", paths: prefixed("u.bind_interdomain.", ["dom1", "dom2", "port1", "port2"]) },
  EVTCHN_BIND_VIRQ: { type: "evtchn_op_t", paths: prefixed("u.bind_virq.", ["virq", "port"]) },
  EVTCHN_BIND_PIRQ: { type: "evtchn_op_t", paths: prefixed("u.bind_pirq.", ["pirq", "flags", "port"]) },
  EVTCHN_CLOSE: { type: "evtchn_op_t", paths: prefixed("u.close.", ["dom", "port"]) },
  EVTCHN_SEND: { type: "evtchn_op_t", paths: prefixed("u.send.", ["local_port"]) },
  EVTCHN_ALLOC_UNBOUND: { type: "evtchn_op_t", paths: prefixed("u.alloc_unbound.", ["dom", "port"]) },
  EVTCHN_STATUS: {
    type: "evtchn_op_t",
    paths: {
      ...prefixed("u.status.", ["dom", "port", "status"]),
      unbound_dom: "u.status.u.unbound.dom",
      interdomain_dom: "u.status.u.interdomain.dom",
      interdomain_port: "u.status.u.interdomain.port",
      pirq: "u.status.u.pirq",
      virq: "u.status.u.virq",
    },
  },
  CONTROL_MSG: { type: "control_msg_t" },
  CONTROL_IF: { type: "control_if_t" },
  BLKIF_FE_INTERFACE_STATUS: { type: "blkif_fe_interface_status_t" },
  BLKIF_FE_DRIVER_STATUS: { type: "blkif_fe_driver_status_t" },
  BLKIF_FE_INTERFACE_CONNECT: { type: "blkif_fe_interface_connect_t" },
  BLKIF_FE_INTERFACE_DISCONNECT: { type: "blkif_fe_interface_disconnect_t" },
  MEM_REQUEST: { type: "mem_request_t" },
  BLKIF_RING: { type: "blkif_ring_t" },
  BLKIF_REQUEST: { type: "blkif_request_t" },
  BLKIF_RESPONSE: { type: "blkif_response_t" },
  VDISK: { type: "vdisk_t" },
  GRANT_ENTRY: { type: "grant_entry_t" },
  GNTTAB_MAP_GRANT_REF: { type: "gnttab_map_grant_ref_t" },
  GNTTAB_UNMAP_GRANT_REF: { type: "gnttab_unmap_grant_ref_t" },
  GNTTAB_SETUP_TABLE: { type: "gnttab_setup_table_t" },
};

function prefixed(prefix: string, fields: string[]): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f, prefix + f]));
}

function isLayout(v: unknown): v is Record<string, number> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "number");
}

/** Expected probe lines (name -> value) and the C expressions that print them. */
function probeTable(): { expected: Map<string, number>; cExprs: Map<string, string> } {
  const expected = new Map<string, number>();
  const cExprs = new Map<string, string>();
  for (const [name, value] of Object.entries(abi)) {
    if (typeof value === "number") {
      if (HOST_ONLY.has(name)) continue;
      expected.set(name, value);
      cExprs.set(name, cName(name));
    } else if (isLayout(value)) {
      const layout = LAYOUTS[name];
      if (!layout) throw new Error(`abi.ts layout ${name} has no C struct named in this test`);
      for (const [field, off] of Object.entries(value)) {
        const key = `${name}.${field}`;
        expected.set(key, off);
        cExprs.set(key, field === "SIZE" ? `sizeof(${layout.type})` : `__builtin_offsetof(${layout.type}, ${layout.paths?.[field] ?? field})`);
      }
    }
  }
  return { expected, cExprs };
}

function buildProbe(cExprs: Map<string, string>): string {
  const lines = [...cExprs].map(([k, e]) => `  printf("%s=%lld\\n", "${k}", (long long)(${e}));`);
  return [
    "#include <stdio.h>",
    '#include "xen/xen.h"',
    '#include "xen/io/domain_controller.h"',
    '#include "xen/io/blkif.h"',
    '#include "xen/hypercall.h"',
    "int main(void) {",
    ...lines,
    "  return 0;",
    "}",
  ].join("\n");
}

describe("guest ABI headers", () => {
  it("agree with abi.ts on every constant, offset and size", () => {
    const { expected, cExprs } = probeTable();
    const dir = mkdtempSync(join(tmpdir(), "xen-abi-probe-"));
    try {
      writeFileSync(join(dir, "probe.c"), buildProbe(cExprs));
      // -iquote: the guest tree has its own libc headers (stdio.h...) that must not shadow the host's.
      execFileSync("gcc", ["-m32", "-Wall", "-Werror", "-iquote", INCLUDE, "-o", join(dir, "probe"), join(dir, "probe.c")], { stdio: "pipe" });
      const out = execFileSync(join(dir, "probe"), { encoding: "utf8" });
      const got = new Map(out.trim().split("\n").map((l) => {
        const i = l.indexOf("=");
        return [l.slice(0, i), Number(l.slice(i + 1))] as const;
      }));
      expect(got.size).toBe(expected.size);
      const mismatches = [...expected].filter(([k, v]) => got.get(k) !== v).map(([k, v]) => `${k}: abi.ts ${v}, C ${got.get(k)}`);
      expect(mismatches).toEqual([]);
      expect(expected.size).toBeGreaterThan(300);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("xen.h and the io headers assemble in a .S file", () => {
    const dir = mkdtempSync(join(tmpdir(), "xen-abi-asm-"));
    try {
      writeFileSync(join(dir, "t.S"), [
        '#include "xen/xen.h"',
        '#include "xen/io/domain_controller.h"',
        '#include "xen/io/blkif.h"',
        '#include "xen/hypercall.h"',
        "  movl $__HYPERVISOR_xen_version, %eax",
        "  movl $FLAT_RING1_DS, %ebx",
        "  int $HYPERCALL_VECTOR",
        "  movl $(CONTROL_IF_OFFSET + CONTROL_RING_SIZE), %ecx",
      ].join("\n") + "\n");
      execFileSync("gcc", ["-m32", "-D__ASSEMBLY__", "-I", INCLUDE, "-c", "-o", join(dir, "t.o"), join(dir, "t.S")], { stdio: "pipe" });
      const dis = execFileSync("objdump", ["-d", join(dir, "t.o")], { encoding: "utf8" });
      expect(dis).toContain("int    $0x82");
      expect(dis).toContain("$0x821,%ebx");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("hypercall wrappers put the number in eax and arguments in ebx ecx edx esi edi", () => {
    const dir = mkdtempSync(join(tmpdir(), "xen-abi-hc-"));
    try {
      writeFileSync(join(dir, "w.c"), [
        '#include "xen/xen.h"',
        '#include "xen/hypercall.h"',
        "long f(void) { return _hypercall5(21, 0x11, 0x22, 0x33, 0x44, 0x55); }",
      ].join("\n"));
      execFileSync("gcc", ["-m32", "-O2", "-ffreestanding", "-nostdinc", "-fno-pic", "-I", INCLUDE, "-c", "-o", join(dir, "w.o"), join(dir, "w.c")], { stdio: "pipe" });
      const dis = execFileSync("objdump", ["-d", join(dir, "w.o")], { encoding: "utf8" });
      for (const want of ["$0x15,%eax", "$0x11,%ebx", "$0x22,%ecx", "$0x33,%edx", "$0x44,%esi", "$0x55,%edi", "int    $0x82"]) {
        expect(dis).toContain(want);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
