// switch_vm86 (hypercall 23) and the bounce paths out of virtual-8086 mode: a ring-1 guest
// program (assembled here, run on the emulated CPU) hands Xen an activation, a real-mode routine
// computes something and traps, and the ring-1 handler copies the frame it got on SS1:ESP1.
// Also: the bad-stack crash, the ring-3 caller, #PF with cr2, int n, and events during V86.
import { describe, expect, it } from "vitest";
import {
  EINVAL, FLAT_RING1_CS, FLAT_RING1_DS, FLAT_RING3_CS, FLAT_RING3_DS, MULTICALL_ENTRY,
  SCHEDOP_reasonshift, SCHEDOP_shutdown, SHARED_INFO, TI_DISABLE_EVENTS, TRAP_INFO, VM86_ACTIVATION,
  VM86_BOUNCE_FRAME, X86_EFLAGS_IF, X86_EFLAGS_IOPL, X86_EFLAGS_VM, _PAGE_ACCESSED, _PAGE_PRESENT,
  _PAGE_RW, _PAGE_USER, __HYPERVISOR_switch_vm86,
} from "../../src/xen/abi.js";
import { CpuPort } from "../../src/xen/cpu-port.js";
import { R_EAX, R_ESP, S_CS, S_DS, S_ES, S_FS, S_GS, S_SS } from "../../src/xen/domain.js";
import { hypercall } from "../../src/xen/hypercalls.js";
import { deliverException } from "../../src/xen/traps.js";
import { assemble } from "../emu/cpu/harness.js";
import { BASE, Guest, PDE } from "./fixture.js";

/** Guest layout: PFNs of the fixture's mapping at BASE + pfn * 4096. */
const KSTACK_TOP = BASE + 9 * 4096; // SS1:ESP1
const TRAPS = BASE + 3 * 4096;
const ACT = BASE + 4 * 4096; // the activation the test wants, copied to the ring-1 stack
const MODE = ACT + 0x100; // 0: switch_vm86, 1: call it from ring 3
const RES = BASE + 10 * 4096; // what the handler saw
const USTACK_TOP = BASE + 13 * 4096;
/** The low mapping: linear 0x10000..0x1ffff = PFN 0x10..0x1f (0x18000 left unmapped), L1 in PFN 40. */
const LOW_L1_PFN = 40;
const HOLE = 0x18;
const V86_CS = 0x1000;
const V86 = { gp: 0x000, pf: 0x100, loop: 0x200, int3: 0x300, cli: 0x400 };
const VEC_EVENT = 0xff;

const RING1 = `
  .set RES, ${RES}
  mov $0, %eax; mov $${TRAPS}, %ebx; int $0x82
  mov $3, %eax; mov $${FLAT_RING1_DS}, %ebx; mov $${KSTACK_TOP}, %ecx; int $0x82
  mov $4, %eax; mov $${FLAT_RING1_CS}, %ebx; mov $ev, %ecx; mov $${FLAT_RING1_CS}, %edx; mov $ev, %esi; int $0x82
  cmpl $1, ${MODE}
  je ring3
  sub $${VM86_ACTIVATION.SIZE}, %esp
  mov %esp, %edi; mov $${ACT}, %esi; mov $${VM86_ACTIVATION.SIZE / 4}, %ecx; cld; rep movsl
  mov $${__HYPERVISOR_switch_vm86}, %eax
  int $0x82
  ud2
ring3:
  pushl $${FLAT_RING3_DS}; pushl $${USTACK_TOP}; pushl $2; pushl $${FLAT_RING3_CS}; pushl $r3; iret
r3:
  mov $${__HYPERVISOR_switch_vm86}, %eax
  int $0x82
  ud2
gp:  pushl $13; jmp common
pf:  pushl $14; jmp common
i21: pushl $0x21; jmp common
bp:  pushl $3; jmp common
ev:  pushl $${VEC_EVENT}; jmp common
common:
  movl %eax, %ss:RES+64
  movl %ebx, %ss:RES+68
  movl %esp, %ss:RES+72
  movw %ds, %ss:RES+48
  movw %es, %ss:RES+52
  movw %fs, %ss:RES+56
  movw %gs, %ss:RES+60
  mov $${FLAT_RING1_DS}, %ax; mov %ax, %ds; mov %ax, %es
  mov %esp, %esi; mov $RES, %edi; mov $12, %ecx; cld; rep movsl
  mov $6, %eax; mov $${SCHEDOP_shutdown | (7 << SCHEDOP_reasonshift)}, %ebx; int $0x82
  ud2
`;

