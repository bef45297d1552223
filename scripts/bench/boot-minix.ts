// npm run bench -- boot-minix: boots configs/minix.cfg on the testing computer in this process
// (serial line read directly) and measures, from domain creation to the boot test's last boot
// line ("boottest init: done"), the virtual time, the wall time and the instructions MINIX
// executed; then the host CPU share while the MINIX domain idles in interactive mode (target:
// under 5% of one core). No peer exists for an emulated Xen 2.0 host, so no ratio is reported.
import { resolve } from "node:path";
import { createSerialPair } from "../../src/emu/serial/index.js";
import { readConfigFile } from "../../src/xen/tools/config.js";
import { startTestingComputer } from "../../src/xen/tools/testing-computer.js";

const LAST_BOOT_LINE = "boottest init: done";
const IDLE_SECONDS = 5;

const pair = createSerialPair();
let text = "";
const waiters: Array<() => void> = [];
pair.development.setReceiver((chunk) => {
  text += chunk.toString("latin1");
  for (const w of waiters.splice(0)) w();
});
const waitFor = (cond: () => boolean, what: string, ms = 120_000) =>
  new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`Cannot finish benchmark: timed out waiting for ${what}; console so far:\n${text}`)), ms);
    const check = () => {
      if (cond()) {
        clearTimeout(timer);
        res();
      } else if (/MinixTester\) crashed/.test(text)) {
        clearTimeout(timer);
        rej(new Error(`Cannot finish benchmark: the MINIX domain crashed; console:\n${text}`));
      } else waiters.push(check);
    };
    check();
  });

const tc = await startTestingComputer(pair.testing, { baud: 0, configs: [], controlPath: null, timeMode: "interactive" });
try {
  const virtualStartNs = tc.host.clock.nowNs();
  const wallStart = performance.now();
  const row = tc.xend.create(readConfigFile(resolve(process.cwd(), "configs/minix.cfg")));
  const d = tc.host.core.domains.get(row.id)!;
  await waitFor(() => text.includes(LAST_BOOT_LINE), "MINIX's last boot line");
  const wallMs = performance.now() - wallStart;
  const virtualMs = (tc.host.clock.nowNs() - virtualStartNs) / 1e6;
  const instructions = d.cpuTimeInstr;
  console.log(`boot: "${LAST_BOOT_LINE}" after ${virtualMs.toFixed(1)} ms virtual, ${wallMs.toFixed(0)} ms wall, ${instructions} instructions`);

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const used = process.cpuUsage(cpu0);
  const idleShare = (used.user + used.system) / 1000 / (performance.now() - t0);
  console.log(`idle: host CPU ${(idleShare * 100).toFixed(2)}% of one core over ${IDLE_SECONDS} s with MINIX idle (target < 5%)`);
  console.log("peer: none (no other Xen 2.0 host on this machine)");
  console.log(
    JSON.stringify({
      bootVirtualMs: Number(virtualMs.toFixed(2)),
      bootWallMs: Math.round(wallMs),
      bootInstructions: instructions,
      idleCpuPercent: Number((idleShare * 100).toFixed(2)),
    }),
  );
} finally {
  await tc.stop();
  await Promise.all([pair.testing.close(), pair.development.close()]);
}
