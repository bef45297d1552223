/*
 * alloc.c - PM's memory: the free memory the builder left after its structures (the kernel's
 * kinfo.free_base to the end of the domain's memory), handed out in clicks from the bottom.
 * MINIX's PM keeps a hole list; the stand-in never frees, so a bump pointer is enough.
 */
#include "pm.h"
#include "type.h"

static phys_clicks next_free, end_free;

int
mem_init(void)
{
	struct kinfo ki;
	int r;

	if ((r = sys_getinfo(GET_KINFO, &ki, sizeof ki)) != OK)
		return r;
	next_free = (ki.free_base + CLICK_SIZE - 1) >> CLICK_SHIFT;
	end_free = ki.mem_size >> CLICK_SHIFT;
	printf("pm: free memory 0x%x to 0x%x (%u KiB)\n", next_free << CLICK_SHIFT, end_free << CLICK_SHIFT,
	    (end_free - next_free) << (CLICK_SHIFT - 10));
	return next_free < end_free ? OK : ENOMEM;
}

/* First click of `clicks` fresh clicks, or 0 when memory has run out. */
phys_clicks
alloc_mem(phys_clicks clicks)
{
	phys_clicks at = next_free;

	if (clicks == 0 || clicks > end_free - next_free)
		return 0;
	next_free += clicks;
	return at;
}
