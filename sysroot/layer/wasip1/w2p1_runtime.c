/*
 * The `--host wasip1` libc's answers to differences between p1 runtimes
 * (docs/wasip1.md, "Two libcs"). wasi-libc's own wrappers of these five
 * functions are compiled as `__wasit2_raw_*` (SOURCES.txt, wasip1-wrap);
 * the versions here call them (fd_write and fd_read the imports, below)
 * and give every runtime the same behaviour, the one the wasit2 libc has
 * on a WASI 0.2 host:
 *
 * - Runtimes derived from the 2020 WAMR keep two snapshot-0 layouts
 *   (wamr2020_layout.h, shared with the wasip1 adapter). They also take
 *   only one relative monotonic clock per poll, and do not report stdout as
 *   writable.
 * - wasmtime's fd_read and fd_write use only the first buffer of a vector,
 *   and its poll reports one ready regular file or stdout, not all.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <wasi/api.h>

#include "wamr2020_layout.h"

/* fd_write and fd_read, which every write() and read() makes, call the p1
 * imports straight, not through wasi-libc's wrappers (`__wasit2_raw_*`,
 * still renamed so that they do not clash with the versions here): a
 * wrapper is one more wasm call per I/O call, and a call is dear on the
 * interpreting 2020 WAMR (docs/wasip1.md, "Per-call cost"). The symbols are
 * the ones wasi-libc's wrappers import, with the same p1 module and name. */
int32_t __imported_wasi_snapshot_preview1_fd_write(int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nwritten)
    __attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_write")));
int32_t __imported_wasi_snapshot_preview1_fd_read(int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nread)
    __attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_read")));

static inline __wasi_errno_t raw_fd_write(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, size_t iovs_len,
                                          __wasi_size_t *nwritten) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_fd_write(
        (int32_t)fd, (int32_t)(intptr_t)iovs, (int32_t)iovs_len, (int32_t)(intptr_t)nwritten);
}

static inline __wasi_errno_t raw_fd_read(__wasi_fd_t fd, const __wasi_iovec_t *iovs, size_t iovs_len,
                                         __wasi_size_t *nread) {
    return (__wasi_errno_t)__imported_wasi_snapshot_preview1_fd_read(
        (int32_t)fd, (int32_t)(intptr_t)iovs, (int32_t)iovs_len, (int32_t)(intptr_t)nread);
}

__wasi_errno_t __wasit2_raw_fd_filestat_get(__wasi_fd_t, __wasi_filestat_t *);
__wasi_errno_t __wasit2_raw_path_filestat_get(__wasi_fd_t, __wasi_lookupflags_t, const char *, __wasi_filestat_t *);
__wasi_errno_t __wasit2_raw_poll_oneoff(const __wasi_subscription_t *, __wasi_event_t *, __wasi_size_t,
                                        __wasi_size_t *);

/* ---- vectors: finish what the runtime left after the first buffer ---- */

/* Goes on after the runtime wrote `n` bytes of the vector in one call.
 * Out of line: its locals need a shadow-stack frame, which would otherwise
 * be set up on every call, a cost on the interpreting 2020 WAMR. */
static __attribute__((noinline)) __wasi_errno_t write_rest(__wasi_fd_t fd, const __wasi_ciovec_t *iovs,
                                                           size_t iovs_len, __wasi_size_t n,
                                                           __wasi_size_t *nwritten) {
    __wasi_size_t total = 0;
    __wasi_ciovec_t head;
    for (;;) {
        total += n;
        while (iovs_len > 0 && n >= iovs->buf_len) {
            n -= iovs->buf_len;
            iovs++;
            iovs_len--;
        }
        if (iovs_len == 0)
            break;
        if (n == 0 && total == 0)
            break; /* nothing written: a non-blocking descriptor that is full */
        if (n > 0) {
            /* Stopped inside a buffer: write its rest alone, then go on. */
            head.buf = iovs->buf + n;
            head.buf_len = iovs->buf_len - n;
            __wasi_errno_t e = raw_fd_write(fd, &head, 1, &n);
            if (e || n < head.buf_len) {
                *nwritten = total + (e ? 0 : n);
                return 0;
            }
            total += n;
            iovs++;
            iovs_len--;
            if (iovs_len == 0)
                break;
        }
        if (raw_fd_write(fd, iovs, iovs_len, &n))
            break; /* the bytes written so far are the result */
    }
    *nwritten = total;
    return 0;
}

