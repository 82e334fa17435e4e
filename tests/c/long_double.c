/* long double comparisons, which clang turns into libcalls on wasm
 * (binary128), over ordered, equal, signed-zero, negative, infinite and
 * NaN pairs. */
#include <math.h>
#include <stdio.h>

static void compare(const char *what, long double a, long double b) {
    // volatile keeps clang from folding the comparisons at compile time.
    volatile long double x = a, y = b;
    printf("%-10s == %d  != %d  < %d  <= %d  > %d  >= %d  unordered %d\n", what, x == y, x != y,
           x < y, x <= y, x > y, x >= y, isunordered(x, y));
}

int main(void) {
    compare("1 vs 2", 1.0L, 2.0L);
    compare("2 vs 1", 2.0L, 1.0L);
    compare("1 vs 1", 1.0L, 1.0L);
    compare("+0 vs -0", 0.0L, -0.0L);
    compare("-3 vs -2", -3.0L, -2.0L);
    compare("-2 vs 5", -2.0L, 5.0L);
    compare("inf vs 1e300", (long double)INFINITY, 1e300L);
    compare("-inf vs -1", -(long double)INFINITY, -1.0L);
    compare("nan vs 1", (long double)NAN, 1.0L);
    compare("1 vs nan", 1.0L, (long double)NAN);
    volatile long double sum = 0.0L;
    for (int i = 1; i <= 4; i++)
        sum += (long double)i / 4.0L;
    printf("sum %.2f, above 2 %d\n", (double)sum, sum > 2.0L);
    return 0;
}
