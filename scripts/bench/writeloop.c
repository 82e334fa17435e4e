/* Write benchmark: writes argv[2] bytes with write() in chunks of argv[3]
 * bytes (default 4096) to the file argv[1], or to stdout when argv[1] is
 * "-", then prints the byte count on stderr. Used by scripts/bench-io.sh. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buf[1 << 20];

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: writeloop FILE|- BYTES [CHUNK]\n");
        return 2;
    }
    long long want = atoll(argv[2]);
    size_t chunk = argc > 3 ? (size_t)atol(argv[3]) : 4096;
    if (chunk == 0 || chunk > sizeof buf) {
        fprintf(stderr, "writeloop: chunk must be 1..%zu\n", sizeof buf);
        return 2;
    }
    for (size_t i = 0; i < chunk; i++)
        buf[i] = (char)('a' + i % 26);
    int fd = 1;
    if (strcmp(argv[1], "-") != 0) {
        fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            perror("open");
            return 1;
        }
    }
    long long total = 0;
    while (total < want) {
        size_t n = want - total < (long long)chunk ? (size_t)(want - total) : chunk;
        ssize_t w = write(fd, buf, n);
        if (w <= 0) {
            perror("write");
            return 1;
        }
        total += w;
    }
    if (fd != 1 && close(fd) != 0) {
        perror("close");
        return 1;
    }
    fprintf(stderr, "%lld\n", total);
    return 0;
}
