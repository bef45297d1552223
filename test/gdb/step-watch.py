# Stepping, read/access watchpoints and code patching on the real host, from a gdb Python script
# with the hello guest's symbols:
#  - stepi runs one instruction of the selected vcpu: Xen's clock and every other domain stand still;
#  - rwatch and awatch on the guest's `ticks` stop where the timer handler reads it;
#  - an instruction written by the debugger over code the guest has run many times is what the
#    next step executes (the CPU's decoded copy of that frame is dropped), then the original
#    bytes go back and the guest runs on.
#   gdb -batch -nx -ex "target remote :4444" -x test/gdb/step-watch.py   (HELLO_ELF=path)
import os
import re

import gdb

gdb.execute("set confirm off")
gdb.execute("set pagination off")
gdb.execute("file " + os.environ.get("HELLO_ELF", "build/xen/guests/hello.elf"))

stops = []
gdb.events.stop.connect(lambda ev: stops.append(ev))


def status_time():
    return int(re.search(r"time=(\d+)ns", gdb.execute("monitor status", to_string=True)).group(1))


def instr_counts():
    return dict(re.findall(r"^(\d+) \S+ \S+ pages=\d+ instr=(\d+)", gdb.execute("monitor domains", to_string=True), re.M))


def eip():
    return int(gdb.parse_and_eval("$eip")) & 0xFFFFFFFF


domid = str(int(gdb.parse_and_eval("$xen_domid")))
t0, counts0, eip0 = status_time(), instr_counts(), eip()
moved = False
for _ in range(20):
    gdb.execute("stepi", to_string=True)
    moved = moved or eip() != eip0
t1, counts1 = status_time(), instr_counts()
print("step-clock-frozen: %s" % (t0 == t1))
print("step-others-frozen: %s" % all(counts1[d] == counts0[d] for d in counts0 if d != domid))
print("step-self-ran: %s" % (int(counts1[domid]) - int(counts0[domid])))
print("step-moved: %s" % moved)

for kind, cmd in (("rwatch", "rwatch ticks"), ("awatch", "awatch ticks")):
    gdb.execute(cmd, to_string=True)
    gdb.execute("continue", to_string=True)
    ev = stops[-1]
    hit = isinstance(ev, gdb.BreakpointEvent) and any(b.type in (gdb.BP_READ_WATCHPOINT, gdb.BP_ACCESS_WATCHPOINT) for b in ev.breakpoints)
    print("%s: hit=%s in=%s" % (kind, hit, gdb.selected_frame().name()))
    gdb.execute("delete", to_string=True)

# A breakpoint belongs to one domain: both guests run on_event at the same address, but only
# the domain of the inferior it was set in stops there.
gdb.execute("break *on_event", to_string=True)
hits = []
for _ in range(4):
    gdb.execute("continue", to_string=True)
    hits.append(gdb.selected_inferior().pid - 1)
print("breakpoint-domains: %s" % ",".join(str(h) for h in hits))
print("breakpoint-set-in: %d" % (gdb.inferiors()[0].pid - 1))

# Patch code the guest has run many times: `mov $0x1234567, %eax` over on_event's first bytes.
start = eip()
print("at-on_event: %s" % (start == int(gdb.parse_and_eval("(unsigned int)&on_event"))))
gdb.execute("delete", to_string=True)
inf = gdb.selected_inferior()
original = bytes(inf.read_memory(start, 5))
eax = int(gdb.parse_and_eval("$eax")) & 0xFFFFFFFF
inf.write_memory(start, b"\xb8\x67\x45\x23\x01")
gdb.execute("stepi", to_string=True)
print("patched-step: eax=%#x eip+%d" % (int(gdb.parse_and_eval("$eax")) & 0xFFFFFFFF, eip() - start))
inf.write_memory(start, original)
gdb.execute("set $eip = %#x" % start)
gdb.execute("set $eax = %#x" % eax)
gdb.execute("stepi", to_string=True)
print("restored-step: eax-kept=%s eip+%d" % ((int(gdb.parse_and_eval("$eax")) & 0xFFFFFFFF) == eax, eip() - start))
for i in gdb.inferiors():
    gdb.execute("inferior %d" % i.num, to_string=True)
    gdb.execute("detach", to_string=True)
print("done")
