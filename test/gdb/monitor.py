# Every monitor command of the stub on the real host, from a gdb Python script, with the
# memory views checked against each other: the words at the stack pointer read through the
# domain's page tables (virt), through its pseudo-physical frame (phys), through the machine
# frame `monitor pt` names (machine) and with `monitor xp` must all agree.
#   gdb -batch -nx -ex "target remote :4444" -x test/gdb/monitor.py
# Prints one "key: value" line per observation for the test to check.
import re

import gdb

gdb.execute("set confirm off")
gdb.execute("set pagination off")


def monitor(cmd):
    return gdb.execute("monitor " + cmd, to_string=True)


def show(key, text):
    print("%s: %s" % (key, text.strip().replace("\n", "|")))


def words(addr, n):
    out = gdb.execute("x/%dxw %#x" % (n, addr), to_string=True)
    return [int(w, 16) for line in out.splitlines() for w in line.split(":")[1].split()]


regs = gdb.execute("info registers", to_string=True)
print("info-registers-names: %s" % " ".join(line.split()[0] for line in regs.splitlines() if line.strip()))
eip = int(gdb.parse_and_eval("$eip")) & 0xFFFFFFFF
esp = int(gdb.parse_and_eval("$esp")) & 0xFFFFFFFF
cs = int(gdb.parse_and_eval("$cs")) & 0xFFFF
domid = int(gdb.parse_and_eval("$xen_domid"))
print("domid: %d" % domid)

show("help", monitor("help"))
show("status", monitor("status"))
show("domains", monitor("domains"))
show("evtchn", monitor("evtchn"))
show("gdt", monitor("gdt"))
show("seg-cs", monitor("seg %#x" % cs))
show("console", monitor("console %d" % domid))

# One page walk, then the same 16 words through every address space.
base = esp & ~0xF
virt = words(base, 16)
walk = monitor("pt %#x" % base)
show("pt", walk)
m = re.search(r"frame mfn (\d+) pfn (\d+)", walk)
mfn, pfn = int(m.group(1)), int(m.group(2))
off = base & 0xFFF
show("mem-phys", monitor("mem phys"))
phys = words(pfn * 4096 + off, 16)
show("mem-machine", monitor("mem machine"))
machine = words(mfn * 4096 + off, 16)
show("mem-virt", monitor("mem virt"))
xp_bytes = [int(b, 16) for line in monitor("xp %#x 64" % (mfn * 4096 + off)).splitlines() for b in line.split(":")[1].split()]
xp = [xp_bytes[i] | xp_bytes[i + 1] << 8 | xp_bytes[i + 2] << 16 | xp_bytes[i + 3] << 24 for i in range(0, 64, 4)]
print("mem-views-agree: %s" % (virt == phys == machine == xp))
print("stack-words: %s" % " ".join("%08x" % w for w in virt))

# pause/unpause another domain (the last one listed), as xm would.
last = [line.split()[0] for line in monitor("domains").splitlines() if line.strip()][-1]
show("pause", monitor("pause " + last))
show("domains-paused", monitor("domains"))
show("unpause", monitor("unpause " + last))
show("domains-unpaused", monitor("domains"))

show("sstep-events-on", monitor("sstep-events on"))
show("sstep-events-off", monitor("sstep-events off"))
show("bad-pt", monitor("pt nowhere"))

gdb.execute("stepi", to_string=True)
print("stepi-moved: %s" % ((int(gdb.parse_and_eval("$eip")) & 0xFFFFFFFF) != eip))
for inf in gdb.inferiors():
    gdb.execute("inferior %d" % inf.num)
    gdb.execute("detach")
print("done")
