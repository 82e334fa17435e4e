/*
 * wasit2 system layer: arguments, environment, clocks, randomness, exit,
 * and poll_oneoff over wasi:io/poll pollables.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "w2_internal.h"

/* ---- arguments and environment ---- */

struct sizes {
    size_t count, bytes;
};
struct fill {
    uint8_t **ptrs;
    uint8_t *buf;
};

static void count_str(void *ctx, const char *s, size_t len) {
    struct sizes *z = ctx;
    z->count++;
    z->bytes += len + 1;
}
static void fill_str(void *ctx, const char *s, size_t len) {
    struct fill *f = ctx;
    *f->ptrs++ = f->buf;
    memcpy(f->buf, s, len);
    f->buf[len] = 0;
    f->buf += len + 1;
}
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

__wasi_errno_t __wasi_args_sizes_get(__wasi_size_t *argc, __wasi_size_t *argv_buf_size) {
    struct sizes z = {0, 0};
    __wasi_errno_t e = w2s_arguments(count_str, &z);
    if (e)
        return e;
    *argc = z.count;
    *argv_buf_size = z.bytes;
    return 0;
}

__wasi_errno_t __wasi_args_get(uint8_t **argv, uint8_t *argv_buf) {
    struct fill f = {argv, argv_buf};
    return w2s_arguments(fill_str, &f);
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

/* ---- poll_oneoff ---- */

#define W2_POLL_STACK 32

__wasi_errno_t __wasi_poll_oneoff(const __wasi_subscription_t *in, __wasi_event_t *out, __wasi_size_t nsubs,
                                  __wasi_size_t *nevents) {
    if (nsubs == 0)
        return __WASI_ERRNO_INVAL;
    int32_t stack_p[W2_POLL_STACK];
    uint32_t stack_map[W2_POLL_STACK], stack_ready[W2_POLL_STACK];
    int32_t *pollables = stack_p;
    uint32_t *map = stack_map, *ready = stack_ready;
    void *heap = NULL;
    if (nsubs > W2_POLL_STACK) {
        heap = malloc(nsubs * (sizeof(int32_t) + 2 * sizeof(uint32_t)));
        if (!heap)
            return __WASI_ERRNO_NOMEM;
        pollables = heap;
        map = (uint32_t *)(pollables + nsubs);
        ready = map + nsubs;
    }

    size_t np = 0, nev = 0;
    for (size_t i = 0; i < nsubs; i++) {
        const __wasi_subscription_t *s = &in[i];
        __wasi_event_t ev;
        memset(&ev, 0, sizeof ev);
        ev.userdata = s->userdata;
        ev.type = s->u.tag;
        int32_t p = -1;
        bool now = false;
        switch (s->u.tag) {
        case __WASI_EVENTTYPE_CLOCK: {
            const __wasi_subscription_clock_t *c = &s->u.u.clock;
            bool abs = (c->flags & __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME) != 0;
            if (c->id == __WASI_CLOCKID_REALTIME) {
                uint64_t t = c->timeout;
                if (abs) {
                    uint64_t wall = w2s_wall_now();
                    t = t > wall ? t - wall : 0;
                }
                p = w2s_subscribe_duration(t);
            } else if (c->id == __WASI_CLOCKID_MONOTONIC) {
                p = abs ? w2s_subscribe_instant(c->timeout) : w2s_subscribe_duration(c->timeout);
            } else {
                ev.error = __WASI_ERRNO_NOTSUP;
                now = true;
            }
            break;
        }
        case __WASI_EVENTTYPE_FD_READ:
        case __WASI_EVENTTYPE_FD_WRITE: {
            bool wr = s->u.tag == __WASI_EVENTTYPE_FD_WRITE;
            __wasi_fd_t fd = wr ? s->u.u.fd_write.file_descriptor : s->u.u.fd_read.file_descriptor;
            w2_fd *f = w2_fd_get(fd);
            if (!f) {
                ev.error = __WASI_ERRNO_BADF;
                now = true;
                break;
            }
            switch (f->kind) {
            case W2_IN_STREAM:
                if (wr) {
                    ev.error = __WASI_ERRNO_BADF;
                    now = true;
                } else {
                    p = w2s_in_subscribe(f->in);
                }
                break;
            case W2_OUT_STREAM:
                if (!wr) {
                    ev.error = __WASI_ERRNO_BADF;
                    now = true;
                } else {
                    p = w2s_out_subscribe(f->out);
                }
                break;
            case W2_TCP:
            case W2_UDP: {
                __wasi_errno_t e = w2_socket_pollable(f, wr, &p);
                if (e) {
                    ev.error = e;
                    now = true;
                }
                break;
            }
            default:
                /* Files and directories never block. */
                ev.fd_readwrite.nbytes = 1;
                now = true;
                break;
            }
            break;
        }
        default:
            ev.error = __WASI_ERRNO_INVAL;
            now = true;
        }
        if (now) {
            out[nev++] = ev;
        } else if (p >= 0) {
            pollables[np] = p;
            map[np] = (uint32_t)i;
            np++;
        }
    }

    if (np > 0) {
        size_t nready;
        if (nev > 0) {
            /* Something is already ready: only collect what else is. */
            nready = 0;
            for (size_t k = 0; k < np; k++)
                if (w2s_pollable_ready(pollables[k]))
                    ready[nready++] = (uint32_t)k;
        } else {
            nready = w2s_poll(pollables, np, ready);
        }
        for (size_t r = 0; r < nready; r++) {
            const __wasi_subscription_t *s = &in[map[ready[r]]];
            __wasi_event_t *ev = &out[nev++];
            memset(ev, 0, sizeof *ev);
            ev->userdata = s->userdata;
            ev->type = s->u.tag;
            if (s->u.tag != __WASI_EVENTTYPE_CLOCK) {
                ev->fd_readwrite.nbytes = 1;
                bool wr = s->u.tag == __WASI_EVENTTYPE_FD_WRITE;
                w2_fd *f = w2_fd_get(wr ? s->u.u.fd_write.file_descriptor : s->u.u.fd_read.file_descriptor);
                if (f && (f->kind == W2_TCP || f->kind == W2_UDP))
                    w2_socket_progress(f);
            }
        }
        for (size_t k = 0; k < np; k++)
            w2s_drop_pollable(pollables[k]);
    }
    free(heap);
    *nevents = nev;
    return 0;
}