/** The real-mode routines, at fixed offsets in the code segment. */
const REAL = `
  .code16
  .org ${V86.gp}
  movl %eax, %ebx          # the EAX Xen restored from the activation
  xorw %ax, %ax
  movw $10, %cx
1: addw %cx, %ax
  loop 1b                  # 55
  addw 0x20, %ax           # + the word at DS:0x20
gp_int:
  int $0x21                # IOPL is 0 in V86 mode under Xen: #GP(0)
  .org ${V86.pf}
  movw $0x4321, %ax
  movw 0x8000, %dx         # DS 0x1000: linear 0x18000, not mapped
  .org ${V86.loop}
1: incw %ax
  jmp 1b
  .org ${V86.int3}
  movw $0x0303, %ax
  int3                     # DPL 3 in Xen's IDT: straight to the guest's vector 3
  .org ${V86.cli}
  movw $0x0404, %ax
  cli                      # IOPL 0: #GP(0) at the cli
`;

function sym(src: string, label: string, origin: number): number {
  const full = assemble(`${src}\n.long ${label}`, origin);
  return new DataView(full.buffer, full.byteOffset).getUint32(full.length - 4, true);
}

/** A guest with the ring-1 program, its trap table, the real-mode code and the low mapping. */
function v86Guest(act: Partial<Record<keyof typeof VM86_ACTIVATION, number>>, mode = 0): Guest {
  const g = Guest.create();
  g.host.attachCpu(new CpuPort(g.host.core));
  g.write(BASE, assemble(RING1, BASE));
  const label = (l: string): number => sym(RING1, l, BASE);
  const rows: Array<[number, number, number]> = [
    [13, 0, label("gp")], [14, TI_DISABLE_EVENTS, label("pf")], [0x21, 3, label("i21")], [3, 0, label("bp")],
  ];
  const t = new Uint8Array((rows.length + 1) * TRAP_INFO.SIZE);
  const dv = new DataView(t.buffer);
  rows.forEach(([vec, flags, addr], i) => {
    t[i * 8 + TRAP_INFO.vector] = vec;
    t[i * 8 + TRAP_INFO.flags] = flags;
    dv.setUint16(i * 8 + TRAP_INFO.cs, FLAT_RING1_CS, true);
    dv.setUint32(i * 8 + TRAP_INFO.address, addr, true);
  });
  g.write(TRAPS, t);
  const full: Record<keyof typeof VM86_ACTIVATION, number> = {
    eax: 0x12345678, eip: V86.gp, cs: V86_CS, eflags: 0x2 | X86_EFLAGS_IOPL, esp: 0xfff0, ss: V86_CS,
    es: 0x1100, ds: V86_CS, fs: 0x1200, gs: 0x1300, SIZE: 0, ...act,
  };
  g.write32(ACT, ...(["eax", "eip", "cs", "eflags", "esp", "ss", "es", "ds", "fs", "gs"] as const).map((k) => full[k]));
  g.write32(MODE, mode);
  // The low L1, built while its frame is still an ordinary page, then made read-only and hooked
  // into the L2 through mmu_update, which validates it as Xen does.
  const l1Va = g.va(LOW_L1_PFN);
  const ptes: number[] = new Array(1024).fill(0);
  for (let pfn = 0x10; pfn < 0x20; pfn++) if (pfn !== HOLE) ptes[pfn] = g.mfn(pfn) * 4096 + (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED);
  g.write32(l1Va, ...ptes);
  expect(g.call(14, l1Va >>> 12, g.mfn(LOW_L1_PFN) * 4096 + (_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED), 0)).toBe(0);
  expect(g.mmu(g.va(30), [g.l2Mfn * 4096, g.mfn(LOW_L1_PFN) * 4096 + PDE])).toEqual([0, 1]);
  g.write(BASE + 0x10000, assemble(REAL, 0));
  g.write32(BASE + 0x10020, 0x1000);
  return g;
}

