# The MINIX guest: lib, kernel (with its tasks), servers/pm, drivers/tty, commands/boottest, each linked
# from virtual address 0 as an ELF with debug info (the symbol files for gdb), then turned
# into a.outs and packed into build/minix/image, kernel first, by `minix-on-xen mkimage`.

MG      := src/minix/guest
MB      := $(B)/minix
MINIX_CFLAGS := $(GUEST_CFLAGS) -O1 -Werror -I$(MG)/include -I$(MG)/kernel
MINIX_ASFLAGS := $(GUEST_ASFLAGS) -I$(MG)/include -I$(MG)/kernel -Wa,--fatal-warnings
MINIX_HEADERS := $(shell find $(MG)/include $(MG)/kernel $(MG)/drivers $(MG)/servers -name '*.h')

MINIX_LIB_SRC    := $(wildcard $(MG)/lib/*.c $(MG)/lib/*.S)
MINIX_LIB_OBJ    := $(patsubst $(MG)/%,$(MB)/obj/%.o,$(filter-out %/crt0.S,$(MINIX_LIB_SRC)))
MINIX_KERNEL_OBJ := $(patsubst $(MG)/%,$(MB)/obj/%.o,$(wildcard $(MG)/kernel/*.S $(MG)/kernel/*.c $(MG)/kernel/system/*.c))
MINIX_TTY_OBJ    := $(patsubst $(MG)/%,$(MB)/obj/%.o,$(wildcard $(MG)/drivers/tty/*.c))
MINIX_PM_OBJ     := $(patsubst $(MG)/%,$(MB)/obj/%.o,$(wildcard $(MG)/servers/pm/*.c $(MG)/servers/pm/*.S))
MINIX_BOOTTEST_OBJ := $(patsubst $(MG)/%,$(MB)/obj/%.o,$(wildcard $(MG)/commands/boottest/*.c))
MINIX_CRT0       := $(MB)/obj/lib/crt0.S.o

$(MB)/obj/%.c.o: $(MG)/%.c $(MINIX_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(MINIX_CFLAGS) -c $< -o $@

$(MB)/obj/%.S.o: $(MG)/%.S $(MINIX_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(MINIX_ASFLAGS) -c $< -o $@

$(MB)/libminix.a: $(MINIX_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(MB)/kernel.elf: $(MINIX_KERNEL_OBJ) $(MB)/libminix.a $(MG)/kernel/kernel.ld
	$(LD) $(GUEST_LDFLAGS) -T $(MG)/kernel/kernel.ld $(MINIX_KERNEL_OBJ) $(MB)/libminix.a -o $@

$(MB)/tty.elf: $(MINIX_CRT0) $(MINIX_TTY_OBJ) $(MB)/libminix.a $(MG)/lib/user.ld
	$(LD) $(GUEST_LDFLAGS) -T $(MG)/lib/user.ld $(MINIX_CRT0) $(MINIX_TTY_OBJ) $(MB)/libminix.a -o $@

# PM is separate I&D: text and data both from 0 (the sections overlap on purpose).
$(MB)/pm.elf: $(MINIX_CRT0) $(MINIX_PM_OBJ) $(MB)/libminix.a $(MG)/lib/sep.ld
	$(LD) $(GUEST_LDFLAGS) --no-check-sections -T $(MG)/lib/sep.ld $(MINIX_CRT0) $(MINIX_PM_OBJ) $(MB)/libminix.a -o $@

$(MB)/boottest.elf: $(MINIX_CRT0) $(MINIX_BOOTTEST_OBJ) $(MB)/libminix.a $(MG)/lib/user.ld
	$(LD) $(GUEST_LDFLAGS) -T $(MG)/lib/user.ld $(MINIX_CRT0) $(MINIX_BOOTTEST_OBJ) $(MB)/libminix.a -o $@

# Image order = the kernel's image table: kernel, pm (the stand-in), tty, init and its peer
# (the boot test twice).
MINIX_PROGRAMS := kernel=$(MB)/kernel.elf pm=$(MB)/pm.elf tty=$(MB)/tty.elf init=$(MB)/boottest.elf peer=$(MB)/boottest.elf
$(MB)/image: $(MB)/kernel.elf $(MB)/pm.elf $(MB)/tty.elf $(MB)/boottest.elf dist/src/cli/mkimage.js
	node dist/src/cli/main.js mkimage -o $@ --aout-dir $(MB)/aout --stack 16384 $(MINIX_PROGRAMS)

GUEST_TARGETS += $(MB)/image
