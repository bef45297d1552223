// Placeholder executor (replaced by the full decoder/executor).
import type { Cpu } from "./cpu.js";
export function step(c: Cpu): void {
  c.fb();
  c.raise(6, -1);
}
