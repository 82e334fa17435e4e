/*
 * wasit2 system layer: reads.
 *
 * Apart from w2_io.c so that a program which never reads links neither the
 * read path nor stdin: get-stdin and the input-stream drop are imported only
 * through here (w2_std_in and stdin's release). Zero-copy: the caller's iovec
 * buffers are the caller-supplied result buffer of the read imports.
 */
#include <string.h>

#include "w2_internal.h"

static void stdin_release(w2_fd *f) {
    w2s_drop_in(f->in);
}

int32_t w2_std_in(w2_fd *f) {
    if (f->in < 0) {
        f->in = w2s_stdin();
        f->release = stdin_release;
    }
    return f->in;
}

/* Inlined: stdin, which is always blocking, then refers only to the
 * blocking read, and only sockets link the non-blocking one. */
static inline __attribute__((always_inline)) __wasi_errno_t stream_read(int32_t in, void *buf, size_t len,
                                                                        bool nonblock, size_t *n) {
    __wasi_errno_t err = 0;
    *n = 0;
    if (len == 0)
        return 0;
    int st = nonblock ? w2s_in_read(in, false, buf, len, n, &err) : w2s_in_blocking_read(in, buf, len, n, &err);
    if (st == W2S_CLOSED) {
        *n = 0;
        return 0;
    }
    if (st == W2S_FAILED)
        return err;
    if (*n == 0 && nonblock)
        return __WASI_ERRNO_AGAIN;
    return 0;
}

__wasi_errno_t w2_stream_read(int32_t in, void *buf, size_t len, bool nonblock, size_t *n) {
    return stream_read(in, buf, len, nonblock, n);
}

static __wasi_errno_t read_one(w2_fd *f, void *buf, size_t len, uint64_t off, bool positional, size_t *n) {
    if (f->kind == W2_IN_STREAM) {
        if (positional)
            return __WASI_ERRNO_SPIPE;
        if (w2_std_in(f) < 0)
            return __WASI_ERRNO_NOTCONN;
        /* stdio's flags cannot change: always blocking. */
        return stream_read(f->in, buf, len, false, n);
    }
    /* Files and sockets (w2_fd.ops); stdout/stderr and directories have
     * none. */
    if (f->ops)
        return f->ops->read(f, buf, len, off, positional, n);
    return f->kind == W2_DIR ? __WASI_ERRNO_ISDIR : __WASI_ERRNO_BADF;
}

static __wasi_errno_t do_read(__wasi_fd_t fd, const __wasi_iovec_t *iovs, size_t iovs_len, uint64_t off,
                              bool positional, __wasi_size_t *nread) {
    w2_fd *f = w2_fd_get(fd);
    if (!f)
        return __WASI_ERRNO_BADF;
    size_t total = 0;
    for (size_t i = 0; i < iovs_len; i++) {
        size_t len = iovs[i].buf_len;
        if (len == 0)
            continue;
        size_t n = 0;
        __wasi_errno_t e = read_one(f, iovs[i].buf, len, off + total, positional, &n);
        if (e) {
            if (total)
                break;
            return e;
        }
        total += n;
        if (f->kind == W2_FILE && !positional)
            f->pos += n;
        /* Streams: one read per call, a short read ends it. */
        if (n < len || f->kind != W2_FILE)
            break;
    }
    *nread = total;
    return 0;
}

__wasi_errno_t __wasi_fd_read(__wasi_fd_t fd, const __wasi_iovec_t *iovs, size_t iovs_len, __wasi_size_t *nread) {
    return do_read(fd, iovs, iovs_len, 0, false, nread);
}

__wasi_errno_t __wasi_fd_pread(__wasi_fd_t fd, const __wasi_iovec_t *iovs, size_t iovs_len,
                               __wasi_filesize_t offset, __wasi_size_t *nread) {
    return do_read(fd, iovs, iovs_len, offset, true, nread);
}

