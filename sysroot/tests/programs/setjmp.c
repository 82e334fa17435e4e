/* setjmp/longjmp as C defines them, checked against the host's libc by
 * sysroot/tests/setjmp.rs: longjmp across frames, nested and re-armed
 * jmp_bufs, longjmp(env, 0) returning 1, volatile locals kept, a jump out
 * of a callback through qsort (a libc frame), and many jumps in a loop. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

static jmp_buf top;
static int unwound;

static void descend(int depth, int value) {
	if (depth == 0)
		longjmp(top, value);
	descend(depth - 1, value);
	unwound++; /* never reached */
}

static int inner_then_outer(jmp_buf outer) {
	jmp_buf inner;
	volatile int steps = 0;
	int r = setjmp(inner);
	steps++;
	if (r == 0)
		longjmp(inner, 5);
	if (r == 5)
		longjmp(outer, 100 + steps);
	return -1;
}

static jmp_buf sort_escape;

static int compare_and_escape(const void *a, const void *b) {
	int x = *(const int *)a, y = *(const int *)b;
	if (x == 13 || y == 13)
		longjmp(sort_escape, 13);
	return (x > y) - (x < y);
}

static int count_down(int n) {
	jmp_buf again;
	volatile int left = n;
	volatile int jumps = 0;
	if (setjmp(again) != 0)
		jumps++;
	if (left-- > 0)
		longjmp(again, 1);
	return jumps;
}

int main(void) {
	volatile int round = 0;
	int r = setjmp(top);
	printf("round %d: setjmp returned %d\n", round, r);
	switch (round++) {
	case 0:
		descend(10, 42);
		break;
	case 1:
		descend(3, 0); /* longjmp(env, 0) makes setjmp return 1 */
		break;
	case 2:
		descend(0, -7);
		break;
	}
	printf("unwound frames: %d\n", unwound);

	jmp_buf outer;
	int o = setjmp(outer);
	if (o == 0)
		inner_then_outer(outer);
	printf("nested: outer got %d\n", o);

	int data[] = {9, 3, 13, 1, 7};
	int s = setjmp(sort_escape);
	if (s == 0) {
		qsort(data, 5, sizeof data[0], compare_and_escape);
		puts("sorted (unexpected)");
	} else {
		printf("escaped qsort with %d\n", s);
	}

	long total = 0;
	for (int i = 0; i < 10000; i++)
		total += count_down(i % 4);
	printf("jumps in a loop: %ld\n", total);
	return 0;
}
