# CPU benchmark workloads (npm run bench -- cpu): the same -O2 objects linked into a static
# i386 Linux program (native and qemu-i386) and into a multiboot kernel with paging on (our
# CPU in bare mode); plus stepcount, a host ptrace tool that counts their instructions.
BENCHW_SRC := scripts/bench/workloads
BENCHW_OUT := $(B)/bench/cpu
BENCHW_CFLAGS := -m32 -march=i686 -O2 -ffreestanding -fno-builtin -fno-pic -fno-pie \
  -fno-stack-protector -fno-asynchronous-unwind-tables -Wall -Wextra
BENCHW_OBJS := $(addprefix $(BENCHW_OUT)/,reg.o mem.o call.o sort.o call-workload.o)

$(BENCHW_OUT)/%.o: $(BENCHW_SRC)/%.c $(BENCHW_SRC)/workloads.h
	@mkdir -p $(dir $@)
	$(CC) $(BENCHW_CFLAGS) -c $< -o $@

$(BENCHW_OUT)/%.o: $(BENCHW_SRC)/%.S
	@mkdir -p $(dir $@)
	$(CC) -m32 -c $< -o $@

$(BENCHW_OUT)/bench32: $(BENCHW_OUT)/linux-start.o $(BENCHW_OUT)/linux-main.o $(BENCHW_OBJS)
	$(LD) -m elf_i386 -nostdlib -static -e _start $^ -o $@

$(BENCHW_OUT)/bench-kernel.elf: $(BENCHW_OUT)/bare-start.o $(BENCHW_OUT)/bare-main.o $(BENCHW_OBJS)
	$(LD) -m elf_i386 -nostdlib -static -Ttext 0x100000 -e _start $^ -o $@

$(BENCHW_OUT)/stepcount: $(BENCHW_SRC)/stepcount.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall $< -o $@

GUEST_TARGETS += $(BENCHW_OUT)/bench32 $(BENCHW_OUT)/bench-kernel.elf $(BENCHW_OUT)/stepcount
