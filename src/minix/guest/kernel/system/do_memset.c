/*
 * do_memset.c - SYS_MEMSET: fills pseudo-physical memory with a 32-bit pattern (PM clears new
 * processes with it). The range must lie in the domain's memory, outside the kernel's image and
 * the builder's read-only frames.
 */
#include "../kernel.h"
#include "../system.h"

int
do_memset(message *m)
{
	phys_bytes base = (phys_bytes)m->MEM_PTR;
	phys_bytes bytes = (phys_bytes)m->MEM_COUNT;
	u32_t pattern = (u32_t)m->MEM_PATTERN;
	phys_bytes i;

	if (bytes == 0)
		return OK;
	if (!phys_range_ok(base, bytes, 1))
		return EFAULT;
	for (i = 0; i < bytes; i++)
		((u8_t *)base)[i] = (u8_t)(pattern >> (8 * ((base + i) & 3)));
	return OK;
}
