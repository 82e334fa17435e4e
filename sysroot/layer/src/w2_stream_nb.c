/*
 * wasit2 system layer: non-blocking writes to streams.
 *
 * Kept apart from w2_io.c so that programs which cannot have a non-blocking
 * stream do not link the check-write loop: their writes are
 * blocking-write-and-flush. Only sockets can be such streams (stdio's flags
 * cannot change, see __wasi_fd_fdstat_set_flags in w2_io.c, and file writes
 * ignore NONBLOCK), and the socket code refers to this file strongly.
 */
#include "w2_internal.h"

W2_COLD_BEGIN

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
