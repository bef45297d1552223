# CPU test kernels: multiboot ELFs for qemu -kernel and our bare-mode runner, plus a floppy
# image per kernel (boot sector + flattened kernel) for Bochs, which has no multiboot loader.
CPUK_SRC   := test/cpu/kernels
CPUK_OUT   := $(B)/cpu/kernels
CPUK_NAMES := segments rings paging idt iopl hot v86
CPUK_LIB   := $(addprefix $(CPUK_OUT)/lib/,start.o console.o desc.o trap.o)
CPUK_CFLAGS := $(GUEST_CFLAGS) -O1 -I$(CPUK_SRC)/lib

$(CPUK_OUT)/lib/%.o: $(CPUK_SRC)/lib/%.c $(CPUK_SRC)/lib/kernel.h
	@mkdir -p $(dir $@)
	$(CC) $(CPUK_CFLAGS) -c $< -o $@

$(CPUK_OUT)/lib/%.o: $(CPUK_SRC)/lib/%.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -c $< -o $@

$(CPUK_OUT)/%.o: $(CPUK_SRC)/%.c $(CPUK_SRC)/lib/kernel.h
	@mkdir -p $(dir $@)
	$(CC) $(CPUK_CFLAGS) -c $< -o $@

$(CPUK_OUT)/%.elf: $(CPUK_OUT)/%.o $(CPUK_LIB) $(CPUK_SRC)/lib/kernel.ld
	$(LD) $(GUEST_LDFLAGS) -T $(CPUK_SRC)/lib/kernel.ld $< $(CPUK_LIB) -o $@

$(CPUK_OUT)/floppy-boot.bin: $(CPUK_SRC)/boot/floppy-boot.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -c $< -o $@.o
	$(LD) -m elf_i386 -Ttext 0x7c00 --oformat binary $@.o -o $@

$(CPUK_OUT)/%.img: $(CPUK_OUT)/%.elf $(CPUK_OUT)/floppy-boot.bin $(CPUK_SRC)/boot/mkfloppy.mjs
	node $(CPUK_SRC)/boot/mkfloppy.mjs $(CPUK_OUT)/floppy-boot.bin $< $@

GUEST_TARGETS += $(foreach k,$(CPUK_NAMES),$(CPUK_OUT)/$(k).elf $(CPUK_OUT)/$(k).img)
.SECONDARY: $(CPUK_LIB) $(foreach k,$(CPUK_NAMES),$(CPUK_OUT)/$(k).o)
