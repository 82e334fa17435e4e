/*
 * wasit2 system layer: poll_oneoff over wasi:io/poll pollables.
 *
 * Apart from w2_misc.c (which every program links for exit and main's
 * arguments) because polling stdin links w2_read.c's stdin code.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "w2_internal.h"

W2_COLD_BEGIN

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
                    p = w2s_in_subscribe(w2_std_in(f));
                }
                break;
            case W2_OUT_STREAM:
                if (!wr) {
                    ev.error = __WASI_ERRNO_BADF;
                    now = true;
                } else {
                    p = w2s_out_subscribe(w2_std_out(f));
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

W2_COLD_END
