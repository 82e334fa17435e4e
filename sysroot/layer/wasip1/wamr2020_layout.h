/*
 * The snapshot-0 layouts of runtimes derived from the 2020 WAMR (its
 * libc-wasi came from CloudABI), shared by the wasip1 adapter
 * (sysroot/adapters/wasip1) and the `--host wasip1` libc
 * (w2p1_runtime.c); the sysroot builder builds both.
 *
 * Such runtimes import `wasi_snapshot_preview1` but keep two snapshot-0
 * layouts: filestat with a 32-bit link count (56 bytes, not 64) and clock
 * subscriptions with an extra 8-byte `identifier` before the clock id (56
 * bytes, not 48). A filestat call shows which: such a runtime leaves the
 * last 8 bytes of a 64-byte buffer alone.
 *
 * Only <stdint.h> and byte accesses: the adapter is freestanding and may
 * not call memcpy or memset.
 */
#ifndef WASIT2_WAMR2020_LAYOUT_H
#define WASIT2_WAMR2020_LAYOUT_H

#include <stdint.h>

#define W2_LAYOUT_PROBE 0xA5
#define W2_FILESTAT_SIZE 64
#define W2_SUBSCRIPTION_SIZE 48
#define W2_SUBSCRIPTION_SIZE_LEGACY 56
/* Offset of the clock id in a subscription of either layout. */
#define W2_SUBSCRIPTION_CLOCK_OFFSET(legacy) ((legacy) ? 24 : 16)

/* Fills a 64-byte filestat buffer with the probe byte before the call. */
static inline void w2_layout_probe_fill(uint8_t *raw) {
    for (int i = 0; i < W2_FILESTAT_SIZE; i++)
        raw[i] = W2_LAYOUT_PROBE;
}

/* Whether the runtime left the probe in the last 8 bytes: a legacy layout. */
static inline int w2_layout_probe_left(const uint8_t *raw) {
    int left = 1;
    for (int i = 56; i < W2_FILESTAT_SIZE; i++)
        left &= raw[i] == W2_LAYOUT_PROBE;
    return left;
}

static inline uint64_t w2_layout_load(const uint8_t *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static inline void w2_layout_store64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

/* Moves a 56-byte snapshot-0 filestat, filled after w2_layout_probe_fill,
 * into the p1 layout in place; a p1 filestat is left alone. */
static inline void w2_layout_fix_filestat(uint8_t *raw) {
    if (!w2_layout_probe_left(raw))
        return;
    uint64_t nlink = w2_layout_load(raw + 20, 4);
    uint64_t times[4]; /* size, atim, mtim, ctim */
    for (int i = 0; i < 4; i++)
        times[i] = w2_layout_load(raw + 24 + 8 * i, 8);
    w2_layout_store64(raw + 24, nlink);
    for (int i = 0; i < 4; i++)
        w2_layout_store64(raw + 32 + 8 * i, times[i]);
}

/* Whether the runtime writes the snapshot-0 layouts: the first of fds 0..7
 * whose filestat `get` (the runtime's fd_filestat_get) returns tells. */
static inline int w2_layout_is_legacy(int32_t (*get)(int32_t fd, uint8_t *raw), uint8_t *raw) {
    for (int32_t fd = 0; fd < 8; fd++) {
        w2_layout_probe_fill(raw);
        if (get(fd, raw) == 0)
            return w2_layout_probe_left(raw);
    }
    return 0;
}

#endif
