// Xen's access to a guest's linear addresses (copy_from_user / copy_to_user in Xen 2.0): a
// software walk of the domain's current page tables, as the MMU would do for a supervisor access
// with CR0.WP=1. Guest pointers at or above HYPERVISOR_VIRT_START are refused, so a hypercall
// argument can never make Xen read or write its own area. Every helper returns null/false on a
// fault, which handlers turn into -EFAULT.
import { HYPERVISOR_VIRT_START, _PAGE_PRESENT, _PAGE_RW } from "./abi.js";
import type { MachineMemory } from "../emu/memory.js";

/** What a walk needs: machine memory and the MFN of the L2 in CR3. */
export interface AddressSpace {
  readonly mem: MachineMemory;
  /** MFN of the current page directory, or -1 when the domain has none yet. */
  readonly baseptrMfn: number;
}

/**
 * Machine address behind a guest linear address, or -1 if the MMU would fault.
 * @param va guest linear address
 * @param write true for a write access (needs RW in both levels, WP=1 semantics)
 */
export function guestVaToMa(as: AddressSpace, va: number, write: boolean): number {
  va >>>= 0;
  if (va >= HYPERVISOR_VIRT_START || as.baseptrMfn < 0) return -1;
  const mem = as.mem;
  const l2eMa = as.baseptrMfn * 4096 + (va >>> 22) * 4;
  const pde = mem.view.getUint32(l2eMa, true);
  if ((pde & _PAGE_PRESENT) === 0 || (write && (pde & _PAGE_RW) === 0)) return -1;
  const l1Ma = (pde & 0xfffff000) >>> 0;
  if (l1Ma + 4096 > mem.bytes) return -1;
  const pte = mem.view.getUint32(l1Ma + ((va >>> 12) & 1023) * 4, true);
  if ((pte & _PAGE_PRESENT) === 0 || (write && (pte & _PAGE_RW) === 0)) return -1;
  const ma = ((pte & 0xfffff000) >>> 0) + (va & 0xfff);
  return ma < mem.bytes ? ma : -1;
}

/** Copies `len` bytes from the guest, or null on a fault. */
export function copyFromGuest(as: AddressSpace, va: number, len: number): Uint8Array | null {
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const cur = (va + done) >>> 0;
    const ma = guestVaToMa(as, cur, false);
    if (ma < 0) return null;
    const chunk = Math.min(len - done, 4096 - (cur & 0xfff));
    out.set(as.mem.u8.subarray(ma, ma + chunk), done);
    done += chunk;
  }
  return out;
}

/** Copies bytes into the guest; false on a fault (bytes before the fault may be written). */
export function copyToGuest(as: AddressSpace, va: number, data: Uint8Array): boolean {
  let done = 0;
  while (done < data.length) {
    const cur = (va + done) >>> 0;
    const ma = guestVaToMa(as, cur, true);
    if (ma < 0) return false;
    const chunk = Math.min(data.length - done, 4096 - (cur & 0xfff));
    as.mem.writeBytes(ma, data.subarray(done, done + chunk));
    done += chunk;
  }
  return true;
}

/** Reads one u32 from the guest, or null on a fault. */
export function readGuest32(as: AddressSpace, va: number): number | null {
  const b = copyFromGuest(as, va, 4);
  if (!b) return null;
  return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

/** Writes one u32 into the guest; false on a fault. */
export function writeGuest32(as: AddressSpace, va: number, value: number): boolean {
  if (((va >>> 0) & 0xfff) <= 0xffc) {
    // Within one page (the usual case, e.g. a bounce frame): one walk, no buffer.
    const ma = guestVaToMa(as, va >>> 0, true);
    if (ma < 0 || ma + 4 > as.mem.bytes) return false;
    as.mem.write32(ma, value);
    return true;
  }
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return copyToGuest(as, va, b);
}
