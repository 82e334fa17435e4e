#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

/* A fixed xorshift generator keeps the run deterministic. */
static uint32_t state = 2463534242u;
static uint32_t next(void) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

#define SLOTS 512

int main(void) {
    unsigned char *p[SLOTS] = {0};
    size_t sz[SLOTS] = {0};
    unsigned long ops = 0, bad = 0;
    for (int round = 0; round < 40000; round++) {
        int i = next() % SLOTS;
        if (p[i]) {
            for (size_t k = 0; k < sz[i]; k += 97)
                if (p[i][k] != (unsigned char)(i + k)) bad++;
            if (next() % 3 == 0) {
                size_t ns = next() % 8192 + 1;
                unsigned char *q = realloc(p[i], ns);
                if (!q) { printf("realloc failed\n"); return 1; }
                size_t keep = ns < sz[i] ? ns : sz[i];
                for (size_t k = 0; k < keep; k += 97)
                    if (q[k] != (unsigned char)(i + k)) bad++;
                p[i] = q;
                sz[i] = ns;
                for (size_t k = 0; k < ns; k++) q[k] = (unsigned char)(i + k);
            } else {
                free(p[i]);
                p[i] = NULL;
            }
        } else {
            size_t s = (next() % 4 == 0) ? next() % 200000 + 1 : next() % 256 + 1;
            p[i] = (next() % 5 == 0) ? calloc(1, s) : malloc(s);
            if (!p[i]) { printf("alloc of %zu failed\n", s); return 1; }
            sz[i] = s;
            for (size_t k = 0; k < s; k++) p[i][k] = (unsigned char)(i + k);
        }
        ops++;
    }
    for (int i = 0; i < SLOTS; i++) free(p[i]);

    unsigned char *z = calloc(4096, 16);
    int nonzero = 0;
    for (int k = 0; k < 4096 * 16; k++) nonzero |= z[k];
    free(z);
    void *aligned = aligned_alloc(256, 1024);
    printf("aligned_alloc 256: %d\n", ((uintptr_t)aligned % 256) == 0);
    free(aligned);
    void *big = malloc(64u << 20);
    printf("64 MiB malloc: %s\n", big ? "ok" : "failed");
    if (big) memset(big, 1, 64u << 20);
    free(big);
    printf("ops=%lu corrupt=%lu calloc_zero=%d\n", ops, bad, !nonzero);
    return 0;
}
