// Where qemu-system-i386 (TCG, 7.2) and Bochs (2.7) print different results for a test-kernel
// check, the Intel SDM decides. Each ruling names the checks it covers, the peer whose
// behaviour the manual requires, and the rule. A ruling that no longer matches any
// disagreement fails the peer test, so this table cannot go stale silently.

export type Peer = "qemu" | "bochs";

export interface Ruling {
  kernel: string;
  /** Check names (the text before ": ") this ruling covers. */
  checks: RegExp;
  right: Peer;
  sdm: string;
}

export const RULINGS: readonly Ruling[] = [
  {
    kernel: "segments",
    checks: /^(access\.fs_null|limit\..*|xenlimit\..*|string\..*|expdown(16|32)\..*|type\.(read_only_write|write_via_cs|write_readable_code_via_fs))$/,
    right: "bochs",
    sdm: "Vol. 3A 5.3 (limit checking: offset beyond the limit, or below it for expand-down, raises #GP(0)), " +
      "5.4.1 (a memory access through a null selector in DS/ES/FS/GS raises #GP(0)) and 5.5 (writing a read-only " +
      "data segment or any code segment raises #GP(0)); a REP string instruction stops at the iteration that " +
      "crosses the limit with ECX/ESI/EDI as of that iteration (Vol. 2 MOVS/STOS, Vol. 3A 6.5 restartability). " +
      "QEMU TCG skips these checks on data accesses.",
  },
  {
    kernel: "segments",
    checks: /^cs\.(fetch_past_limit|instruction_straddling_limit|near_jmp_beyond_limit|near_call_beyond_limit|far_call_beyond_limit)$/,
    right: "bochs",
    sdm: "Vol. 3A 5.3: instruction fetches are checked against the CS limit, so running or decoding past it raises " +
      "#GP(0) at the instruction that does not fit; Vol. 2A JMP and CALL: a target offset beyond the CS limit raises " +
      "#GP(0) at the JMP/CALL itself, before anything is pushed. QEMU 7.2 TCG runs on past the limit (into the " +
      "int3 guard page after the code) and reports #BP.",
  },
  {
    kernel: "segments",
    checks: /^ltr\.null$/,
    right: "bochs",
    sdm: "Vol. 2A LTR, Operation: IF SRC is a NULL selector THEN #GP(0).",
  },
  {
    kernel: "segments",
    checks: /^lar\.kcode$/,
    right: "bochs",
    sdm: "Vol. 3A 3.4.5.1: the processor sets a descriptor's accessed bit whenever it loads its selector into " +
      "a segment register, CS included (here by the far jump after LGDT); QEMU sets it for data segments only.",
  },
  {
    kernel: "hot",
    checks: /^hot\.limit_loop(_again)?$/,
    right: "bochs",
    sdm: "Vol. 3A 5.3: every data access is checked against the segment limit, so the byte loop stops with #GP(0) " +
      "at offset limit+1 = 0x800; QEMU TCG has no data-segment limit check and reads on to 0x1000.",
  },
  {
    kernel: "paging",
    checks: /^priority\.(limit_before_page|cs_limit_before_fetch_page_fault)$/,
    right: "bochs",
    sdm: "Vol. 3A 3.1 and 5.3: segmentation (with its limit check) produces the linear address that paging then " +
      "translates, so an offset beyond the limit raises #GP(0) before any page walk, for data and for instruction fetch alike " +
      "(Vol. 3A 6.9 lists the code-segment-limit fault with the fetch faults, above the #PF). QEMU TCG checks " +
      "neither limit here.",
  },
  {
    kernel: "paging",
    checks: /^rmw\.[ku]_(add|inc_byte|xchg)_not_present$/,
    right: "bochs",
    sdm: "Vol. 3A 4.7: the #PF error code's W/R bit describes the access that caused the fault; a read-modify-write " +
      "instruction's access is a write, so a not-present page gives W/R = 1. The manual does not spell out RMW, so the " +
      "real CPU was asked: `addl $1, (unmapped)` in a 32-bit Linux process on this host (AMD EPYC) reports error " +
      "code 6 (U, W) in the signal context. QEMU faults on the read half and reports W/R = 0.",
  },
  {
    kernel: "idt",
    checks: /^(frame\.(de|ud2|bound|gp_error_code|flags_pushed|lock_nop_ud|lock_add_reg_ud)|fpu\.(ts_fninit|ts_mp1_fwait|em_fninit)|step\.fault_wins|idt\.(limit_exceeded|gate_.*|call_gate_in_idt|int3_gate_not_present)|df\..*)$/,
    right: "bochs",
    sdm: "Vol. 3B 17.3.1.1 (Instruction-Breakpoint Exception Condition): on P6-family and later processors the " +
      "EFLAGS image saved for a fault-class exception (any fault other than an instruction breakpoint) has RF set, " +
      "so the handler's IRET does not re-trigger an instruction breakpoint. QEMU pushes RF clear.",
  },
  {
    kernel: "idt",
    checks: /^idt\.ud_gate_not_present_ext$/,
    right: "bochs",
    sdm: "Vol. 3A 6.13 (Error Code): EXT (bit 0) is set when the exception occurred while delivering an event " +
      "external to the program, such as an earlier exception; here #NP arises while delivering #UD, so the " +
      "error code is 6*8 + IDT(2) + EXT(1) = 0x33. QEMU leaves EXT clear. (Its RF bit follows the RF ruling.)",
  },
  {
    kernel: "idt",
    checks: /^ss\.(push_beyond_limit|push_straddling_limit|expdown_push_to_limit)$/,
    right: "bochs",
    sdm: "Vol. 2B PUSH, Protected Mode Exceptions: #SS(0) if the new ESP is outside the stack segment limit " +
      "(Vol. 3A 5.3 for expand-down segments). QEMU TCG does not check the SS limit.",
  },
  {
    kernel: "idt",
    checks: /^step\.sti_shadow$/,
    right: "bochs",
    sdm: "Vol. 2B STI: the one-instruction shadow after STI delays maskable interrupts only; \"the IF flag and " +
      "the STI and CLI instructions do not prohibit the generation of exceptions\", so the single-step #DB after " +
      "STI is taken (only MOV SS/POP SS hold it off, Vol. 3A 6.8.3). QEMU skips the #DB after STI.",
  },
  {
    kernel: "idt",
    checks: /^ac\.cpl3_am1_ac1$/,
    right: "bochs",
    sdm: "Vol. 3A 6.15, Interrupt 17 (#AC): with CR0.AM = 1, EFLAGS.AC = 1 and CPL 3, an unaligned data reference " +
      "raises #AC(0). QEMU TCG does not implement alignment checking for x86.",
  },
  {
    kernel: "iopl",
    checks: /^cpl3\.(mov_from_cr1|lock_hlt)$/,
    right: "bochs",
    sdm: "Vol. 3A 6.9 (Priority Among Simultaneous Exceptions): faults from decoding the instruction (#UD, " +
      "class 7) come before faults on executing it (#GP for CPL > 0, class 8); Vol. 2 MOV (control registers) " +
      "raises #UD for CR1, and a LOCK prefix on HLT raises #UD.",
  },
  {
    kernel: "v86",
    checks: /^limit\.(addr32_beyond_ffff|word_at_ffff|push32_wrapping_sp)$/,
    right: "bochs",
    sdm: "Vol. 3B 20.1.1 (which virtual-8086 mode shares, 20.2): a 32-bit offset beyond FFFFH raises an exception, " +
      "and every segment is 64 KBytes long, so a word at offset FFFFH or a doubleword push at SP = 2 (wrapping to " +
      "FFFEH) leaves the segment: #GP(0) for data, #SS(0) for the stack (Vol. 2 MOV, PUSH: virtual-8086 mode " +
      "exceptions). QEMU TCG has no segment limit checks and runs on.",
  },
];
