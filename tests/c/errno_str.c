// DIR: yes
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int main(void) {
    errno = 0;
    int fd = open("does-not-exist.txt", O_RDONLY);
    printf("open missing: fd=%d errno is ENOENT: %d\n", fd, errno == ENOENT);
    printf("strerror(ENOENT): %s\n", strerror(ENOENT));
    errno = 0;
    char c;
    ssize_t n = read(-1, &c, 1);
    printf("read(-1): %zd EBADF: %d\n", n, errno == EBADF);
    errno = 0;
    fd = open(".", O_WRONLY);
    printf("open dir for write fails: %d\n", fd < 0 && errno != 0);
    errno = 0;
    n = close(12345);
    printf("close bad fd: %zd EBADF: %d\n", n, errno == EBADF);
    errno = 0;
    FILE *f = fopen("missing/deeper/file", "w");
    printf("fopen in missing dir: %s ENOENT: %d\n", f ? "opened" : "NULL", errno == ENOENT);
    return 0;
}
