/*
 * wasit2 system layer: writes, seeks and metadata of open fds (reads are in
 * w2_read.c).
 *
 * Zero-copy rule: write/pwrite pass the caller's iovec buffers to the import
 * as the list argument. These paths never allocate.
 */
#include <string.h>

#include "w2_internal.h"
#include "wasit2_command.h"

/* The largest single blocking-write-and-flush a host must accept. */
#define W2_SMALL_WRITE 4096

int32_t w2_std_out(w2_fd *f) {
    if (f->out < 0)
        f->out = f->std_no == 1 ? wasi_cli_stdout_get_stdout() : wasi_cli_stderr_get_stderr();
    return f->out;
}

void w2_block_on(int32_t pollable) {
    w2s_pollable_block(pollable);
    w2s_drop_pollable(pollable);
}

/* Non-blocking writes live in w2_stream_nb.c, linked only by the socket
 * code: only a socket can be a non-blocking stream (stdio's flags cannot
 * change), so no such fd exists without it. */
__attribute__((weak)) __wasi_errno_t w2_stream_write_nonblock(int32_t out, const void *buf, size_t len, size_t *n);

__wasi_errno_t w2_stream_write(int32_t out, const void *buf, size_t len, bool nonblock, size_t *n) {
    if (nonblock && w2_stream_write_nonblock)
        return w2_stream_write_nonblock(out, buf, len, n);
    /* Blocking: blocking-write-and-flush in chunks the host must accept,
     * which needs no check-write/subscribe/block loop. */
    const uint8_t *p = buf;
    size_t done = 0;
    while (done < len) {
        size_t chunk = len - done < W2_SMALL_WRITE ? len - done : W2_SMALL_WRITE;
        /* The binding itself rather than w2_sys.c's wrapper: the hot path
         * of every write, one call less. */
        wasi_io_streams_list_u8_t l = {(uint8_t *)p + done, chunk};
        wasi_io_streams_result_void_stream_error_t r;
        wasi_io_streams_method_output_stream_blocking_write_and_flush(out, l, &r);
        if (r.is_err) {
            /* stream-error: last-operation-failed(error) or closed. */
            __wasi_errno_t err = r.val.err.tag == WASI_IO_STREAMS_STREAM_ERROR_LAST_OPERATION_FAILED
                                     ? w2_errno_from_stream_error(r.val.err.val.last_operation_failed)
                                     : __WASI_ERRNO_PIPE;
            if (done)
                break;
            *n = 0;
            return err;
        }
        done += chunk;
    }
    *n = done;
    return 0;
}

#define W2_INLINE static inline __attribute__((always_inline))

W2_INLINE __wasi_errno_t write_one(w2_fd *f, const void *buf, size_t len, uint64_t off, bool positional, size_t *n) {
    if (f->kind == W2_OUT_STREAM) {
        if (positional)
            return __WASI_ERRNO_SPIPE;
        if (w2_std_out(f) < 0)
            return __WASI_ERRNO_NOTCONN;
        /* stdio's flags cannot change: always blocking. */
        return w2_stream_write(f->out, buf, len, false, n);
    }
    /* Files and sockets (w2_fd.ops); stdin and directories have none. */
    if (f->ops)
        return f->ops->write(f, buf, len, off, positional, n);
    return f->kind == W2_DIR ? __WASI_ERRNO_ISDIR : __WASI_ERRNO_BADF;
}

/* Inlined into each caller: fd_write then carries no positional code. */
W2_INLINE __wasi_errno_t do_write(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, size_t iovs_len, uint64_t off,
                                bool positional, __wasi_size_t *nwritten) {
    w2_fd *f = w2_fd_get(fd);
    if (!f)
        return __WASI_ERRNO_BADF;
    size_t total = 0;
    for (size_t i = 0; i < iovs_len; i++) {
        size_t len = iovs[i].buf_len;
        if (len == 0)
            continue;
        size_t n = 0;
        __wasi_errno_t e = write_one(f, iovs[i].buf, len, off + total, positional, &n);
        if (e) {
            if (total)
                break;
            return e;
        }
        total += n;
        if (n < len)
            break;
    }
    *nwritten = total;
    return 0;
}

__wasi_errno_t __wasi_fd_write(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, size_t iovs_len,
                               __wasi_size_t *nwritten) {
    return do_write(fd, iovs, iovs_len, 0, false, nwritten);
}

__wasi_errno_t __wasi_fd_pwrite(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, size_t iovs_len,
                                __wasi_filesize_t offset, __wasi_size_t *nwritten) {
    return do_write(fd, iovs, iovs_len, offset, true, nwritten);
}

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

__wasi_errno_t __wasi_fd_seek(__wasi_fd_t fd, __wasi_filedelta_t offset, __wasi_whence_t whence,
                              __wasi_filesize_t *newoffset) {
    w2_fd *f = w2_fd_get(fd);
    if (!f)
        return __WASI_ERRNO_BADF;
    if (f->kind == W2_DIR)
        return __WASI_ERRNO_BADF;
    /* Only files seek (w2_fd.ops). */
    if (!f->ops || !f->ops->seek)
        return __WASI_ERRNO_SPIPE;
    return f->ops->seek(f, offset, whence, newoffset);
}

