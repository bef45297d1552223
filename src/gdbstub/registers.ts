// The i386 register layout the stub shows gdb: remote register numbers, sizes and gdb types,
// in target-description order. The core block is gdb's org.gnu.gdb.i386.core (general,
// segment and x87 registers, required by GDB 13); the "system" block is our own feature
// (gdb-rsp.md sections 4.3-4.4). The `g` packet carries the core block only.

export type RegisterFeature = "core" | "system";

export interface RegisterInfo {
  /** Remote register number (`p`/`P`, expedited registers in stop replies). */
  regnum: number;
  name: string;
  bits: number;
  /** gdb type name in the target description. */
  type: string;
  group?: string;
  feature: RegisterFeature;
}

const core: Array<[string, number, string, string?]> = [
  ["eax", 32, "int32"],
  ["ecx", 32, "int32"],
  ["edx", 32, "int32"],
  ["ebx", 32, "int32"],
  ["esp", 32, "data_ptr"],
  ["ebp", 32, "data_ptr"],
  ["esi", 32, "int32"],
  ["edi", 32, "int32"],
  ["eip", 32, "code_ptr"],
  ["eflags", 32, "i386_eflags"],
  ["cs", 32, "int32"],
  ["ss", 32, "int32"],
  ["ds", 32, "int32"],
  ["es", 32, "int32"],
  ["fs", 32, "int32"],
  ["gs", 32, "int32"],
  ["st0", 80, "i387_ext"],
  ["st1", 80, "i387_ext"],
  ["st2", 80, "i387_ext"],
  ["st3", 80, "i387_ext"],
  ["st4", 80, "i387_ext"],
  ["st5", 80, "i387_ext"],
  ["st6", 80, "i387_ext"],
  ["st7", 80, "i387_ext"],
  ["fctrl", 32, "int", "float"],
  ["fstat", 32, "int", "float"],
  ["ftag", 32, "int", "float"],
  ["fiseg", 32, "int", "float"],
  ["fioff", 32, "int", "float"],
  ["foseg", 32, "int", "float"],
  ["fooff", 32, "int", "float"],
  ["fop", 32, "int", "float"],
];

/** Segment bases and limits come from the vcpu's descriptor caches; the xen_* from shared_info. */
const system: Array<[string, string]> = [
  ["cs_base", "data_ptr"],
  ["cs_limit", "uint32"],
  ["ss_base", "data_ptr"],
  ["ss_limit", "uint32"],
  ["ds_base", "data_ptr"],
  ["ds_limit", "uint32"],
  ["es_base", "data_ptr"],
  ["es_limit", "uint32"],
  ["fs_base", "data_ptr"],
  ["fs_limit", "uint32"],
  ["gs_base", "data_ptr"],
  ["gs_limit", "uint32"],
  ["cr0", "uint32"],
  ["cr2", "data_ptr"],
  ["cr3", "uint32"],
  ["xen_domid", "uint32"],
  ["xen_vcpu", "uint32"],
  ["evtchn_upcall_pending", "uint32"],
  ["evtchn_upcall_mask", "uint32"],
];

/**
 * First remote number of the system block. GDB 13 gives inferiors it discovers after the first
 * (domains 1 and up) its default i386 layout, not our description, and that layout numbers
 * xmm0-7 and mxcsr 32-40; starting above them keeps `p` of those numbers from being answered
 * with a system register of the wrong size.
 */
export const SYSTEM_REGNUM_BASE = 0x40;

export const REGISTERS: readonly RegisterInfo[] = [
  ...core.map(([name, bits, type, group], i): RegisterInfo => ({
    regnum: i,
    name,
    bits,
    type,
    feature: "core",
    ...(group === undefined ? {} : { group }),
  })),
  ...system.map(([name, type], i): RegisterInfo => ({
    regnum: SYSTEM_REGNUM_BASE + i,
    name,
    bits: 32,
    type,
    group: "system",
    feature: "system",
  })),
];

export type RegisterName = string;

export const CORE_REGISTERS = REGISTERS.filter((r) => r.feature === "core");
/** Bytes in a `g` reply: the core block. */
export const CORE_BLOCK_BYTES = CORE_REGISTERS.reduce((n, r) => n + r.bits / 8, 0);

const byName = new Map(REGISTERS.map((r) => [r.name, r]));
const byNumber = new Map(REGISTERS.map((r) => [r.regnum, r]));

export function registerByName(name: string): RegisterInfo | undefined {
  return byName.get(name);
}

export function registerByNumber(regnum: number): RegisterInfo | undefined {
  return byNumber.get(regnum);
}

/** Remote numbers of the registers sent along with every stop reply (so a step needs no `g`). */
export const EXPEDITED = ["esp", "ebp", "eip"].map((n) => byName.get(n)!.regnum);
