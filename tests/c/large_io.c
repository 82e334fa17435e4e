// DIR: yes
#include <stdio.h>
#include <stdint.h>
#include <fcntl.h>
#include <unistd.h>

static unsigned char chunk[65536];

int main(void) {
    int fd = open("big.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { perror("open"); return 1; }
    uint32_t sum_w = 0;
    for (int c = 0; c < 64; c++) {      /* 4 MiB */
        for (int i = 0; i < (int)sizeof chunk; i++) chunk[i] = (unsigned char)(i * 7 + c);
        for (int i = 0; i < (int)sizeof chunk; i++) sum_w = sum_w * 31 + chunk[i];
        size_t off = 0;
        while (off < sizeof chunk) {
            ssize_t n = write(fd, chunk + off, sizeof chunk - off);
            if (n <= 0) { perror("write"); return 1; }
            off += n;
        }
    }
    close(fd);
    fd = open("big.bin", O_RDONLY);
    uint32_t sum_r = 0;
    long long total = 0;
    ssize_t n;
    while ((n = read(fd, chunk, 4096 + 13)) > 0) {
        for (ssize_t i = 0; i < n; i++) sum_r = sum_r * 31 + chunk[i];
        total += n;
    }
    close(fd);
    printf("bytes read: %lld\n", total);
    printf("checksums match: %d\n", sum_w == sum_r);
    return 0;
}
