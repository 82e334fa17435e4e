#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <limits.h>

int main(void) {
    printf("[%d] [%5d] [%-5d] [%05d]\n", 42, 42, 42, 42);
    printf("[%x] [%X] [%#x] [%o] [%#o]\n", 255, 255, 255, 8, 8);
    printf("[%u] [%i] [%+d] [% d]\n", 4000000000u, -7, 7, 7);
    printf("[%ld] [%lld] [%llu]\n", (long)-123456, (long long)INT64_MIN, (unsigned long long)UINT64_MAX);
    printf("[%zu] [%td] [%jd]\n", sizeof(int32_t), (ptrdiff_t)-3, (intmax_t)1 << 40);
    printf("[%" PRId64 "] [%" PRIx32 "]\n", (int64_t)1234567890123, (uint32_t)0xdeadbeef);
    printf("[%c%c%c] [%s] [%.3s] [%8s] [%-8s]\n", 'a', 'b', 'c', "str", "abcdef", "right", "left");
    printf("[%d] [%d]\n", INT_MAX, INT_MIN);
    printf("[%%] [%hhd] [%hd]\n", (signed char)-1, (short)-2);
    char buf[16];
    int n = snprintf(buf, sizeof buf, "%s-%d", "truncated-output", 12345);
    printf("[%s] [%d]\n", buf, n);
    return 0;
}
