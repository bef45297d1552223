// Xen's private part of every address space (x86_32, Xen 2.0 config.h): the L2 slots from
// HYPERVISOR_VIRT_START up. We map two of them for real: the read-only M2P table the guest
// may read, and the per-domain area holding the GDT and the shadow LDT the CPU reads
// descriptors from. Ring 1 and 3 cannot reach the per-domain area: flat segments end at
// 0xFC3FFFFF and descriptor checks keep guest segments below XEN_PAGE_OFFSET.

/** L2 slot of the read-only machine-to-phys table (VA 0xFC000000). */
export const RO_MPT_L2_SLOT = 0xfc000000 >>> 22;
/** Per-domain area (VA 0xFF400000): GDT at +0 (16 frames), shadow LDT at +64 KiB (16 frames). */
export const PERDOMAIN_VIRT_START = 0xff400000;
export const PERDOMAIN_L2_SLOT = PERDOMAIN_VIRT_START >>> 22;
export const GDT_VIRT_START = PERDOMAIN_VIRT_START;
export const LDT_VIRT_START = PERDOMAIN_VIRT_START + 0x10000;
/** Index of the first shadow-LDT PTE in the per-domain L1. */
export const LDT_PTE_INDEX = 16;
