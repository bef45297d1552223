// Domain builders and their registry, keyed by a config file's `builder=` setting. Xen 2.0 had
// one builder per image format in libxc (xc_linux_build for ELF, xc_plan9_build, and the
// report's xc_minix_build); here a builder is a plain object registered by name, so the MINIX
// builder plugs in from src/minix without this room knowing it. Every address field says its
// kind: Va (guest virtual), Pfn (pseudo-physical frame), Mfn (machine frame), Ma (machine address).
import type { MachineMemory } from "../../emu/memory.js";
import type { DomainConfig } from "./config.js";

/** What a builder is given: the image, and the domain's memory as Xen handed it out. */
export interface BuildRequest {
  /** Domain id, for messages. */
  domid: number;
  /** The kernel image's bytes and the path it was read from (for errors). */
  kernel: Uint8Array;
  kernelPath: string;
  /** The initial ramdisk/module, if the config names one. */
  ramdisk: Uint8Array | undefined;
  /** Kernel command line (the builder truncates it to MAX_CMDLINE-1 bytes). */
  cmdline: string;
  /** The whole config, for builders that read more of it (the MINIX builder reads `extra`). */
  config: DomainConfig;
  /** Machine memory: every write the builder makes goes through it. */
  memory: MachineMemory;
  /** The domain's frames: p2mMfn[pfn] is the MFN backing pseudo-physical frame pfn. */
  p2mMfn: readonly number[];
  /** Machine address of the domain's shared_info page (not part of p2mMfn). */
  sharedInfoMa: number;
  /** The guest's port of the control-interface event channel (start_info.domain_controller_evtchn). */
  controlEvtchnPort: number;
  /** start_info.flags (SIF_*); 0 for a plain domU. */
  startInfoFlags: number;
}

/** The initial vcpu register state a builder asks for (Xen 2.0's full_execution_context_t subset). */
export interface InitialRegisters {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
  esi: number;
  edi: number;
  ebp: number;
  esp: number;
  eip: number;
  eflags: number;
  cs: number;
  ds: number;
  es: number;
  fs: number;
  gs: number;
  ss: number;
}

/** What a builder produced; xend applies it through the hypervisor's domain API. */
export interface BuildResult {
  regs: InitialRegisters;
  /** Machine address of the bootstrap page directory: loaded as CR3 and pinned as an L2 table. */
  pageDirectoryMa: number;
  /** Ring-1 stack for ring-3 -> ring-1 transitions (TSS SS1:ESP1), a VA. */
  kernelStackSs: number;
  kernelStackVa: number;
  /** Turn on VMASST_TYPE_writable_pagetables before the first run (PT_MODE_WRITABLE). */
  writablePagetables: boolean;
  /** GDT the domain starts with, as MFNs plus its entry count; undefined keeps Xen's default GDT. */
  gdt: { frameMfns: number[]; entries: number } | undefined;
  /** Where things went, for logs and `xm list -l`: each name ends in its address kind. */
  layout: Record<string, number>;
}

export interface DomainBuilder {
  /** The config's `builder=` value this builder answers to. */
  readonly name: string;
  /** One line for `xm` help and logs. */
  readonly description: string;
  /** Lays the image into the domain's frames; throws RangeError with a clear message on bad images. */
  build(req: BuildRequest): BuildResult;
}

const registry = new Map<string, DomainBuilder>();

/** Adds a builder; a second builder under the same name is a host bug. */
export function registerBuilder(builder: DomainBuilder): void {
  if (registry.has(builder.name)) throw new Error(`Cannot register builder "${builder.name}": already registered`);
  registry.set(builder.name, builder);
}

/** Looks a builder up by name, with an error listing the ones there are. */
export function findBuilder(name: string): DomainBuilder {
  const b = registry.get(name);
  if (b === undefined) {
    throw new RangeError(`Cannot build domain: no builder "${name}" (registered: ${[...registry.keys()].sort().join(", ") || "none"})`);
  }
  return b;
}

export function builderNames(): string[] {
  return [...registry.keys()].sort();
}
