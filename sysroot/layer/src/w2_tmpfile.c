/*
 * tmpfile and tmpnam, which the headers declare: one file for every libc
 * the layers build (the Debian-tree libc, its `--host wasip1` libc and the
 * 2026 tree's, whose upstream leaves them out). Only POSIX calls, so it
 * compiles against each of them.
 *
 * WASI has no temporary directory of its own: tmpfile tries $TMPDIR, /tmp
 * and the working directory, each only if the program was given it, and
 * unlinks the file at once, as POSIX allows, so nothing is left behind.
 * tmpnam names "/tmp/tmpnam_" plus 7 random characters (19 bytes, so it
 * fits L_tmpnam, 20), one that names no existing file when asked; using it
 * needs a preopened /tmp, like tmpfile, and without one the later fopen
 * fails with the real errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Cold code: compiled for size (see W2_COLD_BEGIN in w2_internal.h). */
#pragma clang attribute push(__attribute__((minsize)), apply_to = function)

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

/* n random characters of the alphabet, then a NUL; false when no
 * randomness could be had. */
static int random_name(char *out, size_t n) {
    unsigned char r[10];
    if (getentropy(r, n) != 0)
        return 0;
    for (size_t k = 0; k < n; k++)
        out[k] = alphabet[r[k] % (sizeof alphabet - 1)];
    out[n] = 0;
    return 1;
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
        char *rnd = path + dlen + 9;
        for (int attempt = 0; attempt < 16; attempt++) {
            /* Without randomness, names that differ per attempt still
             * find a free one. */
            if (!random_name(rnd, 10)) {
                memset(rnd, 'a' + attempt, 10);
                rnd[10] = 0;
            }
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
    static char internal[20]; /* L_tmpnam, which the 2026 tree's <stdio.h> lacks */
    char *name = buf ? buf : internal;
    for (int attempt = 0; attempt < 100; attempt++) {
        memcpy(name, "/tmp/tmpnam_", 12);
        if (!random_name(name + 12, 7))
            return NULL;
        struct stat st;
        if (lstat(name, &st) != 0)
            return name;
    }
    return NULL;
}

#pragma clang attribute pop
