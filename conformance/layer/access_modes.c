// PEER: yes
// fcntl(F_GETFL) gives each descriptor's real access mode, and faccessat
// through a directory opened read-only refuses W_OK (the rights a
// descriptor reports are what it was opened with).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *mode(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl == -1)
        return strerror(errno);
    switch (fl & O_ACCMODE) {
    case O_RDONLY: return "O_RDONLY";
    case O_WRONLY: return "O_WRONLY";
    case O_RDWR: return "O_RDWR";
    default: return "other";
    }
}

int main(void) {
    printf("stdin %s\nstdout %s\nstderr %s\n", mode(0), mode(1), mode(2));
    int w = open("f", O_WRONLY | O_CREAT, 0644);
    int r = open("f", O_RDONLY);
    int rw = open("f", O_RDWR);
    printf("file O_WRONLY: %s\nfile O_RDONLY: %s\nfile O_RDWR: %s\n", mode(w), mode(r), mode(rw));
    int append = open("f", O_WRONLY | O_APPEND);
    printf("O_APPEND kept: %s\n", (fcntl(append, F_GETFL) & O_APPEND) ? "yes" : "no");
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    printf("dir O_RDONLY: %s\n", mode(dir));
    errno = 0;
    int a = faccessat(dir, "f", W_OK, 0);
    printf("faccessat(rdonly dir, W_OK): %s\n", a == 0 ? "allowed" : strerror(errno));
    a = faccessat(dir, "f", R_OK, 0);
    printf("faccessat(rdonly dir, R_OK): %s\n", a == 0 ? "allowed" : strerror(errno));
    a = access("f", W_OK);
    printf("access(W_OK): %s\n", a == 0 ? "allowed" : strerror(errno));
    close(w), close(r), close(rw), close(append), close(dir);
    unlink("f");
    return 0;
}
