/*
 * fcntl for the wasit2 libc (replaces the bottom half's fcntl.c, see
 * SOURCES.txt). Descriptor flags and access modes come straight from the fd
 * table, without __wasi_fd_fdstat_get, so a program that only fopen()s does
 * not link the rights computation. What is new are the record-lock commands
 * that newer wasi-libc headers declare (F_GETLK, F_SETLK, F_SETLKW): WASI
 * has no advisory locks, so on an open descriptor they fail with ENOTSUP,
 * as current wasi-libc does, and with EBADF on a closed one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>

#include "w2_internal.h"

W2_COLD_BEGIN

/* The access mode fd_fdstat_get's rights stand for (w2_fdtable.c): stdio
 * has its one direction, a preopen reads, files and other directories what
 * they were opened for, sockets both. */
static int access_mode(w2_fd *f) {
    bool readable = f->kind != W2_OUT_STREAM, writable = f->kind != W2_IN_STREAM;
    if (f->kind == W2_DIR && f->preopen) {
        writable = false;
    } else if (f->kind == W2_FILE || f->kind == W2_DIR) {
        /* How path_open opened it (w2_fd.access). */
        readable = (f->access & W2_ACCESS_READ) != 0;
        writable = (f->access & W2_ACCESS_WRITE) != 0;
    }
    return readable ? (writable ? O_RDWR : O_RDONLY) : (writable ? O_WRONLY : O_SEARCH);
}

int fcntl(int fd, int cmd, ...) {
    /* No exec, so every descriptor is as good as close-on-exec. */
    if (cmd == F_GETFD)
        return FD_CLOEXEC;
    if (cmd == F_SETFD)
        return 0;
    int e = EINVAL;
    if (cmd == F_SETFL) {
        va_list ap;
        va_start(ap, cmd);
        int flags = va_arg(ap, int);
        va_end(ap);
        if (!(e = __wasi_fd_fdstat_set_flags(fd, (__wasi_fdflags_t)(flags & 0xfff))))
            return 0;
    } else if (cmd == F_GETFL || cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW) {
        w2_fd *f = w2_fd_get(fd);
        if (!f)
            e = EBADF;
        else if (cmd == F_GETFL)
            return f->fdflags | access_mode(f);
        else
            e = ENOTSUP;
    }
    errno = e;
    return -1;
}

W2_COLD_END
