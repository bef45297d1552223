// The kernel's signal and trace calls (src/minix/guest/kernel/system/cause_sig.c, do_kill.c,
// do_getksig.c, do_endksig.c, do_sigsend.c, do_sigreturn.c, do_trace.c, and exception.c),
// compiled with the guest's own headers and run natively against a fake process table
// (fixtures/signal-harness.c): MINIX 3.1.1's flags, frames, checks and exception signals.
import { beforeAll, describe, expect, it } from "vitest";
import { GUEST, harnessLines, runKernelHarness } from "./native-kernel.js";

const G = GUEST;
const SOURCES = [
  `${G}/kernel/proc.c`, `${G}/kernel/exception.c`, `${G}/lib/sigset.c`, "test/minix/fixtures/signal-harness.c", "test/minix/fixtures/kernel-globals.c", "test/minix/fixtures/process-areas.c",
  ...["cause_sig", "do_kill", "do_getksig", "do_endksig", "do_sigsend", "do_sigreturn", "do_trace"].map((f) => `${G}/kernel/system/${f}.c`),
];
let out: Map<string, string[]>;

beforeAll(() => {
  out = harnessLines(runKernelHarness("ksig", SOURCES));
});

const line = (k: string) => out.get(k);
const bit = (sig: number) => (1 << sig).toString(16);
const [SIGINT, SIGILL, SIGTRAP, SIGEMT, SIGFPE, SIGSEGV, SIGTERM, SIGKSIG] = [2, 4, 5, 7, 8, 11, 15, 19];
const [SIGNALED, SIG_PENDING, P_STOP] = [0x10, 0x20, 0x40];
const [EPERM, EIO, EFAULT, EINVAL] = ["-1", "-5", "-14", "-22"];

describe("kernel signals (cause_sig, SYS_GETKSIG, SYS_ENDKSIG, SYS_KILL)", () => {
  it("stops a signalled process and tells PM once with SYS_SIG carrying SIGKSIG", () => {
    // flags, still queued?, PM's message type (NOTIFY_FROM(SYSTEM) = 0x1003 here), NOTIFY_ARG
    expect(line("cause")).toEqual([String(SIGNALED | SIG_PENDING), "0", "1003", bit(SIGKSIG)]);
    // PM is receiving again but hears nothing new; both signals are in the map
    expect(line("cause-again")).toEqual(["8", ((1 << SIGFPE) | (1 << SIGSEGV)).toString(16), "0"]);
  });

  it("hands PM the process and its map, then lets it run at SYS_ENDKSIG unless a new signal came", () => {
    expect(line("getksig")).toEqual(["0", "8", ((1 << SIGFPE) | (1 << SIGSEGV)).toString(16), String(SIG_PENDING), "0"]);
    expect(line("getksig-none")).toEqual(["1"]);
    expect(line("endksig-new-signal")).toEqual(["0", String(SIGNALED | SIG_PENDING), "0"]);
    expect(line("endksig")).toEqual(["0", "0", "1"]);
    expect(line("endksig-again")).toEqual([EINVAL]);
  });

  it("SYS_KILL: checks the signal and target; from PM straight to a system process, else a kernel signal", () => {
    expect(line("kill-zero")).toEqual([EINVAL]);
    expect(line("kill-big")).toEqual([EINVAL]);
    expect(line("kill-task")).toEqual([EPERM]);
    expect(line("kill-empty")).toEqual([EINVAL]);
    expect(line("kill-pm-user")).toEqual([EPERM]);
    expect(line("kill-pm-system")).toEqual(["0", bit(SIGTERM), "0"]);
    expect(line("kill-other")).toEqual(["0", String(SIGNALED | SIG_PENDING), bit(SIGINT)]);
  });

  it("turns exceptions in a process into 3.1.1's signals", () => {
    const expected: Record<number, number> = {
      0: SIGFPE, 1: SIGTRAP, 3: SIGEMT, 4: SIGFPE, 5: SIGFPE, 6: SIGILL, 7: SIGFPE, 9: SIGSEGV, 10: SIGSEGV,
      11: SIGSEGV, 12: SIGSEGV, 13: SIGSEGV, 14: SIGSEGV, 15: SIGILL, 16: SIGFPE, 17: SIGSEGV, 19: SIGFPE,
    };
    for (const [vector, sig] of Object.entries(expected)) expect([vector, ...line(`exception-${vector}`)!]).toEqual([vector, bit(sig)]);
  });

  it("stops the process and says so when there is no PM to take the signal", () => {
    expect(line("kprintf")?.join(" ")).toContain("and no PM to take it: process stopped");
    expect(line("no-pm")).toEqual([String(P_STOP), "0"]);
  });
});

