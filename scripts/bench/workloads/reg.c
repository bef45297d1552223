/* Register ALU loop: adds, xors, shifts and a subtraction with loop-carried dependences. */
#include "workloads.h"

u32
work_reg(u32 n)
{
	u32 a = 0x12345678, b = 0x9abcdef0, c = 7;
	for (u32 i = 0; i < n; i++) {
		a += b;
		b ^= a;
		c -= a >> 3;
	}
	return a ^ b ^ c;
}
