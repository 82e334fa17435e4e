/*
 * Functions the headers declare that WASI cannot really provide, defined
 * so portable code links and fails at run time with a proper errno
 * (tmpfile works where the program was given a writable directory). They
 * use only POSIX calls, so the same file serves both libcs: the wasit2
 * libc and the direct `--host wasip1` libc (SOURCES.txt lists it in both).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

/* ---- tmpfile ----
 * The headers declare it, so libc defines it (it lives here, with open(),
 * which it needs anyway). WASI has no temporary directory of its own: try
 * $TMPDIR, then /tmp, then the working directory, each only if the program
 * was given it. The file is unlinked at once, as POSIX allows, so nothing
 * is left behind. */
FILE *tmpfile(void) {
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    const char *dirs[] = {getenv("TMPDIR"), "/tmp", "."};
    int err = ENOENT;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        const char *dir = dirs[i];
        size_t dlen = dir ? strlen(dir) : 0;
        if (!dlen || dlen > 400)
            continue;
        char path[420];
        memcpy(path, dir, dlen);
        memcpy(path + dlen, "/tmpfile_", 9);
        char *rnd = path + dlen + 9;
        for (int attempt = 0; attempt < 16; attempt++) {
            uint8_t r[10];
            if (__wasi_random_get(r, sizeof r) != 0)
                memset(r, attempt, sizeof r);
            for (size_t k = 0; k < sizeof r; k++)
                rnd[k] = alphabet[r[k] % (sizeof alphabet - 1)];
            rnd[sizeof r] = 0;
            int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
            if (fd >= 0) {
                unlink(path);
                FILE *f = fdopen(fd, "w+");
                if (!f)
                    close(fd);
                return f;
            }
            err = errno;
            if (err != EEXIST)
                break;
        }
    }
    errno = err;
    return NULL;
}

/* ---- chmod family ----
 * WASI 0.2 has no permission bits to set. As current upstream wasi-libc
 * does, these exist so that portable code (sqlite3, bzip2, libc++'s
 * <filesystem>) builds, and fail with ENOSYS; what does not exist, or is
 * not a valid path or descriptor, fails as stat would say first. */

int fchmodat(int fd, const char *path, mode_t mode, int flag) {
    struct stat st;
    if ((flag & ~AT_SYMLINK_NOFOLLOW) != 0) {
        errno = EINVAL;
        return -1;
    }
    if (fstatat(fd, path, &st, flag) != 0)
        return -1;
    errno = ENOSYS;
    return -1;
}

int chmod(const char *path, mode_t mode) {
    return fchmodat(AT_FDCWD, path, mode, 0);
}

int fchmod(int fd, mode_t mode) {
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    errno = ENOSYS;
    return -1;
}

/* The headers declare system(); WASI has no command processor to run one:
 * system(NULL) says so (0) and any command fails with ENOSYS. */
int system(const char *command) {
    if (!command)
        return 0;
    errno = ENOSYS;
    return -1;
}
