/* Call/ret loop: one out-of-line call per iteration with its argument pushed on the stack. */
#include "workloads.h"

__attribute__((noipa)) static u32
step(u32 x)
{
	return x * 2654435761u + 1;
}

u32
work_call(u32 n)
{
	u32 x = 1;
	for (u32 i = 0; i < n; i++)
		x = step(x) ^ i;
	return x;
}
