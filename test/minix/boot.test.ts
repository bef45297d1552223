// MINIX boots for real: the testing computer (Xen, the emulated CPU, the serial console) in
// this process, configs/minix.cfg through the 'minix' builder, the serial line read as the
// console. Checks the banner and every boot-test IPC line, typing through the TTY's line
// discipline, byte-identical boots in deterministic mode, and clock ticks against Xen time.
import { afterEach, describe, expect, it } from "vitest";
import { resolve } from "node:path";
import { execFileSync } from "node:child_process";
import { createSerialPair } from "../../src/emu/serial/index.js";
import { startTestingComputer, type TestingComputer } from "../../src/xen/tools/testing-computer.js";
import { readConfigFile } from "../../src/xen/tools/config.js";
import { PGT_gdt_page, PGT_l1_page_table, PGT_l2_page_table, START_INFO, _PAGE_RW, _PAGE_USER } from "../../src/xen/abi.js";
import { KERNEL_DS_DESCRIPTOR, MINIX_START_INFO, SHARED_INFO_VA, planMinixLayout } from "../../src/minix/builder.js";
import { aoutMemoryLayout, decodeAoutHeader, encodeAoutHeader } from "../../src/minix/aout.js";
import { checkDescriptor } from "../../src/xen/descriptors.js";
import { readImage } from "../../src/minix/image.js";
import { readFileSync } from "node:fs";

const CONFIG = resolve("configs/minix.cfg");
const HZ = 60;

interface Machine {
  tc: TestingComputer;
  text(): string;
  /** Xen's system time (ns) when the console text reached `length` characters. */
  nsAt(length: number): number;
  type(s: string): void;
  waitFor(cond: () => boolean, what: string, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

const running: Machine[] = [];

async function boot(timeMode: "interactive" | "deterministic", configOverrides?: string[]): Promise<Machine> {
  const pair = createSerialPair();
  let text = "";
  const waiters: Array<() => void> = [];
  const stamps: Array<{ end: number; ns: number }> = [];
  let clockOf: (() => number) | null = null;
  pair.development.setReceiver((chunk) => {
    text += chunk.toString("latin1");
    if (clockOf) stamps.push({ end: text.length, ns: clockOf() });
    for (const w of waiters.splice(0)) w();
  });
  const configs = configOverrides ? [] : [CONFIG];
  const tc = await startTestingComputer(pair.testing, { baud: 0, configs, controlPath: null, timeMode });
  clockOf = () => tc.host.clock.nowNs();
  if (configOverrides) tc.xend.create(readConfigFile(CONFIG, configOverrides));
  const m: Machine = {
    tc,
    text: () => text,
    nsAt: (length) => stamps.find((s) => s.end >= length)!.ns,
    type: (s) => pair.development.write(Buffer.from(s, "latin1")),
    waitFor: (cond, what, ms = 20_000) =>
      new Promise<void>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`timed out waiting for ${what}; console:\n${text}`)), ms);
        const check = () => {
          if (cond()) {
            clearTimeout(timer);
            res();
          } else if (text.includes("MinixTester) crashed")) {
            clearTimeout(timer);
            rej(new Error(`MINIX crashed; console:\n${text}`));
          } else waiters.push(check);
        };
        check();
      }),
    stop: async () => {
      await tc.stop();
      await Promise.all([pair.testing.close(), pair.development.close()]);
    },
  };
  running.push(m);
  return m;
}

afterEach(async () => {
  for (const m of running.splice(0)) await m.stop();
});

/** The boot test has finished (peer exited) and init waits at its prompt. */
const bootDone = (m: Machine) =>
  m.text().includes("boottest init: done") && m.text().includes("pm: done") && m.text().includes("system: peer (proc 9) exited") && m.text().includes("minix> ");

