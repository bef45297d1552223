/* Mixed program: fill 256 words from a fixed LCG seed and quicksort them, n times. The same
 * input every repetition keeps the instruction count exactly linear in n. */
#include "workloads.h"

#define SORT_N 256

static u32 arr[SORT_N];

static void
quicksort(u32 *a, int lo, int hi)
{
	while (lo < hi) {
		u32 pivot = a[(lo + hi) >> 1];
		int i = lo, j = hi;
		while (i <= j) {
			while (a[i] < pivot) i++;
			while (a[j] > pivot) j--;
			if (i <= j) {
				u32 t = a[i];
				a[i] = a[j];
				a[j] = t;
				i++;
				j--;
			}
		}
		/* recurse into the smaller half, loop on the larger */
		if (j - lo < hi - i) {
			quicksort(a, lo, j);
			lo = i;
		} else {
			quicksort(a, i, hi);
			hi = j;
		}
	}
}

u32
work_sort(u32 n)
{
	u32 sum = 0;
	for (u32 r = 0; r < n; r++) {
		u32 seed = 12345;
		for (int i = 0; i < SORT_N; i++) {
			seed = seed * 1103515245u + 12345u;
			arr[i] = seed >> 8;
		}
		quicksort(arr, 0, SORT_N - 1);
		sum += arr[r & (SORT_N - 1)] ^ arr[SORT_N - 1];
	}
	return sum;
}
