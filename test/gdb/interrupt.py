# Interrupts a running target from a gdb script, the way a user would press Ctrl-C:
# GDB 13 has no gdb.interrupt(), so a timer sends SIGINT to gdb itself (gdb-rsp.md section 10).
# Prints one line per observation so the test can assert on them.
import os
import signal
import threading

import gdb

gdb.execute("set confirm off")
gdb.execute("set pagination off")

stops = []
gdb.events.stop.connect(lambda ev: stops.append(getattr(ev, "stop_signal", type(ev).__name__)))

threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
gdb.execute("continue")
print("stop-signal: %s" % stops[-1])
print("thread: %s" % gdb.selected_thread().name)
print("eip-readable: %s" % (int(gdb.parse_and_eval("$eip")) >= 0x100000))
gdb.execute("detach")
