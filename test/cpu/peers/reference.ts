// Builds the reference output of a test kernel from the two peers: a line both print is the
// reference; a line they print differently needs a ruling (rulings.ts) and takes the value of
// the peer the Intel manual sides with.
import { RULINGS, type Peer, type Ruling } from "./rulings.js";

export interface Disagreement {
  check: string;
  qemu: string;
  bochs: string;
  ruling: Ruling | undefined;
}

export interface Reference {
  lines: string[];
  disagreements: Disagreement[];
}

export function checkName(line: string): string {
  const i = line.indexOf(": ");
  return i < 0 ? line : line.slice(0, i);
}

/** Throws when the peers ran different sets of checks (a kernel-level failure). */
export function buildReference(kernel: string, qemu: string[], bochs: string[]): Reference {
  const qNames = qemu.map(checkName).join("\n");
  const bNames = bochs.map(checkName).join("\n");
  if (qNames !== bNames) {
    throw new Error(`Cannot compare peers on kernel "${kernel}": qemu and bochs ran different checks\n` +
      `qemu:  ${qemu.map(checkName).join(" ")}\nbochs: ${bochs.map(checkName).join(" ")}`);
  }
  const lines: string[] = [];
  const disagreements: Disagreement[] = [];
  for (let i = 0; i < qemu.length; i++) {
    if (qemu[i] === bochs[i]) {
      lines.push(qemu[i]);
      continue;
    }
    const check = checkName(qemu[i]);
    const ruling = RULINGS.find((r) => r.kernel === kernel && r.checks.test(check));
    disagreements.push({ check, qemu: qemu[i], bochs: bochs[i], ruling });
    const right: Peer = ruling?.right ?? "bochs";
    lines.push(right === "qemu" ? qemu[i] : bochs[i]);
  }
  return { lines, disagreements };
}

/** Rulings for this kernel that matched no disagreement. */
export function staleRulings(kernel: string, ref: Reference): Ruling[] {
  return RULINGS.filter((r) => r.kernel === kernel && !ref.disagreements.some((d) => d.ruling === r));
}
