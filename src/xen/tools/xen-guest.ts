// The `__xen_guest` section of a Xen ELF kernel: a comma-separated ASCII string of KEY=VALUE
// items and flags (GUEST_OS, GUEST_VER, XEN_VER, VIRT_BASE, LOADER, PT_MODE_WRITABLE,
// BSD_SYMTAB). Xen 2.0's Linux builder loads an image only when the string says
// GUEST_OS=linux or LOADER=generic, and XEN_VER=2.0 (xen2-abi.md §5.3).
import { parseElf, sectionBytes, type ElfImage } from "./elf.js";

export const XEN_GUEST_SECTION = "__xen_guest";
/** The interface version string Xen 2.0's builder insists on. */
export const XEN_GUEST_VERSION = "2.0";

export interface XenGuestInfo {
  /** The string as found (without its NUL). */
  raw: string;
  /** Every item: KEY=VALUE gives the value, a bare FLAG gives "". */
  items: ReadonlyMap<string, string>;
  guestOs: string | undefined;
  loader: string | undefined;
  xenVer: string | undefined;
  /** VA where the bootstrap region starts; undefined = the lowest loadable p_vaddr. */
  virtBase: number | undefined;
  /** PT_MODE_WRITABLE: the builder turns on the writable-page-tables assist. */
  ptModeWritable: boolean;
}

/** Parses and checks a `__xen_guest` string; `what` names the image in errors. */
export function parseXenGuestString(raw: string, what: string): XenGuestInfo {
  const fail = (why: string): never => {
    throw new RangeError(`Cannot load kernel "${what}": ${why}`);
  };
  const items = new Map<string, string>();
  for (const part of raw.split(",")) {
    const item = part.trim();
    if (item === "") continue;
    const eq = item.indexOf("=");
    if (eq < 0) items.set(item, "");
    else items.set(item.slice(0, eq), item.slice(eq + 1));
  }
  const guestOs = items.get("GUEST_OS");
  const loader = items.get("LOADER");
  const xenVer = items.get("XEN_VER");
  if (guestOs !== "linux" && loader !== "generic") {
    fail(`__xen_guest is "${raw}", expected GUEST_OS=linux or LOADER=generic`);
  }
  if (xenVer !== XEN_GUEST_VERSION) {
    fail(`__xen_guest is "${raw}", expected XEN_VER=${XEN_GUEST_VERSION} (found ${xenVer === undefined ? "none" : `"${xenVer}"`})`);
  }
  let virtBase: number | undefined;
  const vb = items.get("VIRT_BASE");
  if (vb !== undefined) {
    virtBase = parseCUnsigned(vb);
    if (virtBase === undefined) fail(`VIRT_BASE is "${vb}", expected a number such as 0xC0000000`);
  }
  return { raw, items, guestOs, loader, xenVer, virtBase, ptModeWritable: items.has("PT_MODE_WRITABLE") };
}

/** Finds, parses and checks the `__xen_guest` section of an ELF image. */
export function readXenGuestInfo(image: ElfImage, what: string): XenGuestInfo {
  const bytes = sectionBytes(image, XEN_GUEST_SECTION);
  if (bytes === undefined) throw new RangeError(`Cannot load kernel "${what}": it has no ${XEN_GUEST_SECTION} section, so it was not built for Xen`);
  let raw = "";
  for (const b of bytes) {
    if (b === 0) break;
    raw += String.fromCharCode(b);
  }
  return parseXenGuestString(raw, what);
}

/** Convenience: parse ELF bytes and their __xen_guest string together. */
export function inspectXenKernel(bytes: Uint8Array, what: string): { image: ElfImage; guest: XenGuestInfo } {
  const image = parseElf(bytes, what);
  return { image, guest: readXenGuestInfo(image, what) };
}

/** strtoul(s, 0)-style: 0x.. hex, 0.. octal, else decimal; whole string, 32-bit. */
function parseCUnsigned(s: string): number | undefined {
  const t = s.trim();
  let n: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) n = parseInt(t.slice(2), 16);
  else if (/^0[0-7]*$/.test(t)) n = parseInt(t, 8);
  else if (/^[1-9][0-9]*$/.test(t)) n = parseInt(t, 10);
  else return undefined;
  return n <= 0xffffffff ? n : undefined;
}
