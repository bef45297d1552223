import type { Cpu } from "./cpu.js";
export function traceInstruction(c: Cpu): string {
  return `${(c.csBase + c.ip) >>> 0}`;
}