__wasi_errno_t __wasi_fd_write(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, size_t iovs_len, __wasi_size_t *nwritten) {
    if (iovs_len == 0) {
        *nwritten = 0;
        return 0;
    }
    __wasi_errno_t e = raw_fd_write(fd, iovs, iovs_len, nwritten);
    /* The common case, write(): one buffer, written whole. */
    if (e || (iovs_len == 1 && *nwritten == iovs->buf_len))
        return e;
    return write_rest(fd, iovs, iovs_len, *nwritten, nwritten);
}

/* Goes on after the runtime read into a vector of two or more buffers (out
 * of line for the same reason as write_rest). Reads go on into the next
 * buffer only for regular files: on a pipe or a terminal that could block
 * for data nobody asked for yet. */
static __attribute__((noinline)) __wasi_errno_t read_rest(__wasi_fd_t fd, const __wasi_iovec_t *iovs, size_t iovs_len,
                                                          __wasi_size_t *nread) {
    __wasi_size_t total = *nread, n = total;
    while (iovs_len > 0 && n >= iovs->buf_len) {
        n -= iovs->buf_len;
        iovs++;
        iovs_len--;
    }
    if (iovs_len == 0 || n > 0)
        return 0; /* every buffer filled, or a short read: the end of the data */
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(fd, &st) || st.fs_filetype != __WASI_FILETYPE_REGULAR_FILE)
        return 0;
    for (; iovs_len > 0; iovs++, iovs_len--) {
        if (raw_fd_read(fd, iovs, 1, &n) || n == 0)
            break;
        total += n;
        if (n < iovs->buf_len)
            break;
    }
    *nread = total;
    return 0;
}

__wasi_errno_t __wasi_fd_read(__wasi_fd_t fd, const __wasi_iovec_t *iovs, size_t iovs_len, __wasi_size_t *nread) {
    __wasi_errno_t e = raw_fd_read(fd, iovs, iovs_len, nread);
    if (e || iovs_len < 2)
        return e;
    return read_rest(fd, iovs, iovs_len, nread);
}

/* ---- filestat: the 2020 WAMR layout ---- */

_Static_assert(sizeof(__wasi_filestat_t) == W2_FILESTAT_SIZE, "filestat layout");

__wasi_errno_t __wasi_fd_filestat_get(__wasi_fd_t fd, __wasi_filestat_t *st) {
    w2_layout_probe_fill((uint8_t *)st);
    __wasi_errno_t e = __wasit2_raw_fd_filestat_get(fd, st);
    if (!e)
        w2_layout_fix_filestat((uint8_t *)st);
    return e;
}

__wasi_errno_t __wasi_path_filestat_get(__wasi_fd_t fd, __wasi_lookupflags_t flags, const char *path,
                                        __wasi_filestat_t *st) {
    w2_layout_probe_fill((uint8_t *)st);
    __wasi_errno_t e = __wasit2_raw_path_filestat_get(fd, flags, path, st);
    if (!e)
        w2_layout_fix_filestat((uint8_t *)st);
    return e;
}

static int32_t raw_filestat(int32_t fd, uint8_t *raw) {
    return __wasit2_raw_fd_filestat_get((__wasi_fd_t)fd, (__wasi_filestat_t *)raw);
}

/* Whether the runtime writes the snapshot-0 layouts (asked once). */
static bool legacy_layouts(void) {
    static int known = -1;
    if (known < 0) {
        _Alignas(8) uint8_t raw[W2_FILESTAT_SIZE];
        known = w2_layout_is_legacy(raw_filestat, raw);
    }
    return known;
}

/* ---- poll_oneoff ---- */

#define TIMEOUT_USERDATA UINT64_MAX

static uint64_t now_ns(__wasi_clockid_t id) {
    uint64_t t = 0;
    __wasi_clock_time_get(id, 1, &t);
    return t;
}

/* Whether an fd subscription is ready without asking the runtime: regular
 * files and directories always are (POSIX), and writes to anything but a
 * socket are treated as ready, as the wasit2 host's output streams are. */
