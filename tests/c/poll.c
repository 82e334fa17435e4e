// DIR: yes
#include <stdio.h>
#include <poll.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(void) {
    long long start = now_ms();
    int r = poll(NULL, 0, 50);
    printf("poll(no fds, 50ms) = %d, waited >= 50ms: %d\n", r, now_ms() - start >= 49);

    int fd = open("p.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
    write(fd, "abc", 3);
    lseek(fd, 0, SEEK_SET);
    struct pollfd p[2] = {
        {.fd = fd, .events = POLLIN},
        {.fd = 1, .events = POLLOUT},
    };
    r = poll(p, 2, 1000);
    printf("poll(file, stdout) = %d\n", r);
    printf("file readable: %d\n", (p[0].revents & POLLIN) != 0);
    printf("stdout writable: %d\n", (p[1].revents & POLLOUT) != 0);
    close(fd);
    return 0;
}
