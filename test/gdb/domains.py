# Example for users: look at every Xen domain from a gdb Python script.
#   gdb -batch -nx -ex "target remote :4444" -x test/gdb/domains.py
# Each domain is a gdb inferior (pid = domain id + 1) and its vcpu a thread named after it.
# Prints one line per observation, stable enough to grep in tests.
import gdb

gdb.execute("set confirm off")
gdb.execute("set pagination off")

for inf in gdb.inferiors():
    for th in inf.threads():
        th.switch()
        frame = gdb.selected_frame()
        eip = int(frame.read_register("eip")) & 0xFFFFFFFF
        esp = int(frame.read_register("esp")) & 0xFFFFFFFF
        # pid = domain id + 1. (Registers of the "system" group, such as $xen_domid, exist
        # only in the first inferior: GDB 13 gives later ones its default i386 layout.)
        domid = inf.pid - 1
        try:
            stack = bytes(inf.read_memory(esp, 16)).hex()
        except gdb.MemoryError:
            stack = "unreadable"
        print("domain %d pid=%d name=%s eip=%#x esp=%#x stack=%s" % (domid, inf.pid, th.name, eip, esp, stack))

# One instruction on the first domain; the others and the clock stay frozen.
gdb.execute("inferior 1")
before = int(gdb.parse_and_eval("$eip")) & 0xFFFFFFFF
gdb.execute("stepi", to_string=True)
after = int(gdb.parse_and_eval("$eip")) & 0xFFFFFFFF
print("stepi %#x -> %#x" % (before, after))

# Monitor commands print through gdb; to_string captures them.
help_text = gdb.execute("monitor help", to_string=True)
print("monitor commands: %s" % " ".join(line.split()[0] for line in help_text.splitlines() if line.strip()))

for inf in gdb.inferiors():
    gdb.execute("inferior %d" % inf.num)
    gdb.execute("detach")
