# Test guests for the Xen model: Xen-format ELF kernels (a __xen_guest section), freestanding
# i386 C and assembly on the guest ABI headers in src/minix/guest/include.
XG_DIR   := test/xen/guests
XG_OUT   := $(B)/xen/guests
XG_CFLAGS := $(GUEST_CFLAGS) -O2 -I src/minix/guest/include -I $(XG_DIR)/lib
XG_LIB   := $(XG_OUT)/head.o $(XG_OUT)/lib.o

$(XG_OUT)/%.o: $(XG_DIR)/lib/%.S $(wildcard src/minix/guest/include/xen/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -D__ASSEMBLY__ -I src/minix/guest/include -c $< -o $@

$(XG_OUT)/%.o: $(XG_DIR)/lib/%.c $(XG_DIR)/lib/guest.h $(wildcard src/minix/guest/include/xen/*.h src/minix/guest/include/xen/io/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(XG_CFLAGS) -c $< -o $@

$(XG_OUT)/%.main.o: $(XG_DIR)/%.c $(XG_DIR)/lib/guest.h $(wildcard src/minix/guest/include/xen/*.h src/minix/guest/include/xen/io/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(XG_CFLAGS) -c $< -o $@

$(XG_OUT)/%.elf: $(XG_OUT)/%.main.o $(XG_LIB) $(XG_DIR)/guest.lds
	$(LD) $(GUEST_LDFLAGS) --no-warn-rwx-segments -T $(XG_DIR)/guest.lds $(XG_LIB) $< -o $@

GUEST_TARGETS += $(XG_OUT)/hello.elf $(XG_OUT)/hostile.elf $(XG_OUT)/spin.elf
