/*
 * wasit2 system layer: arguments, environment, clocks, randomness, exit
 * (poll_oneoff is in w2_poll.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "w2_internal.h"

W2_COLD_BEGIN

/* ---- arguments and environment ---- */

struct sizes {
    size_t count, bytes;
};
struct fill {
    uint8_t **ptrs;
    uint8_t *buf;
};

static void count_kv(void *ctx, const char *k, size_t klen, const char *v, size_t vlen) {
    struct sizes *z = ctx;
    z->count++;
    z->bytes += klen + vlen + 2;
}
static void fill_kv(void *ctx, const char *k, size_t klen, const char *v, size_t vlen) {
    struct fill *f = ctx;
    *f->ptrs++ = f->buf;
    memcpy(f->buf, k, klen);
    f->buf[klen] = '=';
    memcpy(f->buf + klen + 1, v, vlen);
    f->buf[klen + 1 + vlen] = 0;
    f->buf += klen + vlen + 2;
}

/* Over the block main's arguments come in (w2s_argv), which a program
 * that calls these directly (Rust's std, through the p1 imports) fetches
 * once per call: they are asked once at start-up. */
__wasi_errno_t __wasi_args_sizes_get(__wasi_size_t *argc, __wasi_size_t *argv_buf_size) {
    size_t count, bytes;
    char **argv = w2s_argv(&count, &bytes);
    if (!argv)
        return __WASI_ERRNO_NOMEM;
    free(argv);
    *argc = count;
    *argv_buf_size = bytes;
    return 0;
}

__wasi_errno_t __wasi_args_get(uint8_t **argv, uint8_t *argv_buf) {
    size_t count, bytes;
    char **block = w2s_argv(&count, &bytes);
    if (!block)
        return __WASI_ERRNO_NOMEM;
    char *chars = (char *)(block + count + 1);
    memcpy(argv_buf, chars, bytes);
    for (size_t i = 0; i < count; i++)
        argv[i] = argv_buf + (block[i] - chars);
    free(block);
    return 0;
}

__wasi_errno_t __wasi_environ_sizes_get(__wasi_size_t *count, __wasi_size_t *buf_size) {
    struct sizes z = {0, 0};
    __wasi_errno_t e = w2s_environment(count_kv, &z);
    if (e)
        return e;
    *count = z.count;
    *buf_size = z.bytes;
    return 0;
}

__wasi_errno_t __wasi_environ_get(uint8_t **environ, uint8_t *environ_buf) {
    struct fill f = {environ, environ_buf};
    return w2s_environment(fill_kv, &f);
}

/* ---- clocks, random, exit ---- */

__wasi_errno_t __wasi_clock_res_get(__wasi_clockid_t id, __wasi_timestamp_t *res) {
    switch (id) {
    case __WASI_CLOCKID_REALTIME:
        *res = w2s_wall_resolution();
        return 0;
    case __WASI_CLOCKID_MONOTONIC:
    case __WASI_CLOCKID_PROCESS_CPUTIME_ID:
    case __WASI_CLOCKID_THREAD_CPUTIME_ID:
        *res = w2s_monotonic_resolution();
        return 0;
    default:
        return __WASI_ERRNO_INVAL;
    }
}

/* The CPU-time clocks have no WASI 0.2 counterpart; they count from the
 * first use of the monotonic clock, which is as close as a guest can get. */
static uint64_t cpu_epoch;
static bool cpu_epoch_set;

__wasi_errno_t __wasi_clock_time_get(__wasi_clockid_t id, __wasi_timestamp_t precision, __wasi_timestamp_t *time) {
    switch (id) {
    case __WASI_CLOCKID_REALTIME:
        *time = w2s_wall_now();
        return 0;
    case __WASI_CLOCKID_MONOTONIC:
        *time = w2s_monotonic_now();
        return 0;
    case __WASI_CLOCKID_PROCESS_CPUTIME_ID:
    case __WASI_CLOCKID_THREAD_CPUTIME_ID: {
        uint64_t now = w2s_monotonic_now();
        if (!cpu_epoch_set) {
            cpu_epoch = now;
            cpu_epoch_set = true;
        }
        *time = now - cpu_epoch;
        return 0;
    }
    default:
        return __WASI_ERRNO_INVAL;
    }
}

__wasi_errno_t __wasi_random_get(uint8_t *buf, __wasi_size_t buf_len) {
    return w2s_random(buf, buf_len);
}

_Noreturn void __wasi_proc_exit(__wasi_exitcode_t rval) {
    w2s_exit((int)rval);
}

__wasi_errno_t __wasi_sched_yield(void) {
    return 0;
}

W2_COLD_END