static bool always_ready(const __wasi_subscription_t *s) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(s->u.u.fd_read.file_descriptor, &st))
        return false; /* the runtime reports the error */
    if (st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE || st.fs_filetype == __WASI_FILETYPE_DIRECTORY)
        return true;
    return s->u.tag == __WASI_EVENTTYPE_FD_WRITE && st.fs_filetype != __WASI_FILETYPE_SOCKET_STREAM &&
           st.fs_filetype != __WASI_FILETYPE_SOCKET_DGRAM;
}

/* Writes subscription `s` at index i of the runtime's array. */
static void put_sub(uint8_t *subs, size_t i, bool legacy, const __wasi_subscription_t *s) {
    size_t size = legacy ? W2_SUBSCRIPTION_SIZE_LEGACY : sizeof(__wasi_subscription_t);
    uint8_t *d = subs + i * size;
    memset(d, 0, size);
    memcpy(d, &s->userdata, 8);
    d[8] = s->u.tag;
    if (s->u.tag == __WASI_EVENTTYPE_CLOCK) {
        memcpy(d + W2_SUBSCRIPTION_CLOCK_OFFSET(legacy), &s->u.u.clock, sizeof s->u.u.clock);
    } else {
        memcpy(d + 16, &s->u.u.fd_read.file_descriptor, 4);
    }
}

__wasi_errno_t __wasi_poll_oneoff(const __wasi_subscription_t *in, __wasi_event_t *out, __wasi_size_t nsubs,
                                  __wasi_size_t *nevents) {
    if (nsubs == 0)
        return __WASI_ERRNO_INVAL;
    bool legacy = legacy_layouts();
    /* Every clock as a monotonic deadline, fixed before any waiting. */
    uint64_t deadline[nsubs];
    uint64_t start = now_ns(__WASI_CLOCKID_MONOTONIC);
    for (__wasi_size_t i = 0; i < nsubs; i++) {
        const __wasi_subscription_clock_t *c = &in[i].u.u.clock;
        if (in[i].u.tag != __WASI_EVENTTYPE_CLOCK)
            continue;
        uint64_t rel = c->timeout;
        if (c->flags & __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) {
            uint64_t now = now_ns(c->id);
            rel = c->timeout > now ? c->timeout - now : 0;
        }
        deadline[i] = rel > UINT64_MAX - start ? UINT64_MAX : start + rel;
    }
    _Alignas(8) uint8_t subs[((size_t)nsubs + 1) * W2_SUBSCRIPTION_SIZE_LEGACY];
    __wasi_event_t events[nsubs + 1];
    __wasi_size_t ready;
    for (;;) {
        uint64_t now = now_ns(__WASI_CLOCKID_MONOTONIC);
        __wasi_size_t asked = 0;
        ready = 0;
        uint64_t wait = UINT64_MAX; /* until the earliest clock */
        for (__wasi_size_t i = 0; i < nsubs; i++) {
            const __wasi_subscription_t *s = &in[i];
            if (s->u.tag == __WASI_EVENTTYPE_CLOCK) {
                if (deadline[i] <= now)
                    out[ready++] = (__wasi_event_t){.userdata = s->userdata, .type = __WASI_EVENTTYPE_CLOCK};
                else if (deadline[i] - now < wait)
                    wait = deadline[i] - now;
            } else if (always_ready(s)) {
                out[ready++] = (__wasi_event_t){.userdata = s->userdata, .type = s->u.tag};
            } else {
                put_sub(subs, asked++, legacy, s);
            }
        }
        if (ready > 0) {
            if (asked == 0)
                break;
            wait = 0; /* only collect what else is ready now */
        }
        /* One relative monotonic clock carries every timeout. */
        if (wait != UINT64_MAX) {
            __wasi_subscription_t t = {.userdata = TIMEOUT_USERDATA, .u = {.tag = __WASI_EVENTTYPE_CLOCK}};
            t.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
            t.u.u.clock.timeout = wait;
            put_sub(subs, asked++, legacy, &t);
        }
        __wasi_size_t got = 0;
        __wasi_errno_t e = __wasit2_raw_poll_oneoff((const __wasi_subscription_t *)subs, events, asked, &got);
        if (e)
            return e;
        for (__wasi_size_t k = 0; k < got; k++)
            if (events[k].userdata != TIMEOUT_USERDATA || events[k].type != __WASI_EVENTTYPE_CLOCK)
                out[ready++] = events[k];
        if (ready > 0)
            break;
        /* Only the timeout fired: the next round reports the clocks it stood for. */
    }
    *nevents = ready;
    return 0;
}
