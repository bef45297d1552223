# The hypercall-loop guest of the boot-hello benchmark (scripts/bench/boot-hello.ts); its
# spinning neighbour is the Xen test guest build/xen/guests/spin.elf.
$(B)/bench/hcloop.elf: scripts/bench/guests/hcloop.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -D__ASSEMBLY__ -I src/minix/guest/include -c $< -o $@.o
	$(LD) $(GUEST_LDFLAGS) -Ttext 0xC0000000 -e _start $@.o -o $@

GUEST_TARGETS += $(B)/bench/hcloop.elf
