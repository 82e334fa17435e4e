/*
 * fcntl for the wasit2 libc (replaces the bottom half's fcntl.c, see
 * SOURCES.txt). Descriptor flags and access modes come from
 * __wasi_fd_fdstat_get as before; what is new are the record-lock commands
 * that newer wasi-libc headers declare (F_GETLK, F_SETLK, F_SETLKW): WASI
 * has no advisory locks, so on an open descriptor they fail with ENOTSUP,
 * as current wasi-libc does, and with EBADF on a closed one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <wasi/api.h>

static int fdstat(int fd, __wasi_fdstat_t *st) {
    __wasi_errno_t e = __wasi_fd_fdstat_get(fd, st);
    if (e != 0) {
        errno = e;
        return -1;
    }
    return 0;
}

int fcntl(int fd, int cmd, ...) {
    __wasi_fdstat_t st;
    switch (cmd) {
    case F_GETFD:
        /* No exec, so every descriptor is as good as close-on-exec. */
        return FD_CLOEXEC;
    case F_SETFD:
        return 0;
    case F_GETFL: {
        if (fdstat(fd, &st) != 0)
            return -1;
        __wasi_rights_t r = st.fs_rights_base;
        int readable = (r & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR)) != 0;
        int writable = (r & __WASI_RIGHTS_FD_WRITE) != 0;
        int mode = readable ? (writable ? O_RDWR : O_RDONLY)
                            : (writable ? O_WRONLY : O_SEARCH);
        return st.fs_flags | mode;
    }
    case F_SETFL: {
        va_list ap;
        va_start(ap, cmd);
        int flags = va_arg(ap, int);
        va_end(ap);
        __wasi_errno_t e = __wasi_fd_fdstat_set_flags(fd, (__wasi_fdflags_t)(flags & 0xfff));
        if (e != 0) {
            errno = e;
            return -1;
        }
        return 0;
    }
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
        if (fdstat(fd, &st) != 0)
            return -1;
        errno = ENOTSUP;
        return -1;
    default:
        errno = EINVAL;
        return -1;
    }
}
