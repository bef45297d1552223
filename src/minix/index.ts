// The MINIX room's front door: what the host knows of the guest. The a.out and boot-image
// codecs, the ELF-to-a.out conversion the guest build uses, and the MINIX domain builder.
export { decodeAout, decodeAoutHeader, encodeAout, encodeAoutHeader, type Aout, type AoutHeader } from "./aout.js";
export { checkKernel, packImage, readImage, PROCESS_MAX, type ImageEntry, type ImageProgram } from "./image.js";
export { elfToAout, type ElfToAoutOptions } from "./elf-to-aout.js";
export {
  buildMinixDomain,
  minixBuilder,
  normalizeBootParams,
  planMinixLayout,
  registerMinixBuilder,
  MINIX_START_INFO,
  SHARED_INFO_VA,
  type MinixLayout,
} from "./builder.js";
