/*
 * tmpfile and tmpnam, which the headers declare (the builder drops their
 * "not defined on WASI" deprecation) and which upstream leaves out.
 * Same behaviour as the Debian-tree layer's (../src/w2_compat.c): WASI has
 * no temporary directory of its own, so tmpfile tries $TMPDIR, /tmp and
 * the working directory, each only if the program was given it, and
 * unlinks the file at once; tmpnam names "/tmp/tmpnam_" plus 7 random
 * characters that name no existing file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

static void random_name(char *out, size_t n, int attempt) {
    unsigned char r[16];
    if (getentropy(r, n) != 0)
        memset(r, attempt, sizeof r);
    for (size_t k = 0; k < n; k++)
        out[k] = alphabet[r[k] % (sizeof alphabet - 1)];
    out[n] = 0;
}

FILE *tmpfile(void) {
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
        for (int attempt = 0; attempt < 16; attempt++) {
            random_name(path + dlen + 9, 10, attempt);
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

char *tmpnam(char *buf) {
    static char internal[20]; /* L_tmpnam: "/tmp/tmpnam_" + 7 + NUL */
    char *out = buf ? buf : internal;
    for (int attempt = 0; attempt < 100; attempt++) {
        memcpy(out, "/tmp/tmpnam_", 12);
        random_name(out + 12, 7, attempt);
        struct stat st;
        if (stat(out, &st) != 0 && errno != EEXIST)
            return out;
    }
    return NULL;
}
