// DIR: yes
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/uio.h>

int main(void) {
    int fd = open("v.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    struct iovec out[3] = {
        {.iov_base = "alpha-", .iov_len = 6},
        {.iov_base = "beta-", .iov_len = 5},
        {.iov_base = "gamma", .iov_len = 5},
    };
    printf("writev: %zd\n", writev(fd, out, 3));
    lseek(fd, 0, SEEK_SET);
    char a[4] = {0}, b[8] = {0}, c[16] = {0};
    struct iovec in[3] = {{a, 3}, {b, 7}, {c, 15}};
    ssize_t n = readv(fd, in, 3);
    printf("readv: %zd [%s] [%s] [%s]\n", n, a, b, c);
    close(fd);
    struct iovec so[2] = {{"to ", 3}, {"stdout\n", 7}};
    fflush(stdout);
    writev(1, so, 2);
    return 0;
}
