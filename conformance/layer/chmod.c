// chmod, fchmod, fchmodat link and fail: WASI 0.2 has no permission bits.
// A missing file or a bad descriptor fails as stat would (ENOENT, EBADF);
// an existing one with ENOSYS, as current upstream wasi-libc does.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Debian's 2022 headers hide these; current upstream declares them. */
int chmod(const char *, mode_t);
int fchmod(int, mode_t);
int fchmodat(int, const char *, mode_t, int);

static const char *r(int v) {
    return v == 0 ? "ok" : strerror(errno);
}

int main(void) {
    int fd = open("f", O_WRONLY | O_CREAT, 0644);
    printf("chmod existing: %s\n", r(chmod("f", 0600)));
    printf("chmod missing: %s\n", r(chmod("missing", 0600)));
    printf("chmod bad utf8: %s\n", r(chmod("\xff", 0600)));
    printf("fchmod: %s\n", r(fchmod(fd, 0600)));
    printf("fchmod bad fd: %s\n", r(fchmod(99, 0600)));
    printf("fchmodat: %s\n", r(fchmodat(AT_FDCWD, "f", 0600, 0)));
    printf("fchmodat bad flag: %s\n", r(fchmodat(AT_FDCWD, "f", 0600, 0x4000)));
    close(fd);
    unlink("f");
    return 0;
}