/** Runs until the handler shut the domain down (reason 7); returns what it recorded. */
function runToHandler(g: Guest, before?: () => void) {
  g.host.unpause(g.d);
  before?.();
  expect(g.host.runUntil(() => g.d.shutdownReason !== null || g.d.crashed, 20_000)).toBe(true);
  expect(g.d.crashWhy).toBe("");
  expect(g.d.shutdownReason).toBe(7);
  const w = (i: number): number => g.read32(RES + i * 4);
  return {
    words: Array.from({ length: 12 }, (_, i) => w(i)),
    seg: [w(12), w(13), w(14), w(15)].map((s) => s & 0xffff),
    eax: w(16), ebx: w(17), esp: w(18),
  };
}

describe("switch_vm86", () => {
  it("enters the activation with IOPL 0, IF and VM; a real-mode routine's #GP comes back to ring 1 with the V86 frame", () => {
    const g = v86Guest({});
    const bouncesBefore = g.host.core.counters.vm86Bounces;
    const r = runToHandler(g);
    const F = VM86_BOUNCE_FRAME;
    const frame = r.words.slice(2, 2 + F.SIZE / 4); // [vector] [error] then the V86 frame
    expect(r.words[0]).toBe(13);
    expect(r.words[1]).toBe(0); // #GP(0): int n at IOPL 0, not the guest's DPL-3 vector 0x21
    expect(frame[F.eip / 4]).toBe(sym(REAL, "gp_int", 0)); // the int instruction
    expect(frame[F.cs / 4]).toBe(V86_CS);
    const fl = frame[F.eflags / 4];
    expect(fl & (X86_EFLAGS_VM | X86_EFLAGS_IF | X86_EFLAGS_IOPL)).toBe(X86_EFLAGS_VM | X86_EFLAGS_IF);
    expect([frame[F.esp / 4], frame[F.ss / 4], frame[F.es / 4], frame[F.ds / 4], frame[F.fs / 4], frame[F.gs / 4]])
      .toEqual([0xfff0, V86_CS, 0x1100, V86_CS, 0x1200, 0x1300]);
    expect(r.esp).toBe(KSTACK_TOP - 4 - 4 - F.SIZE); // on SS1:ESP1, below our vector push
    expect(r.seg).toEqual([0, 0, 0, 0]); // DS ES FS GS null on entry
    expect(r.eax & 0xffff).toBe(55 + 0x1000);
    expect(r.ebx).toBe(0x12345678); // EAX restored from the activation
    expect(g.host.stats.count(__HYPERVISOR_switch_vm86, "ok")).toBe(1);
    expect(g.host.core.counters.vm86Bounces).toBe(bouncesBefore + 1);
    // DS = 0x1000 would be an unusable selector in protected mode: no failsafe for V86 segments.
    expect(g.host.core.counters.failsafe).toBe(0);
  });

  it("CLI in V86 mode (IOPL 0) is a #GP(0) at the cli, bounced with the V86 frame", () => {
    const g = v86Guest({ eip: V86.cli });
    const r = runToHandler(g);
    expect(r.words.slice(0, 4)).toEqual([13, 0, V86.cli + 3, V86_CS]);
    expect(r.words[4] & (X86_EFLAGS_VM | X86_EFLAGS_IF)).toBe(X86_EFLAGS_VM | X86_EFLAGS_IF); // IF still set
    expect(r.words.slice(5, 11)).toEqual([0xfff0, V86_CS, 0x1100, V86_CS, 0x1200, 0x1300]);
    expect(r.eax & 0xffff).toBe(0x0404);
  });

  it("a #PF in V86 mode bounces with cr2 below the error code and the V86 frame above", () => {
    const g = v86Guest({ eip: V86.pf });
    const r = runToHandler(g);
    expect(r.words.slice(0, 3)).toEqual([14, 0x18000, 4]); // vector, cr2, error: user read, not present
    expect(r.words.slice(3, 12)).toEqual([V86.pf + 3, V86_CS, r.words[5], 0xfff0, V86_CS, 0x1100, V86_CS, 0x1200, 0x1300]);
    expect(r.words[5] & X86_EFLAGS_VM).toBe(X86_EFLAGS_VM);
    expect(r.eax & 0xffff).toBe(0x4321);
  });

  it("int3 from V86 mode reaches the guest's vector 3 whatever its DPL", () => {
    const g = v86Guest({ eip: V86.int3 });
    const r = runToHandler(g);
    expect(r.words[0]).toBe(3);
    expect(r.words.slice(1, 3)).toEqual([V86.int3 + 4, V86_CS]); // EIP after int3, no error code
    expect(r.words[4]).toBe(0xfff0);
  });

  it("an event arriving during V86 mode enters the callback with the V86 frame", () => {
    const g = v86Guest({ eip: V86.loop });
    const r = runToHandler(g, () => {
      g.host.runUntil(() => false, 50);
      expect(g.d.vcpu.regs.eflags & X86_EFLAGS_VM).toBe(X86_EFLAGS_VM);
      g.host.mem.write8(g.sharedMa + SHARED_INFO.evtchn_upcall_mask, 0);
      g.host.mem.write8(g.sharedMa + SHARED_INFO.evtchn_upcall_pending, 1);
    });
    expect(r.words[0]).toBe(VEC_EVENT);
    expect(r.words.slice(2, 10)).toEqual([V86_CS, r.words[3], 0xfff0, V86_CS, 0x1100, V86_CS, 0x1200, 0x1300]);
    expect(r.words[1]).toBeGreaterThanOrEqual(V86.loop);
    expect(r.words[1]).toBeLessThan(V86.loop + 4);
    expect(g.host.mem.read8(g.sharedMa + SHARED_INFO.evtchn_upcall_mask)).toBe(1);
  });

  it("from ring 3 it is an int $0x82 like any other: #GP with error (0x82 << 3) | 2", () => {
    const g = v86Guest({}, 1);
    const r = runToHandler(g);
    expect(r.words.slice(0, 2)).toEqual([13, (0x82 << 3) | 2]);
    expect(r.words[3]).toBe(FLAT_RING3_CS);
    expect(r.words[4] & X86_EFLAGS_VM).toBe(0);
    expect(g.host.stats.count(__HYPERVISOR_switch_vm86)).toBe(0);
  });

  it("a stack Xen cannot read crashes the domain", () => {
    const g = Guest.create();
    const r = g.d.vcpu.regs;
    r.gpr[R_ESP] = 0x1000; // unmapped
    hypercall(g.host, g.d, __HYPERVISOR_switch_vm86, 0, 0, 0, 0, 0);
    expect(g.d.runState).toBe("crashed");
    expect(g.d.crashWhy).toMatch(/switch_vm86 cannot read the activation/);
    expect(g.host.stats.count(__HYPERVISOR_switch_vm86, -14)).toBe(1);
  });

  it("a stack that ends inside the activation crashes the domain too", () => {
    const g = Guest.create();
    g.d.vcpu.regs.gpr[R_ESP] = (BASE + g.d.frameList.length * 4096 - 20) | 0; // the last 20 bytes
    hypercall(g.host, g.d, __HYPERVISOR_switch_vm86, 0, 0, 0, 0, 0);
    expect(g.d.runState).toBe("crashed");
  });

  it("inside a multicall it is refused with -EINVAL", () => {
    const g = Guest.create();
    const va = g.va(20);
    g.write32(va, __HYPERVISOR_switch_vm86, 0, 0, 0, 0, 0, 0, 0);
    expect(g.call(13, va, 1)).toBe(0);
    expect(g.read32(va + MULTICALL_ENTRY.result) | 0).toBe(-EINVAL);
    expect(g.d.vcpu.regs.eflags & X86_EFLAGS_VM).toBe(0);
  });
});

