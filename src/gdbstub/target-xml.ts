// XML documents served through qXfer: the target description (gdb-rsp.md section 4.4:
// osabi none, org.gnu.gdb.i386.core with x87, a custom "system" feature, no i386.segments)
// and the thread list naming each thread after its domain. Both are pure ASCII.
import { asciiText } from "./hex.js";
import { REGISTERS, type RegisterInfo } from "./registers.js";
import { formatThreadId } from "./thread-id.js";
import type { VcpuInfo } from "./target.js";

export const SYSTEM_FEATURE = "org.minix-on-xen.i386.system";

/** EFLAGS bits gdb decodes by name (Intel SDM vol. 1, 3.4.3). */
const EFLAGS_FIELDS: Array<[string, number]> = [
  ["CF", 0], ["PF", 2], ["AF", 4], ["ZF", 6], ["SF", 7], ["TF", 8], ["IF", 9], ["DF", 10],
  ["OF", 11], ["NT", 14], ["RF", 16], ["VM", 17], ["AC", 18], ["VIF", 19], ["VIP", 20], ["ID", 21],
];

/** Escapes text for XML and makes it ASCII. */
export function xmlText(text: string): string {
  return asciiText(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function regElement(r: RegisterInfo): string {
  const group = r.group === undefined ? "" : ` group="${r.group}"`;
  return `    <reg name="${r.name}" bitsize="${r.bits}" type="${r.type}" regnum="${r.regnum}"${group}/>`;
}

function buildTargetXml(): string {
  const eflags = EFLAGS_FIELDS.map(([n, b]) => `      <field name="${n}" start="${b}" end="${b}"/>`).join("\n");
  return [
    '<?xml version="1.0"?>',
    '<target version="1.0">',
    "  <architecture>i386</architecture>",
    "  <osabi>none</osabi>",
    '  <feature name="org.gnu.gdb.i386.core">',
    '    <flags id="i386_eflags" size="4">',
    eflags,
    "    </flags>",
    ...REGISTERS.filter((r) => r.feature === "core").map(regElement),
    "  </feature>",
    `  <feature name="${SYSTEM_FEATURE}">`,
    ...REGISTERS.filter((r) => r.feature === "system").map(regElement),
    "  </feature>",
    "</target>",
    "",
  ].join("\n");
}

/** The target description, built once: it never changes. */
export const TARGET_XML = buildTargetXml();

export function threadsXml(vcpus: VcpuInfo[]): string {
  const rows = vcpus.map(
    (v) =>
      `<thread id="${formatThreadId(v.ref)}" core="${v.ref.vcpu}" name="${xmlText(v.domainName)}">` +
      `${xmlText(`domain ${v.ref.domain} vcpu ${v.ref.vcpu}: ${v.state}`)}</thread>`,
  );
  return ['<?xml version="1.0"?>', "<threads>", ...rows, "</threads>", ""].join("\n");
}
