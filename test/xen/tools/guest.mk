# Tiny Xen ELF kernels for the domain-builder tests (test/xen/tools/elf-builder.test.ts):
# one good kernel and variants whose __xen_guest string is missing or wrong.
TINY_KERNEL_VARIANTS := nosection wrongver wrongos

$(B)/xen-tools/tiny-kernel: test/xen/tools/tiny-kernel.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -c $< -o $@.o
	$(LD) $(GUEST_LDFLAGS) -Ttext 0xC0000000 -e _start $@.o -o $@

$(B)/xen-tools/tiny-kernel-%: test/xen/tools/tiny-kernel.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -DVARIANT_$(shell echo $* | tr a-z A-Z) -c $< -o $@.o
	$(LD) $(GUEST_LDFLAGS) -Ttext 0xC0000000 -e _start $@.o -o $@

GUEST_TARGETS += $(B)/xen-tools/tiny-kernel $(TINY_KERNEL_VARIANTS:%=$(B)/xen-tools/tiny-kernel-%)
