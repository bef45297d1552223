/*
 * protect.c - descriptors on Xen (report 6.2.2): the GDT is read-only to us, so every entry
 * is written with update_descriptor at the machine address of its slot. Each process slot owns
 * SEGS_PER_PROC consecutive entries, handed out here and never inside Xen's reserved 256..295.
 */
#include "kernel.h"

extern char _etext[];

static int next_free_index = FIRST_PROC_GDT_INDEX;

/* Machine address of GDT slot `index`: the frame comes from the builder's MFN list. */
u32_t
gdt_entry_ma(int index)
{
	return (msi->setup_info.gdt_mfns[index / GDT_ENTRIES_PER_FRAME] << PAGE_SHIFT) |
	    ((index % GDT_ENTRIES_PER_FRAME) << 3);
}

/* First of `count` consecutive free slots that stay clear of Xen's reserved entries. */
static int
alloc_gdt_slots(int count)
{
	int first = next_free_index;

	if (first <= LAST_RESERVED_GDT_ENTRY && first + count > FIRST_RESERVED_GDT_ENTRY)
		first = LAST_RESERVED_GDT_ENTRY + 1;
	if (first + count > BOOT_GDT_ENTRIES)
		panic("protect", "GDT full at slot", first);
	next_free_index = first + count;
	return first;
}

/*
 * Writes a code or data descriptor; sizes above 1 MiB use page granularity, size 0 means all
 * memory. Returns update_descriptor's result (Xen refuses what would reach its own area).
 */
static long
write_descriptor(int index, u32_t base, u32_t size, int dpl, int code)
{
	u32_t limit, gran, access, lo, hi;

	if (index >= FIRST_RESERVED_GDT_ENTRY && index <= LAST_RESERVED_GDT_ENTRY)
		panic("protect", "refusing to write Xen's reserved GDT slot", index);
	if (size == 0) {
		limit = MAX_LIMIT_PAGES;
		gran = GRANULAR;
	} else if (size > BYTE_GRAN_MAX + 1) {
		limit = (size - 1) >> PAGE_SHIFT;
		gran = GRANULAR;
	} else {
		limit = size - 1;
		gran = 0;
	}
	/* Accessed bit preset: the CPU must never need to write the read-only GDT. */
	access = PRESENT | (dpl << DPL_SHIFT) | SEGMENT | 0x01 | (code ? EXECUTABLE | READABLE : WRITEABLE);
	lo = (limit & 0xFFFF) | ((base & 0xFFFF) << 16);
	hi = ((base >> 16) & 0xFF) | (access << 8) | (limit & 0xF0000) | ((gran | DEFAULT) << 16) | (base & 0xFF000000);
	return hypervisor_update_descriptor(gdt_entry_ma(index), lo, hi);
}

/* A descriptor the kernel cannot do without: a refusal is fatal. */
static void
set_descriptor(int index, u32_t base, u32_t size, int dpl, int code)
{
	if (write_descriptor(index, base, size, dpl, code) != 0)
		panic("protect", "update_descriptor failed for GDT slot", index);
}

/*
 * The kernel's own descriptors: the builder's ring-1 code segment is narrowed to the end of
 * the kernel text; ring-2 tasks get base-0 code and data; the extra segment spans memory.
 * Then every process slot gets its GDT slots (the descriptors come with the process).
 */
void
prot_init(void)
{
	struct proc *rp;

	set_descriptor(KERNEL_CS_INDEX, 0, (u32_t)_etext, INTR_PRIVILEGE, 1);
	set_descriptor(TASK_CS_INDEX, 0, (u32_t)_etext, TASK_PRIVILEGE, 1);
	set_descriptor(TASK_DS_INDEX, 0, 0, TASK_PRIVILEGE, 0);
	set_descriptor(EXTRA_INDEX, 0, kinfo.mem_size, INTR_PRIVILEGE, 0);
	for (rp = BEG_PROC_ADDR; rp < END_PROC_ADDR; rp++)
		rp->p_gdt_index = alloc_gdt_slots(SEGS_PER_PROC);
}

/*
 * Segments of a process from its memory map, and its saved selectors. Kernel tasks share the
 * base-0 task selectors; others get a code and a data descriptor of their own in their slot's
 * GDT entries: common I&D (T length 0) spans text to stack with both, separate I&D puts CS on
 * the text and DS/SS on the data and stack.
 */
void
alloc_segments(struct proc *rp)
{
	u32_t code_base, data_base, code_bytes, data_bytes;

	if (iskerneln(rp->p_nr)) {
		rp->p_cs_sel = TASK_CS_SELECTOR;
		rp->p_ds_sel = TASK_DS_SELECTOR;
		goto selectors;
	}
	code_base = rp->p_memmap[T].mem_phys << CLICK_SHIFT;
	data_base = rp->p_memmap[D].mem_phys << CLICK_SHIFT;
	data_bytes = (rp->p_memmap[S].mem_vir + rp->p_memmap[S].mem_len) << CLICK_SHIFT;
	code_bytes = rp->p_memmap[T].mem_len << CLICK_SHIFT;
	if (code_bytes == 0)
		code_bytes = data_bytes;
	set_descriptor(rp->p_gdt_index, code_base, code_bytes, USER_PRIVILEGE, 1);
	set_descriptor(rp->p_gdt_index + 1, data_base, data_bytes, USER_PRIVILEGE, 0);
	rp->p_cs_sel = SELECTOR(rp->p_gdt_index, USER_PRIVILEGE);
	rp->p_ds_sel = SELECTOR(rp->p_gdt_index + 1, USER_PRIVILEGE);
selectors:
	rp->p_reg.cs = rp->p_cs_sel;
	rp->p_reg.ds = rp->p_reg.es = rp->p_reg.fs = rp->p_reg.gs = rp->p_reg.ss = rp->p_ds_sel;
}

/*
 * SYS_SEGCTL's descriptor: ring-3 data over pseudo-physical [base, base+size) in extra segment
 * `index` of the process. Returns the selector, or 0 when Xen refuses the descriptor.
 */
reg_t
set_remote_segment(struct proc *rp, int index, phys_bytes base, vir_bytes size)
{
	int slot = rp->p_gdt_index + EXTRA_SEG_OFFSET + index;

	if (write_descriptor(slot, base, size, USER_PRIVILEGE, 0) != 0)
		return 0;
	return SELECTOR(slot, USER_PRIVILEGE);
}

/* SYS_EXEC: a new program starts without the old one's remote segments (null descriptors). */
void
clear_remote_segments(struct proc *rp)
{
	int i;

	for (i = 0; i < NR_REMOTE_SEGS; i++)
		if (hypervisor_update_descriptor(gdt_entry_ma(rp->p_gdt_index + EXTRA_SEG_OFFSET + i), 0, 0) != 0)
			panic("protect", "cannot clear GDT slot", rp->p_gdt_index + EXTRA_SEG_OFFSET + i);
}
