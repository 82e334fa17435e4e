/* Read benchmark: reads a file with read() in chunks of argv[2] bytes
 * (default 4096) and prints the byte count and a checksum, so every build
 * can be checked against the others. Used by scripts/bench-io.sh. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char buf[1 << 20];

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "big.bin";
    size_t chunk = argc > 2 ? (size_t)atol(argv[2]) : 4096;
    if (chunk == 0 || chunk > sizeof buf) {
        fprintf(stderr, "readloop: chunk must be 1..%zu\n", sizeof buf);
        return 2;
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        perror("open");
        return 1;
    }
    long long total = 0;
    unsigned sum = 0;
    ssize_t n;
    while ((n = read(fd, buf, chunk)) > 0) {
        total += n;
        sum += (unsigned char)buf[0] + (unsigned char)buf[n - 1];
    }
    if (n < 0) {
        perror("read");
        return 1;
    }
    printf("%lld %u\n", total, sum);
    return 0;
}
