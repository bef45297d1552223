# Guests of the boot-hello benchmark: a hypercall loop and a spinner (scripts/bench/boot-hello.ts).
$(B)/bench/hcloop.elf: scripts/bench/guests/hcloop.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -D__ASSEMBLY__ -I src/minix/guest/include -c $< -o $@.o
	$(LD) $(GUEST_LDFLAGS) -Ttext 0xC0000000 -e _start $@.o -o $@

$(B)/bench/spin.elf: scripts/bench/guests/hcloop.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -D__ASSEMBLY__ -DSPIN -I src/minix/guest/include -c $< -o $@.o
	$(LD) $(GUEST_LDFLAGS) -Ttext 0xC0000000 -e _start $@.o -o $@

GUEST_TARGETS += $(B)/bench/hcloop.elf $(B)/bench/spin.elf
