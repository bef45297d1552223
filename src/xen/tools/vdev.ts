// Guest device names of `disk = [...]` entries to the 16-bit device numbers Xen 2.0's xend put
// in vdisk_t.device (Linux major/minor: hda1 = 0x0301, sda1 = 0x0801), as blkif.py's
// blkdev_name_to_number did for the IDE and SCSI names.

/** IDE majors, two drives per controller, 64 minors per drive. */
const IDE_MAJORS = [3, 22, 33, 34, 56, 57, 88, 89, 90, 91];
const SCSI_DISK_MAJOR = 8;

/** The device number for a name such as hda, hda1, sdb3; throws RangeError for others. */
export function vdevNumber(name: string): number {
  const ide = /^hd([a-t])([0-9]*)$/.exec(name);
  if (ide !== null) {
    const drive = ide[1].charCodeAt(0) - 97;
    const part = ide[2] === "" ? 0 : Number(ide[2]);
    if (part < 64) return (IDE_MAJORS[drive >> 1] << 8) | ((drive & 1) << 6) | part;
  }
  const scsi = /^sd([a-p])([0-9]*)$/.exec(name);
  if (scsi !== null) {
    const disk = scsi[1].charCodeAt(0) - 97;
    const part = scsi[2] === "" ? 0 : Number(scsi[2]);
    if (part < 16) return (SCSI_DISK_MAJOR << 8) | (disk << 4) | part;
  }
  throw new RangeError(`Cannot name virtual disk "${name}": expected hdX[N] (N < 64) or sdX[N] (N < 16)`);
}
