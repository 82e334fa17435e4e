/* Handle table and helpers shared by the adapter's parts. */
#include "adapter.h"

static struct entry table[MAX_HANDLES];

_Alignas(8) uint8_t w2_scratch[SCRATCH_SIZE];

struct entry *w2_get(int32_t handle, uint8_t kind) {
    if (handle <= 0 || handle >= MAX_HANDLES || table[handle].kind != kind)
        __builtin_trap(); /* invalid handle: a component host traps too */
    return &table[handle];
}

int32_t w2_new(uint8_t kind, uint8_t sub, int32_t fd, uint64_t val) {
    /* First free handle: a freed one may come back at once, as with component hosts. */
    for (int32_t h = 1; h < MAX_HANDLES; h++) {
        if (table[h].kind == K_FREE) {
            table[h].kind = kind;
            table[h].sub = sub;
            table[h].flags = 0;
            table[h].fd = fd;
            table[h].val = val;
            return h;
        }
    }
    __builtin_trap(); /* out of handles: p2 has no error for this */
}

void w2_free(int32_t handle, uint8_t kind) {
    w2_get(handle, kind)->kind = K_FREE;
}

void w2_copy(uint8_t *dst, const uint8_t *src, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        dst[i] = src[i];
}

/* Copies towards higher addresses when the ranges may overlap. */
void w2_move_up(uint8_t *dst, const uint8_t *src, uint32_t n) {
    while (n > 0) {
        n--;
        dst[n] = src[n];
    }
}

uint64_t w2_monotonic_now(void) {
    uint64_t t = 0;
    __wasit2_p1_clock_time_get(P1_CLOCK_MONOTONIC, 1, ADDR(&t));
    return t;
}

/* Filestats of both layouts (wamr2020_layout.h) are read into the p1 one. */
static void normalize_filestat(uint8_t *raw, p1_filestat *st) {
    w2_layout_fix_filestat(raw);
    st->dev = *(uint64_t *)(raw + 0);
    st->ino = *(uint64_t *)(raw + 8);
    st->filetype = raw[16];
    st->nlink = *(uint64_t *)(raw + 24);
    st->size = *(uint64_t *)(raw + 32);
    st->atim = *(uint64_t *)(raw + 40);
    st->mtim = *(uint64_t *)(raw + 48);
    st->ctim = *(uint64_t *)(raw + 56);
}

static _Alignas(8) uint8_t filestat_raw[W2_FILESTAT_SIZE];

int32_t w2_fd_filestat(int32_t fd, p1_filestat *st) {
    w2_layout_probe_fill(filestat_raw);
    int32_t err = __wasit2_p1_fd_filestat_get(fd, ADDR(filestat_raw));
    if (err == 0)
        normalize_filestat(filestat_raw, st);
    return err;
}

int32_t w2_path_filestat(int32_t fd, int32_t flags, int32_t path, int32_t len, p1_filestat *st) {
    w2_layout_probe_fill(filestat_raw);
    int32_t err = __wasit2_p1_path_filestat_get(fd, flags, path, len, ADDR(filestat_raw));
    if (err == 0)
        normalize_filestat(filestat_raw, st);
    return err;
}

static int32_t raw_filestat(int32_t fd, uint8_t *raw) {
    return __wasit2_p1_fd_filestat_get(fd, ADDR(raw));
}

int w2_legacy_layouts(void) {
    static int known = -1;
    if (known < 0)
        known = w2_layout_is_legacy(raw_filestat, filestat_raw);
    return known;
}

/* p1 errno -> wasi:filesystem/types error-code. errnos without a
 * filesystem counterpart become `io`. */
uint8_t w2_fs_error(int32_t err) {
    switch (err) {
    case 2: return 0;   /* acces -> access */
    case 6: return 1;   /* again -> would-block */
    case 7: return 2;   /* already */
    case 8: return 3;   /* badf -> bad-descriptor */
    case 10: return 4;  /* busy */
    case 16: return 5;  /* deadlk -> deadlock */
    case 19: return 6;  /* dquot -> quota */
    case 20: return 7;  /* exist */
    case 22: return 8;  /* fbig -> file-too-large */
    case 25: return 9;  /* ilseq */
    case 26: return 10; /* inprogress */
    case 27: return 11; /* intr */
    case 28: return 12; /* inval */
    case 29: return 13; /* io */
    case 31: return 14; /* isdir */
    case 32: return 15; /* loop */
    case 34: return 16; /* mlink -> too-many-links */
    case 35: return 17; /* msgsize */
    case 37: return 18; /* nametoolong */
    case 43: return 19; /* nodev -> no-device */
    case 44: return 20; /* noent */
    case 46: return 21; /* nolck */
    case 48: return 22; /* nomem -> insufficient-memory */
    case 51: return 23; /* nospc -> insufficient-space */
    case 54: return 24; /* notdir */
    case 55: return 25; /* notempty */
    case 56: return 26; /* notrecoverable */
    case 52: return 27; /* nosys -> unsupported */
    case 58: return 27; /* notsup -> unsupported */
    case 59: return 28; /* notty */
    case 60: return 29; /* nxio -> no-such-device */
    case 61: return 30; /* overflow */
    case 63: return 31; /* perm -> not-permitted */
    case 76: return 31; /* notcapable -> not-permitted */
    case 64: return 32; /* pipe */
    case 69: return 33; /* rofs -> read-only */
    case 70: return 34; /* spipe -> invalid-seek */
    case 74: return 35; /* txtbsy */
    case 75: return 36; /* xdev -> cross-device */
    default: return 13; /* io */
    }
}

/* p1 filetype -> wasi:filesystem/types descriptor-type. */
uint8_t w2_desc_type(uint8_t ft) {
    switch (ft) {
    case P1_FILETYPE_BLOCK_DEVICE: return 1;
    case P1_FILETYPE_CHARACTER_DEVICE: return 2;
    case P1_FILETYPE_DIRECTORY: return 3;
    case P1_FILETYPE_SYMBOLIC_LINK: return 5;
    case P1_FILETYPE_REGULAR_FILE: return 6;
    case P1_FILETYPE_SOCKET_DGRAM:
    case P1_FILETYPE_SOCKET_STREAM: return 7;
    default: return 0;
    }
}
