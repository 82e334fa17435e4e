/* The libc code the wasit2 sysroot builds for size (docs/sysroot.md),
 * timed against the same code built for speed. Usage:
 *   libcloop malloc COUNT   COUNT malloc/free pairs over 4096 live blocks
 *                           of 1 B to 8 KiB, mostly under 512 B
 *   libcloop strings COUNT  COUNT rounds of strlen, memchr and strchrnul
 *                           over 64 KiB and over short strings
 * Prints a checksum, the same on every build (32-bit arithmetic). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned churn(long count) {
    static void *live[4096];
    unsigned x = 12345, sum = 0;
    for (long i = 0; i < count; i++) {
        x = x * 1103515245u + 12345u;
        unsigned k = (x >> 8) & 4095;
        free(live[k]);
        size_t n = (x >> 20) & 511;
        if ((x & 7) == 0)
            n *= 16;
        unsigned char *p = malloc(n + 1);
        if (!p) {
            perror("malloc");
            exit(1);
        }
        p[0] = (unsigned char)i;
        p[n] = (unsigned char)(i >> 8);
        sum += p[0] + p[n];
        live[k] = p;
    }
    return sum;
}

static unsigned scan(long count) {
    static char buf[1 << 16];
    memset(buf, 'a', sizeof buf - 1);
    unsigned sum = 0;
    for (long r = 0; r < count; r++) {
        size_t at = (size_t)(r * 7919) % (sizeof buf - 1);
        buf[at] = 'b';
        sum += (unsigned)strlen(buf + (r & 15));
        sum += (unsigned)((char *)memchr(buf, 'b', sizeof buf) - buf);
        sum += (unsigned)(strchrnul(buf + (r & 7), 'b') - buf);
        buf[at] = 'a';
        for (int k = 0; k < 200; k++)
            sum += (unsigned)strlen(buf + sizeof buf - 1 - (k & 31));
    }
    return sum;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: libcloop malloc|strings COUNT\n");
        return 2;
    }
    long count = atol(argv[2]);
    unsigned sum = strcmp(argv[1], "malloc") == 0 ? churn(count) : scan(count);
    printf("%u\n", sum);
    return 0;
}
