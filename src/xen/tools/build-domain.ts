// The build sequence xend's `create` runs on a fresh domain (Xen 2.0's xc_*_build path): bind the
// control event channel, run the named builder over the domain's frames, then hand the builder's
// page directory, registers and GDT to the hypervisor. One owner, so test loaders build exactly
// as xend does.
import { PAGE_SIZE } from "../abi.js";
import type { Domain } from "../domain.js";
import type { XenHost } from "../host.js";
import type { BuildResult, DomainBuilder } from "./builder.js";
import type { DomainConfig } from "./config.js";

export interface BuiltDomain {
  /** dom0's and the guest's ports of the control-interface event channel. */
  dom0Port: number;
  guestPort: number;
  /** Machine address of the domain's shared_info page. */
  sharedInfoMa: number;
  result: BuildResult;
}

/** Builds `d` (created, not yet run) from `config` with `builder`; the domain stays paused. */
export function buildConfiguredDomain(
  hv: XenHost,
  d: Domain,
  builder: DomainBuilder,
  image: { config: DomainConfig; kernel: Uint8Array; ramdisk: Uint8Array | undefined },
): BuiltDomain {
  const { dom0Port, guestPort } = hv.bindControlChannel(d);
  const sharedInfoMa = d.sharedInfoMfn * PAGE_SIZE;
  const result = builder.build({
    domid: d.id,
    kernel: image.kernel,
    kernelPath: image.config.kernel,
    ramdisk: image.ramdisk,
    cmdline: image.config.cmdline,
    config: image.config,
    memory: hv.mem,
    p2mMfn: d.frameList,
    sharedInfoMa,
    controlEvtchnPort: guestPort,
    startInfoFlags: 0,
  });
  hv.buildDomain(d, {
    regs: result.regs,
    l2Mfn: result.pageDirectoryMa / PAGE_SIZE,
    vmAssistWritablePt: result.writablePagetables,
    fillM2p: true,
    gdt: result.gdt === undefined ? undefined : { frames: result.gdt.frameMfns, entries: result.gdt.entries },
  });
  return { dom0Port, guestPort, sharedInfoMa, result };
}
