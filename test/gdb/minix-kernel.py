# gdb -batch -nx -x test/gdb/minix-kernel.py, with MINIX_GDB_PORT set: debugs the MINIX kernel
# under the emulated Xen with the kernel's symbol file. Prints "RESULT <name> <value>" lines
# for test/gdb/minix-kernel.test.ts, and "READY-FOR-KEY" when it waits in the TTY driver.
import os
import gdb

def run(cmd):
    return gdb.execute(cmd, to_string=True)

def result(name, value):
    print("RESULT %s %s" % (name, str(value).strip()), flush=True)

run("set pagination off")
run("set confirm off")
run("file build/minix/kernel.elf")
run("target remote 127.0.0.1:%s" % os.environ["MINIX_GDB_PORT"])

# 0. The CPU context the builder set (report 5.2.5), at the kernel's first instruction.
for reg in ("eip", "esi", "esp", "cs", "ds", "ss", "es"):
    result("entry-" + reg, hex(int(gdb.parse_and_eval("$" + reg)) & 0xffffffff))

# 1. The kernel's C start-up, reached from the entry right after set_gdt.
run("break xen_cstart")
run("continue")
frame = gdb.selected_frame()
result("cstart-function", frame.name())
result("cstart-nr-procs", gdb.parse_and_eval("info->setup_info.nr_procs"))
result("cstart-cs", hex(int(gdb.parse_and_eval("$cs"))))
# The builder's ring-1 code and data descriptors (GDT slots 1 and 2), before prot_init narrows the code one.
gdt = int(gdb.parse_and_eval("info->setup_info.gdt_vaddr"))
words = gdb.selected_inferior().read_memory(gdt + 8, 16).tobytes()
result("cstart-gdt-kernel-cs", "%08x_%08x" % (int.from_bytes(words[4:8], "little"), int.from_bytes(words[0:4], "little")))
result("cstart-gdt-kernel-ds", "%08x_%08x" % (int.from_bytes(words[12:16], "little"), int.from_bytes(words[8:12], "little")))
run("delete")

# 2. The clock task's tick handler, entered from the VIRQ_TIMER upcall.
run("break clock_handler")
run("continue")
result("tick-function", gdb.selected_frame().name())
ticks_before = int(gdb.parse_and_eval("realtime"))
run("continue")
result("tick-advanced", int(gdb.parse_and_eval("realtime")) >= ticks_before)
run("delete")

# 3. The process table, with p.
result("proc-tty-name", gdb.parse_and_eval("proc[%d].p_name" % (5 + 5)).string())
result("proc-tty-base", hex(int(gdb.parse_and_eval("proc[10].p_memmap[1].mem_phys"))))
result("proc-idle-nr", int(gdb.parse_and_eval("proc[0].p_nr")))
result("proc-clock-name", gdb.parse_and_eval("proc[2].p_name").string())
# The command itself, as a user types it: the whole table, then one slot.
table = run("p proc")
result("p-proc-slots", table.count("p_name = "))
result("p-proc-has-tty", 'p_name = "tty' in table)
result("p-proc-10", " ".join(run("p proc[10]").split())[:2000])

# 4. Step through a hypercall to its return: from xen_op's int $0x82 to the instruction after it.
run("break xen_op")
run("continue")
run("delete")
start = int(gdb.parse_and_eval("$pc"))
int_at = None
for _ in range(20):
    pc = int(gdb.parse_and_eval("$pc"))
    insn = gdb.selected_inferior().read_memory(pc, 2).tobytes()
    if insn == b"\xcd\x82":
        int_at = pc
        break
    run("stepi")
result("hypercall-int-found", int_at is not None)
run("stepi")
result("hypercall-returned-to", hex(int(gdb.parse_and_eval("$pc")) - int_at))
run("finish")
result("hypercall-back-in", gdb.selected_frame().name())

# 4b. The proxy path: a ring-2 kernel task's hypercall made for it by the kernel (report 6.2.1).
run("break do_xen_proxy_op")
run("continue")
result("proxy-caller-ring", int(gdb.parse_and_eval("proc_ptr->p_reg.cs")) & 3)
result("proxy-caller-is-task", int(gdb.parse_and_eval("proc_ptr->p_nr")) < 0)
result("proxy-op", int(gdb.parse_and_eval("((multicall_entry_t *)proc_ptr->p_reg.retreg)->op")))
run("delete")

# 5. A typed key: first in the kernel's control-interface handler, then in the TTY driver, a
# ring-3 process loaded at its own segment base (gdb sees the linear view: CS.base + EIP).
run("break ctrl_if_interrupt")
print("READY-FOR-KEY", flush=True)
run("continue")
result("key-function", gdb.selected_frame().name())
result("key-cs", hex(int(gdb.parse_and_eval("$cs"))))
result("key-handler-of", gdb.parse_and_eval("proc[1].p_name").string())
run("delete")
tty_base = int(gdb.parse_and_eval("proc[10].p_memmap[1].mem_phys")) << 12
run("add-symbol-file build/minix/tty.elf -o 0x%x" % tty_base)
run("break in_process")
run("continue")
result("tty-function", gdb.selected_frame().name())
result("tty-ring", int(gdb.parse_and_eval("$cs")) & 3)
result("tty-pc-linear", int(gdb.parse_and_eval("$pc")) >= tty_base)
# Data pointers inside the process are offsets in its segment: add the base to follow them.
result("tty-char", int(gdb.parse_and_eval("*(unsigned char *)(0x%x + (unsigned)buf)" % tty_base)))
result("tty-count", int(gdb.parse_and_eval("count")))
run("delete")
run("detach")
print("DONE", flush=True)