__wasi_errno_t __wasi_fd_tell(__wasi_fd_t fd, __wasi_filesize_t *offset) {
    w2_fd *f = w2_fd_get(fd);
    if (!f || f->kind == W2_DIR)
        return __WASI_ERRNO_BADF;
    if (f->kind != W2_FILE)
        return __WASI_ERRNO_SPIPE;
    *offset = f->pos;
    return 0;
}

static __wasi_errno_t fs_desc(__wasi_fd_t fd, int32_t *desc) {
    w2_fd *f = w2_fd_get(fd);
    if (!f)
        return __WASI_ERRNO_BADF;
    if (f->desc < 0)
        return f->kind == W2_TCP || f->kind == W2_UDP ? __WASI_ERRNO_NOTSUP : __WASI_ERRNO_INVAL;
    *desc = f->desc;
    return 0;
}

__wasi_errno_t __wasi_fd_sync(__wasi_fd_t fd) {
    int32_t d;
    __wasi_errno_t e = fs_desc(fd, &d);
    return e ? e : w2s_fs_sync(d, false);
}

__wasi_errno_t __wasi_fd_datasync(__wasi_fd_t fd) {
    int32_t d;
    __wasi_errno_t e = fs_desc(fd, &d);
    return e ? e : w2s_fs_sync(d, true);
}

__wasi_errno_t __wasi_fd_advise(__wasi_fd_t fd, __wasi_filesize_t offset, __wasi_filesize_t len,
                                __wasi_advice_t advice) {
    /* Only files take advice (EBADF otherwise, as in wasmtime's p1). */
    w2_fd *f = w2_fd_get(fd);
    if (!f || f->kind != W2_FILE)
        return __WASI_ERRNO_BADF;
    return w2s_fs_advise(f->desc, offset, len, advice);
}

__wasi_errno_t __wasi_fd_allocate(__wasi_fd_t fd, __wasi_filesize_t offset, __wasi_filesize_t len) {
    /* WASI 0.2 cannot reserve space; growing the file instead would change
     * its size, which posix_fallocate must not do visibly differently from
     * other WASI libcs: ENOTSUP, as wasmtime's p1 answers. */
    w2_fd *f = w2_fd_get(fd);
    if (!f || f->kind != W2_FILE)
        return __WASI_ERRNO_BADF;
    return __WASI_ERRNO_NOTSUP;
}

static void fill_filestat(__wasi_filestat_t *out, const w2s_stat *st, uint64_t ino) {
    memset(out, 0, sizeof *out);
    out->dev = 0;
    out->ino = ino;
    out->filetype = st->filetype;
    out->nlink = st->nlink;
    out->size = st->size;
    out->atim = st->atim;
    out->mtim = st->mtim;
    out->ctim = st->ctim;
}

__wasi_errno_t __wasi_fd_filestat_get(__wasi_fd_t fd, __wasi_filestat_t *buf) {
    w2_fd *f = w2_fd_get(fd);
    if (!f)
        return __WASI_ERRNO_BADF;
    if (f->desc < 0) {
        /* stdio and sockets: no filesystem metadata. */
        w2s_stat st = {0};
        st.filetype = f->kind == W2_TCP   ? __WASI_FILETYPE_SOCKET_STREAM
                      : f->kind == W2_UDP ? __WASI_FILETYPE_SOCKET_DGRAM
                      : w2_fd_tty(f)      ? __WASI_FILETYPE_CHARACTER_DEVICE
                                          : __WASI_FILETYPE_UNKNOWN;
        st.nlink = 1;
        fill_filestat(buf, &st, 0);
        return 0;
    }
    w2s_stat st;
    __wasi_errno_t e = w2s_fs_stat(f->desc, &st);
    if (e)
        return e;
    uint64_t ino = 0;
    w2s_fs_hash(f->desc, &ino);
    fill_filestat(buf, &st, ino);
    return 0;
}

__wasi_errno_t __wasi_fd_filestat_set_size(__wasi_fd_t fd, __wasi_filesize_t size) {
    int32_t d;
    __wasi_errno_t e = fs_desc(fd, &d);
    return e ? e : w2s_fs_set_size(d, size);
}

__wasi_errno_t __wasi_fd_filestat_set_times(__wasi_fd_t fd, __wasi_timestamp_t atim, __wasi_timestamp_t mtim,
                                            __wasi_fstflags_t fst_flags) {
    int32_t d;
    __wasi_errno_t e = fs_desc(fd, &d);
    return e ? e : w2s_fs_set_times(d, atim, mtim, fst_flags);
}

/* shared with w2_path.c */
void w2_fill_filestat(__wasi_filestat_t *out, const w2s_stat *st, uint64_t ino) {
    fill_filestat(out, st, ino);
}

W2_COLD_END
