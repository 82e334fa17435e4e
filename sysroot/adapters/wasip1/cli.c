/* wasi:cli (environment, exit, stdio, terminals), wasi:clocks, wasi:random. */
#include "adapter.h"

/* ---- wasi:cli/environment --------------------------------------------- */

/*
 * get-arguments and get-environment fetch the p1 data straight into the
 * caller's arena and compact it in place, so no scratch memory is needed:
 * the p1 pointer array (4 bytes per item) and the NUL-separated buffer fit
 * in the space the final result needs (8 or 16 bytes per item plus the
 * text), and every string only ever moves towards higher addresses.
 */

int32_t W2_wasi_cli_environment_get_arguments(int32_t ret, int32_t arena, int32_t arena_len) {
    uint32_t n = 0, size = 0;
    if (__wasit2_p1_args_sizes_get(ADDR(&n), ADDR(&size)) != 0)
        n = size = 0;
    /* list<string>: 8-byte elements, then each string without its NUL. */
    uint32_t need = 8 * n + size - n;
    if (need > (uint32_t)arena_len)
        return (int32_t)need;
    uint8_t *a = PTR(arena);
    if (n > 0) {
        uint32_t buf_at = 7 * n; /* need - size: the p1 text ends where the result ends */
        if (__wasit2_p1_args_get(ADDR(a), ADDR(a + buf_at)) != 0)
            __builtin_trap();
        uint32_t *slot = (uint32_t *)a; /* p1 pointers, then destination offsets */
        /* Pass 1, last string first: string i moves up by n - i bytes,
         * never over text not yet moved; its slot becomes its offset. */
        for (uint32_t i = n; i-- > 0;) {
            uint32_t src = slot[i] - (uint32_t)arena;
            uint32_t len = 0;
            while (a[src + len] != 0)
                len++;
            uint32_t dst = src + (n - i);
            w2_move_up(a + dst, a + src, len);
            slot[i] = dst;
        }
        /* Pass 2, last element first: element i covers slots 2i and 2i+1,
         * which are no longer needed. */
        uint32_t next = need;
        for (uint32_t i = n; i-- > 0;) {
            uint32_t dst = slot[i];
            ST32(a, 8 * i, arena + dst);
            ST32(a, 8 * i + 4, next - dst);
            next = dst;
        }
    }
    ST32(PTR(ret), 0, arena);
    ST32(PTR(ret), 4, n);
    return (int32_t)need;
}

int32_t W2_wasi_cli_environment_get_environment(int32_t ret, int32_t arena, int32_t arena_len) {
    uint32_t n = 0, size = 0;
    if (__wasit2_p1_environ_sizes_get(ADDR(&n), ADDR(&size)) != 0)
        n = size = 0;
    /* list<tuple<string,string>>: 16-byte elements, then key and value of
     * each entry; p1 entries are `key=value\0`, so the text shrinks by 2. */
    uint32_t need = 16 * n + size - 2 * n;
    if (need > (uint32_t)arena_len)
        return (int32_t)need;
    uint8_t *a = PTR(arena);
    if (n > 0) {
        uint32_t buf_at = 14 * n;
        if (__wasit2_p1_environ_get(ADDR(a), ADDR(a + buf_at)) != 0)
            __builtin_trap();
        uint32_t *slot = (uint32_t *)a;
        /* An entry without '=' is a key with an empty value and keeps one
         * more byte; count them so the size is exact. */
        uint32_t with_eq = 0;
        for (uint32_t i = 0; i < n; i++) {
            const uint8_t *e = a + (slot[i] - (uint32_t)arena);
            while (*e != 0 && *e != '=')
                e++;
            with_eq += *e == '=';
        }
        need = 16 * n + size - n - with_eq;
        if (need > (uint32_t)arena_len)
            return (int32_t)need; /* only the arena was used as scratch */
        /* Pass 1, last entry first: move the text up (entry i moves by
         * 2n - i - (entries before i with '=') > 0 bytes) and record
         * (offset, key length) of entry i at bytes [8i, 8i+8), which only
         * covers p1 pointers of entries already moved. */
        uint32_t eq_before = with_eq;
        for (uint32_t i = n; i-- > 0;) {
            uint32_t src = slot[i] - (uint32_t)arena;
            uint32_t len = 0;
            while (a[src + len] != 0)
                len++;
            uint32_t klen = 0;
            while (klen < len && a[src + klen] != '=')
                klen++;
            int has_eq = klen < len;
            eq_before -= has_eq;
            uint32_t vlen = has_eq ? len - klen - 1 : 0;
            uint32_t dst = 16 * n + (src - buf_at) - i - eq_before;
            if (vlen > 0)
                w2_move_up(a + dst + klen, a + src + klen + 1, vlen);
            w2_move_up(a + dst, a + src, klen);
            ST32(a, 8 * i, dst);
            ST32(a, 8 * i + 4, klen);
        }
        /* Pass 2, last element first. */
        uint32_t next = need;
        for (uint32_t i = n; i-- > 0;) {
            uint32_t dst = *(uint32_t *)(a + 8 * i);
            uint32_t klen = *(uint32_t *)(a + 8 * i + 4);
            ST32(a, 16 * i, arena + dst);
            ST32(a, 16 * i + 4, klen);
            ST32(a, 16 * i + 8, arena + dst + klen);
            ST32(a, 16 * i + 12, next - dst - klen);
            next = dst;
        }
    }
    ST32(PTR(ret), 0, arena);
    ST32(PTR(ret), 4, n);
    return (int32_t)need;
}

