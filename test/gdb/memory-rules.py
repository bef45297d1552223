# What a debugger may read and write on the real host, from a gdb Python script: the guest's
# read-only machine-to-phys table at 0xFC000000 reads as the guest sees it, Xen's area beyond
# is unreachable, and writes (of the value already there, so the guests run on unharmed) land
# only in the selected domain's own frames, whatever the address space.
#   DOMAIN_FRAMES="DOMID:MFN,DOMID:MFN" XEN_FRAME=MFN PFN=N gdb -batch -nx -ex "target remote :4444" -x test/gdb/memory-rules.py
import os

import gdb

gdb.execute("set confirm off")
gdb.execute("set pagination off")

frames = dict((int(k), int(v)) for k, v in (p.split(":") for p in os.environ["DOMAIN_FRAMES"].split(",")))
pfn = int(os.environ["PFN"])
domid = int(gdb.parse_and_eval("$xen_domid"))
own = frames[domid]
other = [mfn for d, mfn in frames.items() if d != domid][0]
print("domid: %d" % domid)


def read_word(addr):
    try:
        return int(gdb.parse_and_eval("*(unsigned int *)%#x" % addr)) & 0xFFFFFFFF
    except gdb.MemoryError:
        return None


def rewrite(addr):
    """Writes back the word at addr; "ok", "refused" or "unreadable"."""
    value = read_word(addr)
    if value is None:
        return "unreadable"
    try:
        gdb.execute("set {unsigned int}%#x = %#x" % (addr, value))
        return "ok"
    except gdb.MemoryError:
        return "refused"


print("m2p-own: %s" % read_word(0xFC000000 + 4 * own))
print("m2p-other: %s" % read_word(0xFC000000 + 4 * other))
print("m2p-write: %s" % rewrite(0xFC000000 + 4 * own))
print("xen-area: %s" % read_word(0xFC400000))
gdb.execute("monitor mem machine", to_string=True)
print("machine-own: %s" % rewrite(own * 4096 + 0x800))
print("machine-other: %s" % rewrite(other * 4096 + 0x800))
print("machine-xen: %s" % rewrite(int(os.environ["XEN_FRAME"]) * 4096))
gdb.execute("monitor mem phys", to_string=True)
print("phys-own: %s" % rewrite(pfn * 4096 + 0x800))
print("phys-beyond: %s" % rewrite(0x7FFFF000))
gdb.execute("monitor mem virt", to_string=True)
for inf in gdb.inferiors():
    gdb.execute("inferior %d" % inf.num, to_string=True)
    gdb.execute("detach", to_string=True)
print("done")