describe("SYS_SIGSEND and SYS_SIGRETURN", () => {
  it("puts a sigcontext and a sigframe below PM's stack pointer and points the process at the catcher", () => {
    // sp = 0x3000 - 80 - 28, pc = the catcher, ebp = &sf_fp
    expect(line("sigsend")).toEqual(["0", "2f94", "1234", "2fa4"]);
    // 80-byte sigcontext: SC_SIGCONTEXT, the mask, the 72-byte saved frame (ebx, pc, sp, ebp as they were)
    expect(line("sigcontext")).toEqual(["80", "2", "72", "30", "b0b0", "500", "3000", "3100"]);
    // sigframe: __sigreturn, signo, code, scp, old ebp, old pc, scp copy
    expect(line("sigframe")).toEqual(["28", "4444", String(SIGFPE), "0", "2fb0", "3100", "500", "2fb0"]);
  });

  it("writes nothing when the frame does not fit or the sigmsg is out of PM's segment", () => {
    expect(line("sigsend-no-room")).toEqual([EFAULT, "2f94"]);
    expect(line("sigsend-bad-sigmsg")).toEqual([EFAULT]);
  });

  it("restores the registers but keeps every segment register and the privileged EFLAGS bits", () => {
    // ebx, pc, sp, ebp from the context; cs 0x4b, ss/ds 0x53 kept (0x09/0x11 forged); EFLAGS 0x202 | 0xCD5
    expect(line("sigreturn")).toEqual(["0", "77", "500", "3000", "3100", "4b", "53", "53", "ed7"]);
    expect(line("sigreturn-noreglocals")).toEqual(["0", "77", "600", "66"]);
    expect(line("sigreturn-jmpbuf")).toEqual([EINVAL]);
    expect(line("sigreturn-fault")).toEqual([EFAULT]);
    expect(line("sigreturn-task")).toEqual([EPERM]);
  });
});

describe("SYS_TRACE", () => {
  it("stops a process and clears its trace flag", () => {
    expect(line("t-stop")).toEqual(["0", String(P_STOP), "0", "0"]);
  });

  it("reads and writes words of text, data and the slot, within 3.1.1's address checks", () => {
    expect(line("t-getdata")).toEqual(["0", "12345678"]);
    expect(line("t-getins")).toEqual(["0"]);
    expect(line("t-getdata-outside")).toEqual([EIO]);
    expect(line("t-setdata")).toEqual(["0", "55aa"]);
    expect(line("t-getuser")).toEqual(["0", "500"]);
    expect(line("t-getuser-misaligned")).toEqual([EIO]);
    expect(line("t-getuser-beyond")).toEqual([EIO]);
    expect(line("t-setuser-cs")).toEqual([EIO]);
    expect(line("t-setuser-ss")).toEqual([EIO]);
    expect(line("t-setuser-beyond")).toEqual([EIO]);
    expect(line("t-setuser-psw")).toEqual(["0", "ed7"]);
    expect(line("t-setuser-bx")).toEqual(["0", "4321"]);
  });

  it("steps with the trace flag, resumes without queueing twice, and leaves T_EXIT and kernel tasks alone", () => {
    expect(line("t-step")).toEqual(["0", "0", "1", "100"]);
    expect(line("t-resume-running")).toEqual(["0", "1"]);
    expect(line("t-exit")).toEqual([EIO]);
    expect(line("t-task")).toEqual([EPERM]);
    expect(line("t-empty")).toEqual([EIO]);
    expect(line("t-bad")).toEqual([EINVAL]);
  });
});
