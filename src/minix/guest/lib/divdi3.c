/*
 * divdi3.c - the 64-bit division helpers gcc calls on i386 (__udivdi3, __umoddi3, __divdi3,
 * __moddi3). The guest links no libgcc, and the clock converts Xen's nanoseconds with them.
 * Shift-and-subtract long division: simple, and only used off the hot paths.
 */
typedef unsigned long long u64;
typedef long long s64;

u64 __udivmoddi4(u64 num, u64 den, u64 *rem);
u64 __udivdi3(u64 num, u64 den);
u64 __umoddi3(u64 num, u64 den);
s64 __divdi3(s64 num, s64 den);
s64 __moddi3(s64 num, s64 den);

u64
__udivmoddi4(u64 num, u64 den, u64 *rem)
{
	u64 quot = 0, bit = 1;

	if (den == 0) {
		/* Division by zero: raise the CPU's own #DE, as native code would. */
		volatile unsigned zero = 0;
		return 1 / zero;
	}
	while (den < num && (den & (1ULL << 63)) == 0) {
		den <<= 1;
		bit <<= 1;
	}
	while (bit != 0) {
		if (num >= den) {
			num -= den;
			quot |= bit;
		}
		den >>= 1;
		bit >>= 1;
	}
	if (rem != 0)
		*rem = num;
	return quot;
}

u64
__udivdi3(u64 num, u64 den)
{
	return __udivmoddi4(num, den, 0);
}

u64
__umoddi3(u64 num, u64 den)
{
	u64 rem;

	__udivmoddi4(num, den, &rem);
	return rem;
}

s64
__divdi3(s64 num, s64 den)
{
	int neg = (num < 0) != (den < 0);
	u64 q = __udivmoddi4(num < 0 ? -(u64)num : (u64)num, den < 0 ? -(u64)den : (u64)den, 0);

	return neg ? -(s64)q : (s64)q;
}

s64
__moddi3(s64 num, s64 den)
{
	u64 rem;

	__udivmoddi4(num < 0 ? -(u64)num : (u64)num, den < 0 ? -(u64)den : (u64)den, &rem);
	return num < 0 ? -(s64)rem : (s64)rem;
}
