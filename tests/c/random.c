#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

int main(void) {
    unsigned char a[32], b[32];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    printf("getentropy: %d\n", getentropy(a, sizeof a));
    getentropy(b, sizeof b);
    int zero = 1;
    for (size_t i = 0; i < sizeof a; i++) if (a[i]) zero = 0;
    printf("not all zero: %d\n", !zero);
    printf("two draws differ: %d\n", memcmp(a, b, sizeof a) != 0);
    unsigned char big[256];
    printf("getentropy 256: %d\n", getentropy(big, sizeof big));
    printf("getentropy 257 fails: %d\n", getentropy(big, 257) != 0);
    /* rand() is a deterministic PRNG: same seed, same sequence. */
    srand(1234);
    int r1 = rand();
    srand(1234);
    printf("rand reproducible: %d\n", r1 == rand());
    return 0;
}
