// Machine memory of the testing computer: one ArrayBuffer cut into 4 KiB frames.
// Addresses here are machine addresses (frame number << 12 | offset); paging and segments
// live in the CPU, frame ownership in Xen. Every write that does not come from the CPU's own
// store path goes through these methods, so decoded code cached from a frame is invalidated
// whoever writes it (Xen, a domain builder, the debugger).

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = PAGE_SIZE - 1;

export type CodeInvalidator = (frame: number) => void;

export class MachineMemory {
  readonly bytes: number;
  readonly frameCount: number;
  readonly buffer: ArrayBuffer;
  readonly u8: Uint8Array;
  readonly view: DataView;
  /** Per frame: non-zero while some CPU holds decoded code taken from that frame. */
  readonly codeFrames: Uint8Array;
  private invalidators: CodeInvalidator[] = [];

  constructor(bytes: number) {
    if (!Number.isInteger(bytes) || bytes <= 0 || bytes % PAGE_SIZE !== 0 || bytes > 0x1_0000_0000) {
      throw new RangeError(`Cannot create machine memory: size ${bytes} is not a positive multiple of 4096 up to 4 GiB`);
    }
    this.bytes = bytes;
    this.frameCount = bytes >>> PAGE_SHIFT;
    this.buffer = new ArrayBuffer(bytes);
    this.u8 = new Uint8Array(this.buffer);
    this.view = new DataView(this.buffer);
    this.codeFrames = new Uint8Array(this.frameCount);
  }

  /** Registers a callback told when a frame holding decoded code is written. */
  onCodeWrite(fn: CodeInvalidator): void {
    this.invalidators.push(fn);
  }

  /** Tells the decoded-code owners that bytes [addr, addr+len) changed. */
  noteWrite(addr: number, len: number): void {
    if (len <= 0) return;
    const first = addr >>> PAGE_SHIFT;
    const last = (addr + len - 1) >>> PAGE_SHIFT;
    for (let f = first; f <= last; f++) {
      if (this.codeFrames[f] !== 0) {
        this.codeFrames[f] = 0;
        for (const fn of this.invalidators) fn(f);
      }
    }
  }

  private check(addr: number, len: number): void {
    if (addr < 0 || addr + len > this.bytes || !Number.isInteger(addr)) {
      throw new RangeError(`Cannot access machine memory at 0x${addr.toString(16)} (+${len}): beyond ${this.bytes} bytes`);
    }
  }

  read8(addr: number): number {
    this.check(addr, 1);
    return this.u8[addr];
  }

  read16(addr: number): number {
    this.check(addr, 2);
    return this.view.getUint16(addr, true);
  }

  read32(addr: number): number {
    this.check(addr, 4);
    return this.view.getUint32(addr, true);
  }

  write8(addr: number, value: number): void {
    this.check(addr, 1);
    this.u8[addr] = value;
    this.noteWrite(addr, 1);
  }

  write16(addr: number, value: number): void {
    this.check(addr, 2);
    this.view.setUint16(addr, value, true);
    this.noteWrite(addr, 2);
  }

  write32(addr: number, value: number): void {
    this.check(addr, 4);
    this.view.setUint32(addr, value >>> 0, true);
    this.noteWrite(addr, 4);
  }

  /** Copies bytes out (the result does not alias memory). */
  readBytes(addr: number, len: number): Uint8Array {
    this.check(addr, len);
    return this.u8.slice(addr, addr + len);
  }

  writeBytes(addr: number, data: Uint8Array): void {
    this.check(addr, data.length);
    this.u8.set(data, addr);
    this.noteWrite(addr, data.length);
  }

  fill(addr: number, len: number, value: number): void {
    this.check(addr, len);
    this.u8.fill(value, addr, addr + len);
    this.noteWrite(addr, len);
  }
}