describe("int n from V86 mode (xen2-abi 3.17)", () => {
  // Under switch_vm86 IOPL is 0, so the CPU raises #GP(0) for int n before any gate is looked
  // at. A V86 context with IOPL 3 (which only a CPU without Xen's IOPL clearing would run) reports
  // int n itself; Xen then checks the guest's DPL against 3, whatever CS's low bits say.
  const soft = (vector: number) => ({ vector, errorCode: -1, cr2: 0, softwareInt: true, instrLength: 2 });

  function v86Context(dpl: number) {
    const g = Guest.create();
    const t = new Uint8Array(16);
    t[0] = 0x21;
    t[1] = dpl;
    new DataView(t.buffer).setUint16(2, FLAT_RING1_CS, true);
    new DataView(t.buffer).setUint32(4, 0x401000, true);
    t[8] = 13;
    new DataView(t.buffer).setUint16(10, FLAT_RING1_CS, true);
    new DataView(t.buffer).setUint32(12, 0x402000, true);
    g.write(g.va(4), new Uint8Array([...t, ...new Uint8Array(8)]));
    expect(g.call(0, g.va(4))).toBe(0);
    expect(g.call(3, FLAT_RING1_DS, KSTACK_TOP)).toBe(0);
    const r = g.d.vcpu.regs;
    r.eflags = 0x2 | X86_EFLAGS_VM | X86_EFLAGS_IOPL;
    r.seg[S_CS] = 0x1001; // low bits 1: a ring-1 check would wrongly pass DPL 1
    r.seg[S_SS] = 0x2000;
    r.seg[S_ES] = r.seg[S_DS] = r.seg[S_FS] = r.seg[S_GS] = 0x3000;
    r.gpr[R_ESP] = 0x100;
    r.eip = 0x22;
    return g;
  }

  it("DPL 3: the guest's handler, no error code, the V86 frame", () => {
    const g = v86Context(3);
    expect(deliverException(g.host.core, g.host.addressSpace(g.d), g.d, soft(0x21))).toBe(true);
    const r = g.d.vcpu.regs;
    expect(r.eip).toBe(0x401000);
    const esp = r.gpr[R_ESP] >>> 0;
    expect(esp).toBe(KSTACK_TOP - VM86_BOUNCE_FRAME.SIZE);
    expect(Array.from({ length: 9 }, (_, i) => g.read32(esp + i * 4) & 0xffff))
      .toEqual([0x22, 0x1001, (0x2 | X86_EFLAGS_IOPL) & 0xffff, 0x100, 0x2000, 0x3000, 0x3000, 0x3000, 0x3000]);
    expect([r.seg[S_DS], r.seg[S_ES], r.seg[S_FS], r.seg[S_GS]]).toEqual([0, 0, 0, 0]);
    expect(r.eflags & X86_EFLAGS_VM).toBe(0);
    expect(r.gpr[R_EAX]).toBe(0);
  });

  it("DPL 1 (or 0): #GP with error (n << 3) | 2 at the int instruction", () => {
    const g = v86Context(1);
    deliverException(g.host.core, g.host.addressSpace(g.d), g.d, soft(0x21));
    const r = g.d.vcpu.regs;
    expect(r.eip).toBe(0x402000);
    const esp = r.gpr[R_ESP] >>> 0;
    expect([g.read32(esp), g.read32(esp + 4)]).toEqual([(0x21 << 3) | 2, 0x20]);
  });
});
