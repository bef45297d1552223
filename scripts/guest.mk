# Guest build: freestanding i386 C and assembly. Every folder that holds guest code has a
# guest.mk fragment that appends its outputs to GUEST_TARGETS; outputs go under build/.
# Invoked by scripts/build-guest.mjs (npm run build), from the repository root.

CC      := gcc
LD      := ld
OBJCOPY := objcopy
B       := build

# Freestanding i386: no libc, no libgcc (guests carry their own 64-bit division helpers),
# no PIC, no stack protector, frame pointers kept so gdb backtraces work.
GUEST_CFLAGS := -m32 -march=i686 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
  -fno-asynchronous-unwind-tables -fno-builtin -nostdinc -fno-omit-frame-pointer \
  -g -Wall -Wextra
GUEST_ASFLAGS := -m32 -g
GUEST_LDFLAGS := -m elf_i386 -nostdlib -static

GUEST_TARGETS :=

include $(sort $(shell find scripts src test -name guest.mk -not -path scripts/guest.mk))

all: $(GUEST_TARGETS)

.PHONY: all
.DEFAULT_GOAL := all