describe("MINIX on Xen", () => {
  it("boots: banner, TTY, and every boot-test IPC check passes in both test processes", async () => {
    const m = await boot("deterministic");
    await m.waitFor(() => bootDone(m), "the boot test to finish");
    const out = m.text();
    expect(out).toContain("MINIX 3.1.1-xen on Xen.");
    expect(out).toContain("Executing in 32-bit protected mode, ring 1; 20480 KiB of memory, boot image of 5 programs");
    expect(out).toContain("pm: process manager stand-in ready\r\n");
    expect(out).toMatch(/pm: free memory 0x[0-9a-f]+ to 0x1400000 \(\d+ KiB\)/);
    expect(out).toContain("boot parameters: rootdev=896 ramimagedev=896 ramsize=0");
    expect(out).toContain("tty: Xen virtual console ready (1 line)\r\n");
    // The real hypervisor raised VIRQ_TIMER while its port was masked; unmasking delivered it once.
    expect(out).toContain("clock: VIRQ_TIMER raised while masked: pending, 0 handler calls while masked, 1 once unmasked: ok");
    expect(out).not.toContain("FAILED");
    for (const who of ["init", "peer"]) {
      expect(out).toContain(`boottest ${who}: echo ok (0)`);
      expect(out).toContain(`boottest ${who}: send to a bad process number gives EBADSRCDST ok (-103)`);
      expect(out).toContain(`boottest ${who}: send to an empty slot gives EDEADSRCDST ok (-105)`);
      expect(out).toContain(`boottest ${who}: plain send to a kernel task gives ETRAPDENIED ok (-110)`);
      expect(out).toContain(`boottest ${who}: unpermitted kernel call gives ECALLDENIED ok (-104)`);
      expect(out).toContain(`boottest ${who}: GET_MONPARAMS in the boot monitor's form: rootdev and ramsize found ok (0)`);
      expect(out).toContain(`boottest ${who}: getuptime (SYS_TIMES for NONE) gives the uptime ok (0)`);
      expect(out).toContain(`boottest ${who}: device calls and an unknown call give EBADREQUEST ok (-107)`);
      expect(out).toContain(`boottest ${who}: done, 0 failures`);
    }
    expect(out).toContain("boottest init: sendrec to peer ok (0)");
    expect(out).toContain("boottest init: peer saw the notification ok");
    expect(out).toMatch(/boottest (init|peer): deadlock detected ok \(-101\)/);
    expect(out).toContain("system: peer (proc 9) exited");
    expect(out).toContain("boottest init: SYS_SETALARM in 6 ticks ok (0)");
    expect(out).toContain("boottest init: SYS_VIRVCOPY of two copies ok (2)");
    expect(out).toContain("boottest init: SYS_NICE to 0, out of range refused, kernel task refused ok (0)");
    expect(out).toContain("boottest init: SYS_VIRVCOPY stops at a bad copy ok (-14)");
    expect(out).toContain("boottest init: SYS_MEMSET on our own memory (found with SYS_UMAP) ok (0)");
    expect(out).toContain("boottest init: SYS_MEMSET refuses the kernel's memory ok (-14)");
    // CTRLIF's other requests (report 6.2.4); the status line is NOP's, on Xen's debugging console.
    expect(out).toMatch(/ctrlif: port \d+, tx \d+\/\d+, rx \d+\/\d+, 0 forwarded, 0 blocked/);
    expect(out).toContain("boottest init: CTRLIF: NOP, a handler registered and unregistered, a bad type refused ok (-22)");
    expect(out).toContain("boottest init: sent by CTRLIF_SEND_NOBLOCK\r\n");
    expect(out).toContain("boottest init: CTRLIF_SEND_NOBLOCK of console data ok (0)");
    expect(out).toMatch(/boottest init: SYN_ALARM from CLOCK after 6 ticks ok \(([6-9]|1\d)\)/);
  });

  it("creates processes through the PM stand-in: fork, newmap, exec, privctl, segctl, physcopy, separate I&D", async () => {
    const m = await boot("deterministic");
    await m.waitFor(() => bootDone(m), "the PM stand-in to finish");
    const out = m.text();
    const pm = out.split(/\r?\n/).filter((l) => l.startsWith("pm: "));
    expect(pm.filter((l) => l.includes("FAILED"))).toEqual([]);
    const checks = [
      /^pm: runs separate I&D \(text and data in their own segments\) ok \([1-9]\d*\)$/,
      /^pm: CS reaches the text and DS the data at the same offset 0 ok \(60721\)$/, // 0xED31: xorl %ebp,%ebp
      /^pm: SYS_PHYSCOPY refuses the kernel's memory ok \(-14\)$/,
      /^pm: SYS_FORK, SYS_NEWMAP and SYS_EXEC start a child from PM's image ok \(10\)$/,
      /^pm: the child runs at its entry on the stack SYS_EXEC gave it, with PM's data ok \(10\)$/,
      /^pm: the forked child runs and hears 0 from FORK ok \(11\)$/,
      /^pm: FORK answers the parent with its child's number ok \(11\)$/,
      /^pm: the exec'd child starts at its new entry on its new stack ok \(\d+\)$/,
      /^pm: a kernel call from the unprivileged child gives ECALLDENIED ok \(-104\)$/,
      /^pm: SYS_PRIVCTL gives the child privileges of its own ok \(0\)$/,
      /^pm: after SYS_PRIVCTL its kernel calls are accepted, and SYS_EXEC named it execd ok \(0\)$/,
      /^pm: children ended with SYS_EXIT ok \(0\)$/,
      /^pm: done, 0 failures$/,
    ];
    for (const c of checks) expect(pm.some((l) => c.test(l)), String(c)).toBe(true);
    // The selector SYS_SEGCTL handed out is the grandchild's (proc 11) first extra GDT entry, ring 3.
    const sel = Number(/pm: a SYS_SEGCTL selector reads PM's memory ok \((\d+)\)/.exec(out)![1]);
    expect(sel & 3).toBe(3);
    expect(out).toContain("system: child (proc 10) exited");
    expect(out).toContain("system: execd (proc 11) exited");
  });

  it("delivers signals during boot: catchers, SIGFPE with sigreturn, tracing and single-stepping, a kill without a catcher", async () => {
    const m = await boot("deterministic");
    await m.waitFor(() => bootDone(m), "the boot test to finish");
    const out = m.text();
    expect(out).not.toContain("FAILED");
    const inOrder = [
      "boottest init: SIGUSR1 to ourselves ran the catcher before kill returned ok (10)",
      "boottest init: divide by zero reached the SIGFPE catcher ok (8)",
      "boottest init: sigreturn resumed the division with the repaired divisor, other registers intact ok (142)",
      "boottest init: sigreturn refused the forged cs, IOPL and trace flag ok (0)",
      "boottest init: sigaction gives back the old catcher; SIGFPE is default again ok (0)",
      "boottest init: refused: SYS_KILL of a bad signal or a kernel task, SYS_SIGRETURN of a jump buffer, SYS_TRACE outside PM ok (-22)",
      "boottest init: traced by peer (T_OK) ok (0)",
      "boottest peer: init stopped at its breakpoint (SIGEMT) ok (7)",
      "boottest peer: T_GETUSER: init's pc is just past the int3 ok",
      "boottest peer: T_GETINS reads init's text ok (0)",
      `boottest peer: T_GETDATA reads init's data ok (${0x1717})`,
      `boottest peer: T_SETDATA writes init's data ok (${0xbeef})`,
      "boottest peer: address checks: outside the segment, misaligned, segment register ok (-5)",
      "boottest peer: T_STEP ran one instruction and stopped init with SIGTRAP ok (5)",
      "boottest peer: T_SETUSER sets init's ebx ok (0)",
      "boottest peer: T_RESUME ok (0)",
      "boottest peer: done, 0 failures",
      `boottest init: resumed by the tracer with its writes in place ok (${0x600d})`,
      "pm: peer (proc 9) killed by signal 15 (SIGTERM)",
      "system: peer (proc 9) exited",
      "boottest init: SIGTERM without a catcher ended peer ok (-105)",
      "boottest init: a child forked through PM, traced by init, stopped at its breakpoint ok (",
      "pm: init (proc ",
      ") ended by its tracer",
      `boottest init: T_GETDATA reads the child's memory; T_EXIT ends it ok (${0xc41d})`,
      "boottest init: console opened as our controlling terminal ok (1)",
      "boottest init: done, 0 failures",
    ];
    let at = 0;
    for (const line of inOrder) {
      const found = out.indexOf(line, at);
      expect(found, line).toBeGreaterThanOrEqual(0);
      at = found + line.length;
    }
    // The step's debug trap went through Xen, which kept DR6 (BS, single step) for get_debugreg(6).
    const d = [...m.tc.host.core.domains.values()].find((x) => x.name === "MinixTester")!;
    expect(d.vcpu.debugreg[6].toString(16)).toBe("4000");
  });

  it("accepts the report's Appendix B configuration and hands its boot parameters to the kernel", async () => {
    const pair = createSerialPair();
    let text = "";
    pair.development.setReceiver((chunk) => (text += chunk.toString("latin1")));
    const tc = await startTestingComputer(pair.testing, { baud: 0, configs: [], controlPath: null, timeMode: "deterministic" });
    running.push({ tc, text: () => text, nsAt: () => 0, type: () => {}, waitFor: async () => {}, stop: async () => {
      await tc.stop();
      await Promise.all([pair.testing.close(), pair.development.close()]);
    } });
    // Appendix B names /etc/xen/minix; only the image path is overridden.
    const config = readConfigFile("test/fixtures/xen-tools/appendix-b.cfg", [`kernel = "${resolve("build/minix/image")}"`]);
    expect(config.builder).toBe("minix");
    tc.xend.create(config);
    const deadline = Date.now() + 20_000;
    while (!text.includes("boottest init: done") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const params = "rootdev=896 ramimagedev=896 ramsize=0 processor=686 bus=xen video=xen chrome=color memory=930000:a00000 label=XEN controller=c0 image=xenimage";
    expect(text).toContain(`boot parameters: ${params}\n`);
    expect(text).toContain(`boottest init: boot parameters "${params}"`);
    expect(text).toContain("boottest init: GET_MONPARAMS in the boot monitor's form: rootdev and ramsize found ok (0)");
  });

  it("runs in the builder's layout: every region of figure 5.3 in order, each boot process's header and position, read-only frames, user bit, ring-1 descriptors, shared_info", async () => {
    const m = await boot("deterministic");
    await m.waitFor(() => bootDone(m), "the boot test to finish");
    const host = m.tc.host;
    const d = [...host.core.domains.values()].find((x) => x.name === "MinixTester")!;
    const mem = host.mem;
    const cr3 = d.vcpu.baseptrMfn * 4096;
    const pte = (va: number) => mem.read32((mem.read32(cr3 + (va >>> 22) * 4) & ~0xfff) + ((va >>> 12) & 1023) * 4);
    const ma = (va: number) => (pte(va) & ~0xfff) + (va & 0xfff);
    // The kernel's own `msi` (saved from esi at entry) names the builder's start information.
    const msiVar = parseInt(execFileSync("nm", ["build/minix/kernel.elf"], { encoding: "utf8" }).split("\n").find((l) => l.endsWith(" msi"))!.split(" ")[0], 16);
    const siVa = mem.read32(ma(msiVar));
    expect(mem.read32(ma(siVa) + MINIX_START_INFO.msi_vaddr)).toBe(siVa);
    expect(mem.read32(ma(siVa) + START_INFO.nr_pages)).toBe(d.frameList.length);
    const gdtVa = mem.read32(ma(siVa) + MINIX_START_INFO.gdt_vaddr);
    const gdtMfns = [...Array(16).keys()].map((k) => mem.read32(ma(siVa) + MINIX_START_INFO.gdt_mfns + 4 * k));
    // The kernel enabled exactly the builder's 16 frames with set_gdt; Xen typed them as GDT pages.
    expect(d.vcpu.gdtFrames).toEqual(gdtMfns);
    for (const mfn of gdtMfns) expect(host.core.frames.type[mfn]).toBe(PGT_gdt_page);
    expect(gdtMfns.map((_, k) => pte(gdtVa + k * 4096) & (_PAGE_RW | _PAGE_USER))).toEqual(Array(16).fill(0));
    // The bootstrap page directory is still the one in use, an L2, with L1s under it.
    const pdVa = mem.read32(ma(siVa) + START_INFO.pt_base);
    expect(d.vcpu.baseptrMfn).toBe(pte(pdVa) >>> 12);
    expect(host.core.frames.type[d.vcpu.baseptrMfn]).toBe(PGT_l2_page_table);
    expect(host.core.frames.type[mem.read32(cr3) >>> 12]).toBe(PGT_l1_page_table);
    // Kernel pages are supervisor-only, PM's (the first program after the kernel) are user pages; shared_info is at 0x2000000.
    expect(pte(0) & _PAGE_USER).toBe(0);
    const layout = planMinixLayout(readImage(new Uint8Array(readFileSync("build/minix/image"))), d.frameList.length, "image");
    expect(layout.processes[1].name).toBe("pm");
    expect(pte(layout.processes[1].baseVa - 4096) & _PAGE_USER).toBe(0);
    expect(pte(layout.processes[1].baseVa) & _PAGE_USER).toBe(_PAGE_USER);
    // ... and the start information the kernel read says the same.
    expect(mem.read32(ma(siVa) + MINIX_START_INFO.processes + MINIX_START_INFO.PROCESS_SIZE)).toBe(layout.processes[1].baseVa);
    expect(pte(SHARED_INFO_VA) >>> 12).toBe(d.sharedInfoMfn);
    expect(mem.read32(ma(siVa) + MINIX_START_INFO.shared_info)).toBe(SHARED_INFO_VA);

    // Figure 5.3 as the running domain holds it, read from the live start information alone:
    // the processes from VA 0, each after the previous, every header and position as in the image.
    const si = (off: number) => mem.read32(ma(siVa) + off);
    const image = readImage(new Uint8Array(readFileSync("build/minix/image")));
    expect(si(MINIX_START_INFO.nr_procs)).toBe(image.length);
    let end = 0;
    image.forEach((e, i) => {
      const p = MINIX_START_INFO.processes + i * MINIX_START_INFO.PROCESS_SIZE;
      expect([si(p), si(p + 4), si(p + 8)], e.name).toEqual([end, aoutMemoryLayout(e.aout.header, 4096).bytes, e.aout.header.entry]);
      const h = ma(siVa) + MINIX_START_INFO.procheaders + i * MINIX_START_INFO.PROCHEADER_SIZE;
      expect(Buffer.from(mem.u8.subarray(h, h + 64)).toString("latin1").split("\0")[0]).toBe(e.name);
      expect(decodeAoutHeader(mem.u8.slice(h + 64, h + 64 + 48), 0, e.name)).toEqual(decodeAoutHeader(encodeAoutHeader({ ...e.aout.header, syms: end }, true), 0, e.name));
      // The program's first text bytes sit at its position.
      expect(mem.u8.slice(ma(end), ma(end) + 16)).toEqual(e.aout.text.slice(0, 16));
      end += si(p + 4);
    });
    // ... then 16 GDT frames, the page directory, the page tables, the P2M list, the start
    // information, the boot stack page and free memory, each region right after the last.
    const nrPages = si(START_INFO.nr_pages);
    const nrPtFrames = si(START_INFO.nr_pt_frames);
    expect(gdtVa).toBe(end);
    expect(pdVa).toBe(gdtVa + 16 * 4096);
    const ptVa = pdVa + 4096;
    for (let k = 0; k < nrPtFrames - 1; k++) {
      const l1 = d.frameList[(ptVa >>> 12) + k];
      expect(host.core.frames.type[l1]).toBe(PGT_l1_page_table);
      // the PD's entries name these L1s: one per 4 MiB of memory, the last for shared_info's slot
      const slot = k < nrPtFrames - 2 ? k : SHARED_INFO_VA >>> 22;
      expect(mem.read32(cr3 + slot * 4) >>> 12).toBe(l1);
    }
    const p2mVa = si(START_INFO.mfn_list);
    expect(p2mVa).toBe(ptVa + (nrPtFrames - 1) * 4096);
    for (let pfn = 0; pfn < nrPages; pfn++) expect(mem.read32(ma(p2mVa + 4 * pfn))).toBe(d.frameList[pfn]);
    expect(siVa).toBe(p2mVa + Math.ceil((nrPages * 4) / 4096) * 4096);
    const freeVa = si(MINIX_START_INFO.fmem_vaddr);
    expect(freeVa).toBe(siVa + 2 * 4096); // the boot stack page between
    // Page by page: GDT frames and page tables read-only, everything else writable; the kernel's
    // pages and the builder's structures supervisor-only, the other programs and free memory user.
    const kernelEnd = si(MINIX_START_INFO.processes + 4);
    const bits = [...Array(nrPages).keys()].map((pfn) => pte(pfn * 4096) & (_PAGE_RW | _PAGE_USER));
    const want = [...Array(nrPages).keys()].map((pfn) => {
      const va = pfn * 4096;
      const readOnly = va >= gdtVa && va < p2mVa;
      const supervisor = va < kernelEnd || (va >= gdtVa && va < freeVa);
      return (readOnly ? 0 : _PAGE_RW) | (supervisor ? 0 : _PAGE_USER);
    });
    expect(bits).toEqual(want);
    // All of the domain's memory is mapped from VA 0 at its pseudo-physical address (MINIX does
    // not page); shared_info is writable and the kernel's alone.
    expect([...Array(nrPages).keys()].every((pfn) => pte(pfn * 4096) >>> 12 === d.frameList[pfn])).toBe(true);
    expect(pte(SHARED_INFO_VA) & (_PAGE_RW | _PAGE_USER)).toBe(_PAGE_RW);
    // The ring-1 kernel data descriptor (slot 2) is still the builder's: base 0, DPL 1, page-granular,
    // with the largest limit Xen allows (asking Xen for a 4 GiB segment gives exactly it back). The
    // code descriptor (slot 1) had the same from the builder (test/gdb/minix-kernel.py reads it in
    // xen_cstart); prot_init narrowed it to the kernel's text, as 3.1.1's prot_init does.
    const gdt0 = gdtMfns[0] * 4096;
    const cs = [mem.read32(gdt0 + 8), mem.read32(gdt0 + 12)].map((w) => w >>> 0);
    const ds = [mem.read32(gdt0 + 16), mem.read32(gdt0 + 20)].map((w) => w >>> 0);
    expect(ds).toEqual([...KERNEL_DS_DESCRIPTOR]);
    expect(checkDescriptor(0x0000ffff, (ds[1] | 0x000f0000) >>> 0)).toEqual(ds);
    const etext = parseInt(execFileSync("nm", ["build/minix/kernel.elf"], { encoding: "utf8" }).split("\n").find((l) => l.endsWith(" _etext"))!.split(" ")[0], 16);
    const limitOf = ([lo, hi]: number[]) => ((hi & 0xf0000) | (lo & 0xffff)) * (hi & 0x800000 ? 4096 : 1) + (hi & 0x800000 ? 4095 : 0);
    expect(limitOf(cs)).toBe(etext - 1);
    expect((cs[1] >>> 8) & 0x1f).toBe(0x1b); // code segment (readable, accessed), not a data one
    for (const [lo, hi] of [cs, ds]) {
      expect((hi >>> 13) & 3).toBe(1); // DPL 1
      expect(((hi & 0xff000000) | ((hi & 0xff) << 16) | (lo >>> 16)) >>> 0).toBe(0); // base 0
    }
    // With nothing to do, IDLE has blocked the vcpu in Xen (SCHEDOP_block).
    const idleSince = Date.now();
    while (d.runState !== "blocked" && Date.now() - idleSince < 5_000) await new Promise((r) => setTimeout(r, 10));
    expect(d.runState).toBe("blocked");
  });

  it("echoes typed lines through the line discipline, with erase and kill, and hands them to the reader", async () => {
    const m = await boot("interactive");
    await m.waitFor(() => bootDone(m), "the prompt");
    m.type("hello minix\r");
    await m.waitFor(() => m.text().includes("boottest init: read 12 bytes: hello minix\r\n"), "the first line");
    expect(m.text()).toContain("hello minix\r\nboottest init: read");
    m.type("abc\x7f\x7fX\r");
    await m.waitFor(() => m.text().includes("read 3 bytes: aX\r\n"), "the erased line");
    expect(m.text()).toContain("abc\b \b\b \bX\r\n");
    m.type("zzz\x15ok\r");
    await m.waitFor(() => m.text().includes("read 3 bytes: ok\r\n"), "the killed line");
    expect(m.text()).toContain("zzz\b \b\b \b\b \b\r\nok\r\n");
  });

  it("ends a process whose divide error has no catcher (SIGFPE's default action), while the rest of MINIX runs on", async () => {
    const m = await boot("deterministic");
    await m.waitFor(() => bootDone(m), "the prompt");
    m.type("fault\r");
    await m.waitFor(() => m.text().includes("system: init (proc 8) exited"), "the end of init");
    expect(m.text()).toContain("boottest init: dividing by zero\r\npm: init (proc 8) killed by signal 8 (SIGFPE)\r\nsystem: init (proc 8) exited");
    // The TTY still echoes: only init ended.
    m.type("z");
    await m.waitFor(() => /init \(proc 8\) exited\n[\s\S]*z$/.test(m.text()), "the echo after the fault");
  });

  it("sends SIGINT for ^C to the console's reader, whose catcher runs and whose line is flushed; ^\\ (SIGQUIT, no catcher) ends it", async () => {
    const m = await boot("interactive");
    await m.waitFor(() => bootDone(m), "the prompt");
    m.type("abc");
    await m.waitFor(() => m.text().endsWith("minix> abc"), "the echo of abc");
    m.type("\x03");
    await m.waitFor(() => m.text().includes("boottest init: read interrupted (-4)\r\nminix> "), "the interrupted read");
    expect(m.text()).toContain("minix> abc^Cboottest init: caught signal 2 (SIGINT) from the console\r\n");
    // The flushed "abc" never reaches the reader: the next line is only what follows the ^C.
    m.type("xy\r");
    await m.waitFor(() => m.text().includes("boottest init: read 3 bytes: xy\r\n"), "the line after ^C");
    m.type("\x1c");
    await m.waitFor(() => m.text().includes("system: init (proc 8) exited"), "the end of init");
    expect(m.text()).toContain("^\\pm: init (proc 8) killed by signal 3 (SIGQUIT)\r\nsystem: init (proc 8) exited");
    // No reader and no process group any more: ^C is echoed and nothing else happens.
    m.type("\x03q");
    await m.waitFor(() => m.text().endsWith("^Cq"), "the echo after init ended");
  });

  it("powers off when the domain controller asks (xm shutdown)", async () => {
    const m = await boot("deterministic");
    await m.waitFor(() => bootDone(m), "the prompt");
    m.tc.xend.shutdown("MinixTester", "poweroff");
    await m.waitFor(() => m.text().includes("MINIX: power off requested by the domain controller"), "the shutdown line");
    const deadline = Date.now() + 10_000;
    while (m.tc.xend.list().some((d) => d.name === "MinixTester") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(m.tc.xend.list().map((d) => d.name)).not.toContain("MinixTester");
  });

  it("powers off on SYS_ABORT(RBT_HALT), the call PM's reboot(2) ends with", async () => {
    const m = await boot("deterministic");
    await m.waitFor(() => bootDone(m), "the prompt");
    m.type("halt\r");
    await m.waitFor(() => m.text().includes("MINIX: shutting down (0): power off"), "the shutdown line");
    const deadline = Date.now() + 10_000;
    while (m.tc.xend.list().some((d) => d.name === "MinixTester") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(m.tc.xend.list().map((d) => d.name)).not.toContain("MinixTester");
    expect(m.text()).not.toContain("SYS_ABORT returned");
  });

  it("boots byte for byte the same twice in deterministic mode", async () => {
    const a = await boot("deterministic");
    await a.waitFor(() => bootDone(a), "the first boot");
    const first = a.text();
    await a.stop();
    running.splice(running.indexOf(a), 1);
    const b = await boot("deterministic");
    await b.waitFor(() => b.text().length >= first.length, "the second boot");
    expect(b.text().slice(0, first.length)).toBe(first);
  });

  it("counts clock ticks that track Xen's system time within a tick over more than 10,000 ticks", async () => {
    const m = await boot("deterministic");
    await m.waitFor(() => bootDone(m), "the prompt");
    const uptimeAfter = async (line: string) => {
      const mark = m.text().length;
      m.type(line + "\r");
      await m.waitFor(() => /uptime (\d+) ticks/.test(m.text().slice(mark)), `the uptime after "${line}"`);
      return { ticks: Number(/uptime (\d+) ticks/.exec(m.text().slice(mark))![1]), ns: m.tc.host.clock.nowNs() };
    };
    const t1 = await uptimeAfter("first");
    // An alarm carries the domain through 170 s of (otherwise idle, tickless) virtual time.
    const mark = m.text().length;
    m.type("sleep 10200\r");
    await m.waitFor(() => /slept 10200 ticks, uptime (\d+) ticks/.test(m.text().slice(mark)), "the end of the sleep", 120_000);
    const t2 = { ticks: Number(/slept 10200 ticks, uptime (\d+) ticks/.exec(m.text().slice(mark))![1]), ns: m.tc.host.clock.nowNs() };
    const ticks = t2.ticks - t1.ticks;
    expect(ticks).toBeGreaterThan(10_000);
    expect(Math.abs(ticks - ((t2.ns - t1.ns) * HZ) / 1e9)).toBeLessThanOrEqual(1);
  }, 180_000);

  it("with a short timer period (boot parameter hz=10000) ticks once per period on a busy CPU and tracks Xen's system time within a tick over 10,000 ticks", async () => {
    const hz = 10_000;
    const m = await boot("deterministic", [`extra = "${readConfigFile(CONFIG).extra} hz=${hz}"`]);
    await m.waitFor(() => bootDone(m), "the prompt");
    expect(m.text()).toContain(`clock: ${hz} ticks per second (boot parameter hz)`);
    const d = [...m.tc.host.core.domains.values()].find((x) => x.name === "MinixTester")!;
    const mem = m.tc.host.mem;
    const kernelVar = (name: string) => {
      const va = parseInt(execFileSync("nm", ["build/minix/kernel.elf"], { encoding: "utf8" }).split("\n").find((l) => l.endsWith(` ${name}`))!.split(" ")[0], 16);
      return mem.read32(d.frameList[va >>> 12] * 4096 + (va & 0xfff));
    };
    const counted0 = kernelVar("clock_ticks_counted");
    const mark = m.text().length;
    m.type("spin 10200\r");
    const spun = /boottest init: spinning from uptime (\d+) ticks\r\n[\s\S]*boottest init: spun from uptime (\d+) to (\d+) ticks\r\n/;
    await m.waitFor(() => spun.test(m.text().slice(mark)), "the end of the spin", 120_000);
    const [, from, from2, to] = spun.exec(m.text().slice(mark))!.map(Number);
    expect(from2).toBe(from);
    const ticks = to - from;
    expect(ticks).toBeGreaterThanOrEqual(10_200);
    const startLine = m.text().indexOf("boottest init: spinning from uptime", mark);
    const endLine = m.text().indexOf("boottest init: spun from uptime", mark);
    const ns = m.nsAt(endLine + 1) - m.nsAt(startLine + 1);
    expect(Math.abs(ticks - (ns * hz) / 1e9)).toBeLessThanOrEqual(1);
    // The clock task's handler saw (nearly) every one of them arrive on its own.
    const counted = kernelVar("clock_ticks_counted") - counted0;
    expect(counted).toBeGreaterThanOrEqual(ticks - 1);
  }, 180_000);
});
