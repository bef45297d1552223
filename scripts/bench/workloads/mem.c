/* Memory loop: a byte load and a byte store per iteration, strided over a 64 KiB buffer.
 * The buffer starts zeroed (bss) in every engine, so no set-up loop inflates the count. */
#include "workloads.h"

static unsigned char buf[65536];

u32
work_mem(u32 n)
{
	u32 j = 0, sum = 0;
	for (u32 i = 0; i < n; i++) {
		unsigned char v = buf[j];
		buf[(j + 4099) & 0xffff] = (unsigned char)(v + 1);
		sum += v;
		j = (j + 61) & 0xffff;
	}
	return sum;
}
