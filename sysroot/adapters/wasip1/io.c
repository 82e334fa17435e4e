/* wasi:io/error, wasi:io/poll and wasi:io/streams over p1 fds. */
#include "adapter.h"

/* ---- wasi:io/error ---------------------------------------------------- */

void W2_wasi_io_error_error_drop(int32_t self) { w2_free(self, K_ERROR); }

int32_t W2_wasi_io_error_method_error_to_debug_string(int32_t self, int32_t ret, int32_t arena,
                                                       int32_t arena_len) {
    int32_t err = w2_get(self, K_ERROR)->fd;
    /* "wasi preview 1 errno <n>" */
    static const char prefix[] = "wasi preview 1 errno ";
    char text[40];
    uint32_t n = 0;
    for (; prefix[n]; n++)
        text[n] = prefix[n];
    char digits[12];
    uint32_t d = 0;
    uint32_t v = (uint32_t)err;
    do {
        digits[d++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (d)
        text[n++] = digits[--d];
    if (n > (uint32_t)arena_len)
        return (int32_t)n;
    w2_copy(PTR(arena), (const uint8_t *)text, n);
    ST32(PTR(ret), 0, arena);
    ST32(PTR(ret), 4, n);
    return (int32_t)n;
}

/* ---- wasi:io/poll ----------------------------------------------------- */

void W2_wasi_io_poll_pollable_drop(int32_t self) { w2_free(self, K_POLLABLE); }

#define MAX_POLL 64
#define SUB_MAX_SIZE W2_SUBSCRIPTION_SIZE_LEGACY
#define CLOCK_USERDATA 0xFFFFFFFFu

static _Alignas(8) uint8_t subs[(MAX_POLL + 1) * SUB_MAX_SIZE];
static p1_event events[MAX_POLL + 1];

/* 2020 WAMR clock subscriptions carry an extra 8-byte `identifier` before
 * the clock id (wamr2020_layout.h). */
static uint8_t *sub_at(uint32_t i, uint32_t *size) {
    *size = w2_legacy_layouts() ? W2_SUBSCRIPTION_SIZE_LEGACY : W2_SUBSCRIPTION_SIZE;
    uint8_t *sub = subs + i * *size;
    for (uint32_t k = 0; k < *size; k++)
        sub[k] = 0;
    return sub;
}

static void put_clock(uint32_t i, uint64_t timeout) {
    uint32_t size;
    uint8_t *sub = sub_at(i, &size);
    uint32_t o = W2_SUBSCRIPTION_CLOCK_OFFSET(size == W2_SUBSCRIPTION_SIZE_LEGACY);
    ST64(sub, 0, CLOCK_USERDATA);
    ST8(sub, 8, P1_EVENTTYPE_CLOCK);
    ST32(sub, o, P1_CLOCK_MONOTONIC);
    /* Relative: the 2020 WAMR cannot sleep until an absolute monotonic time. */
    ST64(sub, o + 8, timeout);
}

static void put_fd(uint32_t i, uint32_t userdata, uint8_t type, int32_t fd) {
    uint32_t size;
    uint8_t *sub = sub_at(i, &size);
    ST64(sub, 0, userdata);
    ST8(sub, 8, type);
    ST32(sub, 16, fd);
}

/*
 * Finds which of `count` pollables are ready, writing their indices to
 * `out`; with `block`, waits until at least one is. Clock pollables are
 * merged into one relative timeout (the 2020 WAMR accepts at most one clock
 * next to fd subscriptions) and checked against the clock on wake-up.
 */
static uint32_t wait_ready(const int32_t *handles, uint32_t count, uint32_t *out, int block) {
    for (;;) {
        uint64_t now = w2_monotonic_now();
        uint64_t earliest = UINT64_MAX;
        uint32_t ready = 0, nsubs = 0;
        for (uint32_t i = 0; i < count; i++) {
            struct entry *p = w2_get(handles[i], K_POLLABLE);
            if (p->sub == P_READY || (p->sub == P_CLOCK && p->val <= now))
                out[ready++] = i;
            else if (p->sub == P_CLOCK)
                earliest = p->val < earliest ? p->val : earliest;
            else
                put_fd(nsubs++, i, p->sub == P_READ ? P1_EVENTTYPE_FD_READ : P1_EVENTTYPE_FD_WRITE, p->fd);
        }
        if (ready > 0)
            return ready;
        if (!block && nsubs == 0)
            return 0; /* only clocks, none expired */
        if (!block)
            put_clock(nsubs++, 0);
        else if (earliest != UINT64_MAX)
            put_clock(nsubs++, earliest - now);
        uint32_t n = 0;
        if (__wasit2_p1_poll_oneoff(ADDR(subs), ADDR(events), (int32_t)nsubs, ADDR(&n)) != 0) {
            /* Report everything ready so the next operation sees the error. */
            for (uint32_t i = 0; i < count; i++)
                out[i] = i;
            return count;
        }
        for (uint32_t e = 0; e < n; e++)
            if (events[e].userdata != CLOCK_USERDATA)
                out[ready++] = (uint32_t)events[e].userdata;
        if (ready > 0 || !block) {
            if (ready == 0) {
                /* A zero-timeout probe: clocks may have expired meanwhile. */
                now = w2_monotonic_now();
                for (uint32_t i = 0; i < count; i++) {
                    struct entry *p = w2_get(handles[i], K_POLLABLE);
                    if (p->sub == P_CLOCK && p->val <= now)
                        out[ready++] = i;
                }
            }
            return ready;
        }
        /* Only the timeout fired: loop to re-check the clocks. */
    }
}

int32_t W2_wasi_io_poll_method_pollable_ready(int32_t self) {
    uint32_t out[1];
    return wait_ready(&self, 1, out, 0) > 0;
}

void W2_wasi_io_poll_method_pollable_block(int32_t self) {
    uint32_t out[1];
    wait_ready(&self, 1, out, 1);
}

int32_t W2_wasi_io_poll_poll(int32_t in, int32_t in_len, int32_t ret, int32_t arena,
                             int32_t arena_len) {
    uint32_t count = (uint32_t)in_len;
    if (count == 0 || count > MAX_POLL)
        __builtin_trap(); /* empty list: hosts trap; more than MAX_POLL: see docs/wasip1.md */
    if ((uint32_t)arena & 3)
        __builtin_trap();
    uint32_t bound = 4 * count;
    if (bound > (uint32_t)arena_len)
        return (int32_t)bound; /* no waiting before the arena can hold the result */
    uint32_t ready = wait_ready((const int32_t *)PTR(in), count, (uint32_t *)PTR(arena), 1);
    ST32(PTR(ret), 0, arena);
    ST32(PTR(ret), 4, ready);
    return (int32_t)(4 * ready);
}

/* ---- wasi:io/streams -------------------------------------------------- */

void W2_wasi_io_streams_input_stream_drop(int32_t self) { w2_free(self, K_INPUT); }
void W2_wasi_io_streams_output_stream_drop(int32_t self) { w2_free(self, K_OUTPUT); }

/* Stores `err(stream-error)` with the stream-error at `off` (tag, then the
 * error handle 4 bytes later). errno 0 means `closed`. */
static void store_stream_error(uint8_t *ret, uint32_t off, int32_t err) {
    ST8(ret, 0, 1);
    if (err == 0 || err == P1_EPIPE) {
        ST8(ret, off, 1); /* closed */
    } else {
        ST8(ret, off, 0); /* last-operation-failed */
        ST32(ret, off + 4, w2_new(K_ERROR, 0, err, 0));
    }
}

/* Reads up to `len` bytes into `buf`. Returns bytes read, or -errno; 0 at
 * the end of the stream. */
static int64_t stream_read(struct entry *s, uint8_t *buf, uint32_t len) {
    p1_iovec iov = {(uint32_t)ADDR(buf), len};
    uint32_t got = 0;
    int32_t err;
    if (s->sub == IN_FILE)
        err = __wasit2_p1_fd_pread(s->fd, ADDR(&iov), 1, (int64_t)s->val, ADDR(&got));
    else
        err = __wasit2_p1_fd_read(s->fd, ADDR(&iov), 1, ADDR(&got));
    if (err == P1_EAGAIN)
        return -P1_EAGAIN;
    if (err != 0)
        return -(int64_t)err;
    if (s->sub == IN_FILE)
        s->val += got;
    return got;
}

static int32_t input_read(int32_t self, int64_t len, int32_t ret, int32_t arena, int32_t arena_len) {
    struct entry *s = w2_get(self, K_INPUT);
    uint8_t *r = PTR(ret);
    /* ShortRead: the length is clamped to the arena. */
    uint64_t want = (uint64_t)len < (uint32_t)arena_len ? (uint64_t)len : (uint32_t)arena_len;
    if (want == 0) {
        ST8(r, 0, 0);
        ST32(r, 4, arena);
        ST32(r, 8, 0);
        return 0;
    }
    int64_t got = stream_read(s, PTR(arena), (uint32_t)want);
    if (got == -P1_EAGAIN)
        got = 0; /* nothing available yet: an empty ok */
    else if (got <= 0) {
        store_stream_error(r, 4, (int32_t)-got);
        return 0;
    }
    ST8(r, 0, 0);
    ST32(r, 4, arena);
    ST32(r, 8, (uint32_t)got);
    return (int32_t)got;
}

int32_t W2_wasi_io_streams_method_input_stream_read(int32_t self, int64_t len, int32_t ret,
                                                     int32_t arena, int32_t arena_len) {
    return input_read(self, len, ret, arena, arena_len);
}

int32_t W2_wasi_io_streams_method_input_stream_blocking_read(int32_t self, int64_t len, int32_t ret,
                                                              int32_t arena, int32_t arena_len) {
    return input_read(self, len, ret, arena, arena_len);
}

static void input_skip(int32_t self, int64_t len, int32_t ret) {
    struct entry *s = w2_get(self, K_INPUT);
    uint8_t *r = PTR(ret);
    uint64_t done = 0;
    while (done < (uint64_t)len) {
        uint64_t left = (uint64_t)len - done;
        uint32_t chunk = left < SCRATCH_SIZE ? (uint32_t)left : SCRATCH_SIZE;
        int64_t got = stream_read(s, w2_scratch, chunk);
        if (got == -P1_EAGAIN)
            break;
        if (got <= 0) {
            if (done > 0)
                break; /* report what was skipped; the error shows next time */
            store_stream_error(r, 8, (int32_t)-got);
            return;
        }
        done += (uint64_t)got;
        if ((uint64_t)got < chunk)
            break;
    }
    ST8(r, 0, 0);
    ST64(r, 8, done);
}

void W2_wasi_io_streams_method_input_stream_skip(int32_t self, int64_t len, int32_t ret) {
    input_skip(self, len, ret);
}

void W2_wasi_io_streams_method_input_stream_blocking_skip(int32_t self, int64_t len, int32_t ret) {
    input_skip(self, len, ret);
}

int32_t W2_wasi_io_streams_method_input_stream_subscribe(int32_t self) {
    struct entry *s = w2_get(self, K_INPUT);
    if (s->sub == IN_FILE)
        return w2_new(K_POLLABLE, P_READY, 0, 0);
    return w2_new(K_POLLABLE, P_READ, s->fd, 0);
}

int32_t (*w2_file_out_write)(struct entry *s, const p1_iovec *iov, uint32_t *put);

/* Writes all of `buf`. Returns 0 or the p1 errno. */
static int32_t stream_write(struct entry *s, const uint8_t *buf, uint32_t len) {
    while (len > 0) {
        p1_iovec iov = {(uint32_t)ADDR(buf), len};
        uint32_t put = 0;
        int32_t err;
        if (s->sub == OUT_FD)
            err = __wasit2_p1_fd_write(s->fd, ADDR(&iov), 1, ADDR(&put));
        else
            err = w2_file_out_write(s, &iov, &put);
        if (err == P1_EAGAIN || err == P1_EINTR)
            continue;
        if (err != 0)
            return err;
        if (put == 0)
            return P1_EPIPE;
        buf += put;
        len -= put;
    }
    return 0;
}

/* p1 writes block until done, so any amount may be written. */
#define CHECK_WRITE_PERMIT 65536

void W2_wasi_io_streams_method_output_stream_check_write(int32_t self, int32_t ret) {
    w2_get(self, K_OUTPUT);
    ST8(PTR(ret), 0, 0);
    ST64(PTR(ret), 8, CHECK_WRITE_PERMIT);
}

static void output_write(int32_t self, int32_t ptr, int32_t len, int32_t ret) {
    int32_t err = stream_write(w2_get(self, K_OUTPUT), PTR(ptr), (uint32_t)len);
    if (err != 0)
        store_stream_error(PTR(ret), 4, err);
    else
        ST8(PTR(ret), 0, 0);
}

void W2_wasi_io_streams_method_output_stream_write(int32_t self, int32_t ptr, int32_t len,
                                                    int32_t ret) {
    output_write(self, ptr, len, ret);
}

void W2_wasi_io_streams_method_output_stream_blocking_write_and_flush(int32_t self, int32_t ptr,
                                                                       int32_t len, int32_t ret) {
    output_write(self, ptr, len, ret);
}

/* p1 has no user-space buffering to flush. */
void W2_wasi_io_streams_method_output_stream_flush(int32_t self, int32_t ret) {
    w2_get(self, K_OUTPUT);
    ST8(PTR(ret), 0, 0);
}

void W2_wasi_io_streams_method_output_stream_blocking_flush(int32_t self, int32_t ret) {
    w2_get(self, K_OUTPUT);
    ST8(PTR(ret), 0, 0);
}

int32_t W2_wasi_io_streams_method_output_stream_subscribe(int32_t self) {
    struct entry *s = w2_get(self, K_OUTPUT);
    if (s->sub != OUT_FD)
        return w2_new(K_POLLABLE, P_READY, 0, 0);
    return w2_new(K_POLLABLE, P_WRITE, s->fd, 0);
}

static void write_zeroes(int32_t self, int64_t len, int32_t ret) {
    struct entry *s = w2_get(self, K_OUTPUT);
    for (uint32_t i = 0; i < SCRATCH_SIZE; i++)
        w2_scratch[i] = 0;
    uint64_t left = (uint64_t)len;
    while (left > 0) {
        uint32_t chunk = left < SCRATCH_SIZE ? (uint32_t)left : SCRATCH_SIZE;
        int32_t err = stream_write(s, w2_scratch, chunk);
        if (err != 0) {
            store_stream_error(PTR(ret), 4, err);
            return;
        }
        left -= chunk;
    }
    ST8(PTR(ret), 0, 0);
}

void W2_wasi_io_streams_method_output_stream_write_zeroes(int32_t self, int64_t len, int32_t ret) {
    write_zeroes(self, len, ret);
}

void W2_wasi_io_streams_method_output_stream_blocking_write_zeroes_and_flush(int32_t self,
                                                                             int64_t len,
                                                                             int32_t ret) {
    write_zeroes(self, len, ret);
}

/* Moves at most one scratch buffer per call; a short result is allowed. */
static void splice(int32_t self, int32_t src, int64_t len, int32_t ret) {
    struct entry *out = w2_get(self, K_OUTPUT);
    struct entry *in = w2_get(src, K_INPUT);
    uint8_t *r = PTR(ret);
    uint32_t chunk = (uint64_t)len < SCRATCH_SIZE ? (uint32_t)len : SCRATCH_SIZE;
    int64_t got = chunk ? stream_read(in, w2_scratch, chunk) : 0;
    if (got == -P1_EAGAIN || chunk == 0) {
        got = 0;
    } else if (got <= 0) {
        store_stream_error(r, 8, (int32_t)-got);
        return;
    }
    int32_t err = stream_write(out, w2_scratch, (uint32_t)got);
    if (err != 0) {
        store_stream_error(r, 8, err);
        return;
    }
    ST8(r, 0, 0);
    ST64(r, 8, (uint64_t)got);
}

void W2_wasi_io_streams_method_output_stream_splice(int32_t self, int32_t src, int64_t len,
                                                     int32_t ret) {
    splice(self, src, len, ret);
}

void W2_wasi_io_streams_method_output_stream_blocking_splice(int32_t self, int32_t src, int64_t len,
                                                              int32_t ret) {
    splice(self, src, len, ret);
}
