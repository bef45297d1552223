# Source-level debugging of a guest on the real host, from gdb Python: the hello test guest
# (test/xen/guests/hello.c), whose timer event handler on_event() counts `ticks`.
#   gdb -batch -nx -ex "target remote :4444" -x test/gdb/hello-guest.py   (HELLO_ELF=path)
# Prints one "key: value" line per observation for the test to check.
import os
import signal
import threading

import gdb

gdb.execute("set confirm off")
gdb.execute("set pagination off")

stops = []
gdb.events.stop.connect(lambda ev: stops.append(ev))
gdb.execute("file " + os.environ.get("HELLO_ELF", "build/xen/guests/hello.elf"))

print("inferiors: %d" % len(gdb.inferiors()))
print("threads: %s" % ",".join(sorted(t.name for i in gdb.inferiors() for t in i.threads())))

# A breakpoint at a guest symbol, then continue until the next timer event (other event
# ports also land in on_event; gdb checks the condition at each hit).
bp = gdb.Breakpoint("on_event")
bp.condition = "port == timer_port"
gdb.execute("continue")
print("stopped-in: %s" % gdb.selected_frame().name())
print("breakpoint-hits: %d" % bp.hit_count)
print("source: %s" % gdb.execute("list on_event,+3", to_string=True).replace("\n", "|"))
ticks_before = int(gdb.parse_and_eval("ticks"))
bt = gdb.execute("bt", to_string=True)
print("bt: %s" % bt.strip().replace("\n", "|"))

# `next` through the handler: source lines, not instructions.
line0 = gdb.selected_frame().find_sal().line
gdb.execute("next", to_string=True)
gdb.execute("next", to_string=True)
line1 = gdb.selected_frame().find_sal().line
print("next-moved-lines: %s" % (line1 > line0))
print("ticks-after-next: %d" % (int(gdb.parse_and_eval("ticks")) - ticks_before))
bp.delete()

# `finish` runs until on_event returns to its caller.
try:
    gdb.execute("finish", to_string=True)
    print("finish-left: %s" % (gdb.selected_frame().name() != "on_event"))
except gdb.error as err:
    print("finish-error: %s" % err)

# A watchpoint on a guest variable.
wp = gdb.Breakpoint("ticks", gdb.BP_WATCHPOINT, gdb.WP_WRITE)
before = int(gdb.parse_and_eval("ticks"))
gdb.execute("continue")
ev = stops[-1]
hit = isinstance(ev, gdb.BreakpointEvent) and wp in ev.breakpoints
print("watch: hit=%s delta=%d" % (hit, int(gdb.parse_and_eval("ticks")) - before))
gdb.execute("delete")

# Ctrl-C from a script (GDB 13 has no gdb.interrupt()).
threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
gdb.execute("continue")
print("interrupt: %s" % getattr(stops[-1], "stop_signal", None))

# The other domain, through its own inferior.
if len(gdb.inferiors()) > 1:
    gdb.execute("inferior 2")
    eip = int(gdb.parse_and_eval("$eip")) & 0xFFFFFFFF
    mem = bytes(gdb.selected_inferior().read_memory(eip, 4))
    print("inferior-2-eip-readable: %s" % (len(mem) == 4))

print("monitor-domains: %s" % gdb.execute("monitor domains", to_string=True).replace("\n", "|"))
print("monitor-console: %s" % gdb.execute("monitor console 1", to_string=True).replace("\n", "|"))
for inf in gdb.inferiors():
    gdb.execute("inferior %d" % inf.num)
    gdb.execute("detach")
print("done")
