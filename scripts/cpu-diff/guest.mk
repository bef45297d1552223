# The native snippet harness of the differential CPU tests: a static i386 Linux program.
$(B)/cpu-diff/harness: scripts/cpu-diff/harness.c scripts/cpu-diff/harness-entry.S scripts/cpu-diff/case-layout.h
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -O2 -c scripts/cpu-diff/harness.c -o $@-c.o
	$(CC) $(GUEST_ASFLAGS) -c scripts/cpu-diff/harness-entry.S -o $@-s.o
	$(LD) $(GUEST_LDFLAGS) -e _start $@-s.o $@-c.o -o $@

GUEST_TARGETS += $(B)/cpu-diff/harness
