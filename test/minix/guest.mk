# Fixtures for the MINIX image tests: a small ELF linked from address 0 like the guest programs.
$(B)/test-minix/prog.elf: test/minix/fixtures/prog.S test/minix/fixtures/prog.ld
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -c $< -o $@.o
	$(LD) $(GUEST_LDFLAGS) -T test/minix/fixtures/prog.ld $@.o -o $@

GUEST_TARGETS += $(B)/test-minix/prog.elf

$(B)/test-minix/prog-sep.elf: test/minix/fixtures/prog.S test/minix/fixtures/prog-sep.ld
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -c $< -o $@.o
	$(LD) $(GUEST_LDFLAGS) --no-check-sections -T test/minix/fixtures/prog-sep.ld $@.o -o $@

GUEST_TARGETS += $(B)/test-minix/prog-sep.elf