/* p1 has no notion of a current directory. */
int32_t W2_wasi_cli_environment_initial_cwd(int32_t ret, int32_t arena, int32_t arena_len) {
    (void)arena;
    (void)arena_len;
    ST8(PTR(ret), 0, 0);
    return 0;
}

/* ---- wasi:cli/exit ---------------------------------------------------- */

void W2_wasi_cli_exit_exit(int32_t status) { __wasit2_p1_proc_exit(status == 0 ? 0 : 1); }

void W2_wasi_cli_exit_exit_with_code(int32_t code) { __wasit2_p1_proc_exit(code & 0xff); }

/* ---- wasi:cli/stdin, stdout, stderr ----------------------------------- */

int32_t W2_wasi_cli_stdin_get_stdin(void) { return w2_new(K_INPUT, IN_FD, 0, 0); }
int32_t W2_wasi_cli_stdout_get_stdout(void) { return w2_new(K_OUTPUT, OUT_FD, 1, 0); }
int32_t W2_wasi_cli_stderr_get_stderr(void) { return w2_new(K_OUTPUT, OUT_FD, 2, 0); }

/* ---- terminals: p1 cannot tell whether a stream is a terminal --------- */

void W2_wasi_cli_terminal_input_terminal_input_drop(int32_t self) {
    (void)self;
    __builtin_trap(); /* never handed out */
}

void W2_wasi_cli_terminal_output_terminal_output_drop(int32_t self) {
    (void)self;
    __builtin_trap(); /* never handed out */
}

void W2_wasi_cli_terminal_stdin_get_terminal_stdin(int32_t ret) { ST8(PTR(ret), 0, 0); }
void W2_wasi_cli_terminal_stdout_get_terminal_stdout(int32_t ret) { ST8(PTR(ret), 0, 0); }
void W2_wasi_cli_terminal_stderr_get_terminal_stderr(int32_t ret) { ST8(PTR(ret), 0, 0); }

/* ---- wasi:clocks ------------------------------------------------------ */

int64_t W2_wasi_clocks_monotonic_clock_now(void) { return (int64_t)w2_monotonic_now(); }

int64_t W2_wasi_clocks_monotonic_clock_resolution(void) {
    uint64_t r = 1;
    __wasit2_p1_clock_res_get(P1_CLOCK_MONOTONIC, ADDR(&r));
    return (int64_t)r;
}

int32_t W2_wasi_clocks_monotonic_clock_subscribe_instant(int64_t when) {
    return w2_new(K_POLLABLE, P_CLOCK, 0, (uint64_t)when);
}

int32_t W2_wasi_clocks_monotonic_clock_subscribe_duration(int64_t d) {
    uint64_t now = w2_monotonic_now();
    uint64_t when = now + (uint64_t)d;
    if (when < now)
        when = UINT64_MAX;
    return w2_new(K_POLLABLE, P_CLOCK, 0, when);
}

static void store_datetime(int32_t ret, uint64_t ns) {
    ST64(PTR(ret), 0, ns / 1000000000u);
    ST32(PTR(ret), 8, (uint32_t)(ns % 1000000000u));
}

void W2_wasi_clocks_wall_clock_now(int32_t ret) {
    uint64_t t = 0;
    __wasit2_p1_clock_time_get(P1_CLOCK_REALTIME, 1, ADDR(&t));
    store_datetime(ret, t);
}

void W2_wasi_clocks_wall_clock_resolution(int32_t ret) {
    uint64_t r = 1;
    __wasit2_p1_clock_res_get(P1_CLOCK_REALTIME, ADDR(&r));
    store_datetime(ret, r);
}

/* ---- wasi:random ------------------------------------------------------ */

static int32_t random_bytes(int64_t len, int32_t ret, int32_t arena, int32_t arena_len) {
    if ((uint64_t)len > (uint32_t)arena_len)
        return (uint64_t)len > 0x7fffffff ? 0x7fffffff : (int32_t)len;
    if (len > 0 && __wasit2_p1_random_get(arena, (int32_t)len) != 0)
        __builtin_trap(); /* p2 random cannot fail */
    ST32(PTR(ret), 0, arena);
    ST32(PTR(ret), 4, (uint32_t)len);
    return (int32_t)len;
}

int32_t W2_wasi_random_random_get_random_bytes(int64_t len, int32_t ret, int32_t arena,
                                               int32_t arena_len) {
    return random_bytes(len, ret, arena, arena_len);
}

int64_t W2_wasi_random_random_get_random_u64(void) {
    uint64_t v = 0;
    if (__wasit2_p1_random_get(ADDR(&v), 8) != 0)
        __builtin_trap();
    return (int64_t)v;
}

int32_t W2_wasi_random_insecure_get_insecure_random_bytes(int64_t len, int32_t ret, int32_t arena,
                                                          int32_t arena_len) {
    return random_bytes(len, ret, arena, arena_len);
}

int64_t W2_wasi_random_insecure_get_insecure_random_u64(void) {
    return W2_wasi_random_random_get_random_u64();
}

void W2_wasi_random_insecure_seed_insecure_seed(int32_t ret) {
    static uint64_t seed[2];
    static int have_seed;
    if (!have_seed) {
        if (__wasit2_p1_random_get(ADDR(seed), 16) != 0)
            __builtin_trap();
        have_seed = 1;
    }
    ST64(PTR(ret), 0, seed[0]);
    ST64(PTR(ret), 8, seed[1]);
}
