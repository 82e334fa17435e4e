// DIR: yes
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

int main(void) {
    int fd = open("data.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { perror("open"); return 1; }
    char buf[1000];
    memset(buf, 'x', sizeof buf);
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) { perror("write"); return 1; }
    struct stat st;
    fstat(fd, &st);
    printf("fstat size=%lld regular=%d\n", (long long)st.st_size, S_ISREG(st.st_mode));
    close(fd);

    if (mkdir("sub", 0755) != 0) { perror("mkdir"); return 1; }
    stat("sub", &st);
    printf("sub: dir=%d regular=%d\n", S_ISDIR(st.st_mode), S_ISREG(st.st_mode));
    stat("data.bin", &st);
    printf("data.bin: size=%lld dir=%d\n", (long long)st.st_size, S_ISDIR(st.st_mode));

    fd = open("data.bin", O_RDWR);
    ftruncate(fd, 10);
    fstat(fd, &st);
    printf("after ftruncate: %lld\n", (long long)st.st_size);
    close(fd);

    errno = 0;
    int r = stat("missing", &st);
    printf("stat missing: %d %s\n", r, errno == ENOENT ? "ENOENT" : "other");
    errno = 0;
    r = mkdir("sub", 0755);
    printf("mkdir again: %d %s\n", r, errno == EEXIST ? "EEXIST" : "other");
    printf("access data.bin: %d\n", access("data.bin", F_OK));
    return 0;
}
