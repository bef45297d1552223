# A domain crash under the debugger: point the stack and eip of the selected domain at nothing,
# continue, and look at what gdb is told. Xen cannot build the bounce frame for the fault, so
# it crashes that domain alone; the stub reports SIGSEGV on its thread with the state kept.
import gdb

gdb.execute("set confirm off")
gdb.execute("set pagination off")
stops = []
gdb.events.stop.connect(lambda ev: stops.append(ev))
gdb.execute("set $esp = 0x10")
gdb.execute("set $eip = 0x10")
gdb.execute("continue")
print("crash-signal: %s" % getattr(stops[-1], "stop_signal", None))
print("crash-thread: %s" % gdb.selected_thread().name)
print("crash-eip: %#x" % (int(gdb.parse_and_eval("$eip")) & 0xFFFFFFFF))
print("crash-details: %s" % gdb.selected_thread().details)
gdb.execute("detach")
