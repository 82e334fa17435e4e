/*
 * wasit2 system layer: non-blocking fds.
 *
 * Kept apart from w2_io.c so that programs which never set NONBLOCK (the
 * only ways are fcntl/fd_fdstat_set_flags here and the socket calls) do not
 * link the check-write loop: their writes are blocking-write-and-flush.
 */
#include "w2_internal.h"

W2_COLD_BEGIN

__wasi_errno_t __wasi_fd_fdstat_set_flags(__wasi_fd_t fd, __wasi_fdflags_t flags) {
    w2_fd *f = w2_fd_get(fd);
    if (!f)
        return __WASI_ERRNO_BADF;
    /* As in wasmtime's p1 (and wasi-libc's own tests): stdio flags cannot
     * change (EBADF), and of the rest only APPEND and NONBLOCK can (emulated
     * here; the sync flags are fixed at open: EINVAL). Sockets keep
     * NONBLOCK, which they need. */
    if (f->kind == W2_IN_STREAM || f->kind == W2_OUT_STREAM)
        return flags == f->fdflags ? 0 : __WASI_ERRNO_BADF;
    if (flags & (__WASI_FDFLAGS_DSYNC | __WASI_FDFLAGS_RSYNC | __WASI_FDFLAGS_SYNC))
        return __WASI_ERRNO_INVAL;
    if ((flags & __WASI_FDFLAGS_APPEND) && f->kind != W2_FILE)
        return __WASI_ERRNO_BADF;
    f->fdflags = flags;
    return 0;
}

__wasi_errno_t w2_stream_write_nonblock(int32_t out, const void *buf, size_t len, size_t *n) {
    __wasi_errno_t err = 0;
    *n = 0;
    if (len == 0)
        return 0;
    const uint8_t *p = buf;
    size_t done = 0;
    while (done < len) {
        uint64_t permit = 0;
        if (w2s_out_check_write(out, &permit, &err) != W2S_OK)
            return done ? (*n = done, 0) : (err ? err : __WASI_ERRNO_PIPE);
        if (permit == 0)
            break;
        size_t chunk = len - done;
        if (chunk > permit)
            chunk = (size_t)permit;
        if (w2s_out_write(out, p + done, chunk, &err) != W2S_OK)
            return done ? (*n = done, 0) : (err ? err : __WASI_ERRNO_PIPE);
        done += chunk;
    }
    *n = done;
    return done == 0 ? __WASI_ERRNO_AGAIN : 0;
}

W2_COLD_END
