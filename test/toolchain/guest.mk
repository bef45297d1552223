# A native i386 Linux program built with the guest toolchain, proving it makes runnable code.
$(B)/toolchain/hello32: test/toolchain/hello32.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -c $< -o $@.o
	$(LD) $(GUEST_LDFLAGS) -e _start $@.o -o $@

GUEST_TARGETS += $(B)/toolchain/hello32
