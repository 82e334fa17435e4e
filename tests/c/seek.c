// DIR: yes
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

int main(void) {
    int fd = open("seek.bin", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) { perror("open"); return 1; }
    write(fd, "0123456789", 10);
    printf("SEEK_CUR 0: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    printf("SEEK_SET 3: %lld\n", (long long)lseek(fd, 3, SEEK_SET));
    char c[4] = {0};
    read(fd, c, 3);
    printf("read: %s\n", c);
    printf("SEEK_END -2: %lld\n", (long long)lseek(fd, -2, SEEK_END));
    read(fd, c, 2);
    c[2] = 0;
    printf("read: %s\n", c);
    printf("SEEK_END +5: %lld\n", (long long)lseek(fd, 5, SEEK_END));
    write(fd, "Z", 1);
    struct { char b[17]; } all = {{0}};
    ssize_t n = pread(fd, all.b, 16, 0);
    printf("pread %zd bytes, hole byte=%d, last=%c\n", n, all.b[12], all.b[15]);
    pwrite(fd, "AB", 2, 1);
    pread(fd, all.b, 4, 0);
    all.b[4] = 0;
    printf("after pwrite: %s, offset still %lld\n", all.b, (long long)lseek(fd, 0, SEEK_CUR));
    close(fd);
    return 0;
}
