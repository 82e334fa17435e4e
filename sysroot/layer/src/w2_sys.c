/*
 * wasit2 system layer: w2_sys.h implemented over the generated bindings.
 *
 * This is the only file that includes wasit2_command.h. Results that hold
 * lists are written by the host into a caller-supplied arena; for reads the
 * arena is the caller's own buffer, so bytes land where the program wants
 * them without a copy.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wasit2_command.h"
#include "w2_internal.h"

/* Short names for the per-interface result types the layer passes around; the
 * generator scopes anonymous types by the interface that uses them. */
typedef wasi_filesystem_types_result_void_error_code_t fs_void_result;
typedef wasi_sockets_udp_result_void_error_code_t udp_void_result;
typedef wasi_sockets_tcp_result_void_error_code_t tcp_void_result;
typedef wasi_sockets_udp_result_ip_socket_address_error_code_t udp_addr_result;
typedef wasi_sockets_tcp_result_ip_socket_address_error_code_t tcp_addr_result;
typedef wasi_sockets_udp_result_u64_error_code_t udp_u64_result;
typedef wasi_sockets_tcp_result_u64_error_code_t tcp_u64_result;

/* Variant cases (declaration order in WIT). */
enum { STREAM_ERROR_FAILED = 0, STREAM_ERROR_CLOSED = 1 };
enum { NEW_TS_NO_CHANGE = 0, NEW_TS_NOW = 1, NEW_TS_TIMESTAMP = 2 };
enum { IP_V4 = 0, IP_V6 = 1 };

#define W2_STACK_ARENA 1024

/* ---- wasi:io ---- */

/* Errors are the cold part of every call. */
__attribute__((minsize, noinline)) __wasi_errno_t w2_errno_from_stream_error(int32_t error_handle) {
    /* Static rather than on the stack (the layer is single-threaded): no
     * stack frame to set up. */
    static wasi_filesystem_types_option_error_code_t code;
    wasi_filesystem_types_filesystem_error_code(error_handle, &code);
    wasi_io_error_error_drop(error_handle);
    return code.is_some ? w2_errno_from_fs(code.val) : __WASI_ERRNO_IO;
}

static int stream_status(const wasi_io_streams_stream_error_t *e, __wasi_errno_t *err) {
    if (e->tag == STREAM_ERROR_CLOSED) {
        *err = __WASI_ERRNO_PIPE;
        return W2S_CLOSED;
    }
    *err = w2_errno_from_stream_error(e->val.last_operation_failed);
    return W2S_FAILED;
}

static int in_read_result(const wasi_io_streams_result_list_u8_stream_error_t *r, void *buf, size_t *n,
                          __wasi_errno_t *err) {
    if (r->is_err)
        return stream_status(&r->val.err, err);
    *n = r->val.ok.len;
    if (r->val.ok.ptr != buf && r->val.ok.len)
        memmove(buf, r->val.ok.ptr, r->val.ok.len);
    return W2S_OK;
}

/* Apart from w2s_in_read so that stdin, which always blocks, does not
 * import the non-blocking read. */
int w2s_in_blocking_read(int32_t in, void *buf, size_t len, size_t *n, __wasi_errno_t *err) {
    wasi_io_streams_result_list_u8_stream_error_t r;
    /* The arena is the caller's buffer: the host writes the bytes there. */
    wasi_io_streams_method_input_stream_blocking_read(in, len, &r, buf, len);
    return in_read_result(&r, buf, n, err);
}

int w2s_in_read(int32_t in, bool blocking, void *buf, size_t len, size_t *n, __wasi_errno_t *err) {
    if (blocking)
        return w2s_in_blocking_read(in, buf, len, n, err);
    wasi_io_streams_result_list_u8_stream_error_t r;
    wasi_io_streams_method_input_stream_read(in, len, &r, buf, len);
    return in_read_result(&r, buf, n, err);
}

int32_t w2s_in_subscribe(int32_t in) {
    return wasi_io_streams_method_input_stream_subscribe(in);
}

int w2s_out_check_write(int32_t out, uint64_t *n, __wasi_errno_t *err) {
    wasi_io_streams_result_u64_stream_error_t r;
    wasi_io_streams_method_output_stream_check_write(out, &r);
    if (r.is_err)
        return stream_status(&r.val.err, err);
    *n = r.val.ok;
    return W2S_OK;
}

int w2s_out_write(int32_t out, const void *buf, size_t len, __wasi_errno_t *err) {
    wasi_io_streams_list_u8_t l = {(uint8_t *)buf, len};
    wasi_io_streams_result_void_stream_error_t r;
    wasi_io_streams_method_output_stream_write(out, l, &r);
    return r.is_err ? stream_status(&r.val.err, err) : W2S_OK;
}

int w2s_out_blocking_flush(int32_t out, __wasi_errno_t *err) {
    wasi_io_streams_result_void_stream_error_t r;
    wasi_io_streams_method_output_stream_blocking_flush(out, &r);
    return r.is_err ? stream_status(&r.val.err, err) : W2S_OK;
}

int32_t w2s_out_subscribe(int32_t out) {
    return wasi_io_streams_method_output_stream_subscribe(out);
}

void w2s_pollable_block(int32_t p) {
    wasi_io_poll_method_pollable_block(p);
}

bool w2s_pollable_ready(int32_t p) {
    return wasi_io_poll_method_pollable_ready(p);
}

size_t w2s_poll(const int32_t *pollables, size_t n, uint32_t *ready) {
    wasi_io_poll_list_borrow_pollable_t in = {(int32_t *)pollables, n};
    wasi_io_poll_list_u32_t r;
    /* `ready` holds 4 bytes per pollable: the bound the host requires. */
    size_t need = wasi_io_poll_poll(in, &r, ready, n * sizeof(uint32_t));
    if (need > n * sizeof(uint32_t))
        return 0;
    if (r.ptr != ready && r.len)
        memmove(ready, r.ptr, r.len * sizeof(uint32_t));
    return r.len;
}

W2_COLD_BEGIN

void w2s_drop_in(int32_t h) { wasi_io_streams_input_stream_drop(h); }
void w2s_drop_out(int32_t h) { wasi_io_streams_output_stream_drop(h); }
void w2s_drop_pollable(int32_t h) { wasi_io_poll_pollable_drop(h); }
void w2s_drop_descriptor(int32_t h) { wasi_filesystem_types_descriptor_drop(h); }
void w2s_drop_dir_stream(int32_t h) { wasi_filesystem_types_directory_entry_stream_drop(h); }
void w2s_drop_tcp(int32_t h) { wasi_sockets_tcp_tcp_socket_drop(h); }
void w2s_drop_udp(int32_t h) { wasi_sockets_udp_udp_socket_drop(h); }
void w2s_drop_udp_in(int32_t h) { wasi_sockets_udp_incoming_datagram_stream_drop(h); }
void w2s_drop_udp_out(int32_t h) { wasi_sockets_udp_outgoing_datagram_stream_drop(h); }
void w2s_drop_network(int32_t h) { wasi_sockets_network_network_drop(h); }
void w2s_drop_resolver(int32_t h) { wasi_sockets_ip_name_lookup_resolve_address_stream_drop(h); }

/* ---- wasi:cli ---- */

int32_t w2s_stdin(void) { return wasi_cli_stdin_get_stdin(); }
int32_t w2s_stdout(void) { return wasi_cli_stdout_get_stdout(); }
int32_t w2s_stderr(void) { return wasi_cli_stderr_get_stderr(); }

_Noreturn void w2s_exit(int status) {
    if (status == 0 || status == 1) {
        wasi_cli_exit_result_void_void_t st = {.is_err = status != 0};
        wasi_cli_exit_exit(&st);
    } else {
        wasi_cli_exit_exit_with_code((uint8_t)status);
    }
    __builtin_trap();
}

/* Copies n WIT strings, the string of each list entry `stride` bytes
 * after the last one's, NUL-terminated to dst, and points each entry at its
 * copy. Returns the end of the copies. Shared by argv and the preopens:
 * both keep their names as C strings. */
static char *strings_to_c(char *dst, wasit2_string_t *s, size_t n, size_t stride) {
    for (size_t i = 0; i < n; i++, s = (wasit2_string_t *)((char *)s + stride)) {
        memcpy(dst, s->ptr, s->len);
        dst[s->len] = 0;
        s->ptr = (uint8_t *)dst;
        dst += s->len + 1;
    }
    return dst;
}

/* One block holds argv, its strings and, after them, the host's list: the
 * first call only asks the size (the call has no side effect when the
 * arena is too small). argv and its strings never need more than the list
 * plus one word (the list spends two words per argument on what argv
 * spends one word and a NUL on, plus argv's final NULL), so they stay
 * below the list they are copied from. */
char **w2s_argv(size_t *argc, size_t *bytes) {
    wasi_cli_environment_list_string_t r;
    size_t need = wasi_cli_environment_get_arguments(&r, NULL, 0);
    size_t at = (need + sizeof(char *) + 15) & ~(size_t)15;
    char **argv = malloc(at + need);
    if (!argv)
        return NULL;
    wasi_cli_environment_get_arguments(&r, (uint8_t *)argv + at, need);
    char *strings = (char *)(argv + r.len + 1);
    *bytes = (size_t)(strings_to_c(strings, r.ptr, r.len, sizeof *r.ptr) - strings);
    for (size_t i = 0; i < r.len; i++)
        argv[i] = (char *)r.ptr[i].ptr;
    argv[r.len] = NULL;
    *argc = r.len;
    return argv;
}

__wasi_errno_t w2s_environment(w2s_kv_cb cb, void *ctx) {
    _Alignas(16) uint8_t stack[W2_STACK_ARENA];
    void *arena = stack, *heap = NULL;
    size_t cap = sizeof stack;
    wasi_cli_environment_list_tuple2_string_string_t r;
    for (;;) {
        size_t need = wasi_cli_environment_get_environment(&r, arena, cap);
        if (need <= cap)
            break;
        free(heap);
        if (!(heap = malloc(need)))
            return __WASI_ERRNO_NOMEM;
        arena = heap;
        cap = need;
    }
    for (size_t i = 0; i < r.len; i++)
        cb(ctx, (const char *)r.ptr[i].f0.ptr, r.ptr[i].f0.len, (const char *)r.ptr[i].f1.ptr, r.ptr[i].f1.len);
    free(heap);
    return 0;
}

/* ---- clocks, random ---- */

uint64_t w2s_monotonic_now(void) { return wasi_clocks_monotonic_clock_now(); }
uint64_t w2s_monotonic_resolution(void) { return wasi_clocks_monotonic_clock_resolution(); }
int32_t w2s_subscribe_duration(uint64_t ns) { return wasi_clocks_monotonic_clock_subscribe_duration(ns); }
int32_t w2s_subscribe_instant(uint64_t ns) { return wasi_clocks_monotonic_clock_subscribe_instant(ns); }

static uint64_t datetime_ns(const wasi_clocks_wall_clock_datetime_t *d) {
    return d->seconds * 1000000000ull + d->nanoseconds;
}

uint64_t w2s_wall_now(void) {
    wasi_clocks_wall_clock_datetime_t d;
    wasi_clocks_wall_clock_now(&d);
    return datetime_ns(&d);
}

uint64_t w2s_wall_resolution(void) {
    wasi_clocks_wall_clock_datetime_t d;
    wasi_clocks_wall_clock_resolution(&d);
    return datetime_ns(&d);
}

__wasi_errno_t w2s_random(void *buf, size_t len) {
    uint8_t *p = buf;
    while (len > 0) {
        /* Bounded chunks keep each host call small. */
        size_t chunk = len > 65536 ? 65536 : len;
        wasi_random_random_list_u8_t r;
        size_t need = wasi_random_random_get_random_bytes(chunk, &r, p, chunk);
        if (need > chunk || r.len != chunk)
            return __WASI_ERRNO_IO;
        if (r.ptr != p)
            memmove(p, r.ptr, chunk);
        p += chunk;
        len -= chunk;
    }
    return 0;
}

/* ---- wasi:filesystem ---- */

__wasi_errno_t w2s_preopens(w2s_preopen **list, size_t *count) {
    /* A first call asks only the size (no handle is made when the arena is
     * too small; with no preopens it completes). The arena stays
     * allocated: the preopen names live in it. */
    wasi_filesystem_preopens_list_tuple2_descriptor_string_t r;
    size_t need = wasi_filesystem_preopens_get_directories(&r, NULL, 0);
    if (need) {
        /* Twice the size: the names are copied NUL-terminated into the
         * second half, where they fit, since each name's list entry takes
         * more bytes than its NUL. */
        char *arena = malloc(2 * need);
        if (!arena)
            return __WASI_ERRNO_NOMEM;
        wasi_filesystem_preopens_get_directories(&r, arena, need);
        strings_to_c(arena + need, &r.ptr->f1, r.len, sizeof *r.ptr);
    }
    /* The host's list, in the arena, is already an array of w2s_preopen. */
    typedef wasi_filesystem_preopens_tuple2_descriptor_string_t host_preopen;
    _Static_assert(sizeof(w2s_preopen) == sizeof(host_preopen) &&
                       offsetof(w2s_preopen, desc) == offsetof(host_preopen, f0) &&
                       offsetof(w2s_preopen, name) == offsetof(host_preopen, f1.ptr) &&
                       offsetof(w2s_preopen, name_len) == offsetof(host_preopen, f1.len),
                   "w2s_preopen is not the canonical ABI layout of (descriptor, string)");
    *list = (w2s_preopen *)r.ptr;
    *count = r.len;
    return 0;
}

static uint8_t filetype_of(wasi_filesystem_types_descriptor_type_t t) {
    switch (t) {
    case WASI_FILESYSTEM_TYPES_DESCRIPTOR_TYPE_BLOCK_DEVICE: return __WASI_FILETYPE_BLOCK_DEVICE;
    case WASI_FILESYSTEM_TYPES_DESCRIPTOR_TYPE_CHARACTER_DEVICE: return __WASI_FILETYPE_CHARACTER_DEVICE;
    case WASI_FILESYSTEM_TYPES_DESCRIPTOR_TYPE_DIRECTORY: return __WASI_FILETYPE_DIRECTORY;
    case WASI_FILESYSTEM_TYPES_DESCRIPTOR_TYPE_SYMBOLIC_LINK: return __WASI_FILETYPE_SYMBOLIC_LINK;
    case WASI_FILESYSTEM_TYPES_DESCRIPTOR_TYPE_REGULAR_FILE: return __WASI_FILETYPE_REGULAR_FILE;
    case WASI_FILESYSTEM_TYPES_DESCRIPTOR_TYPE_SOCKET: return __WASI_FILETYPE_SOCKET_STREAM;
    default: return __WASI_FILETYPE_UNKNOWN; /* unknown, fifo */
    }
}

static wasit2_string_t str(const char *p, size_t n) {
    wasit2_string_t s = {(uint8_t *)p, n};
    return s;
}

/* A WIT string must be valid UTF-8: the host traps on anything else, so a
 * path or host name that is not fails with EILSEQ here, as wasmtime's p1
 * does for the same call. Overlong forms, surrogates and code points above
 * U+10FFFF are invalid. */
bool w2s_utf8_valid(const char *p, size_t n) {
    const uint8_t *s = (const uint8_t *)p, *end = s + n;
    while (s < end) {
        uint32_t c = *s++;
        if (c < 0x80)
            continue;
        /* Lead bytes C2-DF, E0-EF, F0-F4 take 1, 2 or 3 continuation bytes. */
        int more = 1 + (c >= 0xe0) + (c >= 0xf0);
        if (c - 0xc2 > 0xf4 - 0xc2 || end - s < more)
            return false;
        c &= 0x3f >> more;
        for (int k = more; k; k--) {
            if ((*s & 0xc0) != 0x80)
                return false;
            c = c << 6 | (*s++ & 0x3f);
        }
        /* Overlong forms (3 bytes below U+0800, 4 below U+10000; C2 rules
         * out 2-byte ones), values past U+10FFFF, surrogates (D800-DFFF). */
        if (c < 1u << (5 * more + 1) || c > 0x10ffff || c >> 11 == 0x1b)
            return false;
    }
    return true;
}

#define CHECK_PATH(p, n)                                                                                             \
    do {                                                                                                             \
        if (!w2s_utf8_valid((p), (n)))                                                                               \
            return __WASI_ERRNO_ILSEQ;                                                                               \
    } while (0)

static uint64_t opt_ns(const wasi_filesystem_types_option_datetime_t *o) {
    return o->is_some ? datetime_ns(&o->val) : 0;
}

static void fill_stat(w2s_stat *st, const wasi_filesystem_types_descriptor_stat_t *s) {
    st->filetype = filetype_of(s->type);
    st->nlink = s->link_count;
    st->size = s->size;
    st->atim = opt_ns(&s->data_access_timestamp);
    st->mtim = opt_ns(&s->data_modification_timestamp);
    st->ctim = opt_ns(&s->status_change_timestamp);
}

#define FS_RESULT(r) ((r).is_err ? w2_errno_from_fs((r).val.err) : 0)

W2_COLD_END

__wasi_errno_t w2s_fs_read(int32_t d, void *buf, size_t len, uint64_t off, size_t *n) {
    wasi_filesystem_types_result_tuple2_list_u8_bool_error_code_t r;
    /* The arena is the caller's buffer: the host writes the bytes there. */
    wasi_filesystem_types_method_descriptor_read(d, len, off, &r, buf, len);
    if (r.is_err)
        return w2_errno_from_fs(r.val.err);
    *n = r.val.ok.f0.len;
    if (r.val.ok.f0.ptr != buf && *n)
        memmove(buf, r.val.ok.f0.ptr, *n);
    return 0;
}

__wasi_errno_t w2s_fs_write(int32_t d, const void *buf, size_t len, uint64_t off, size_t *n) {
    wasi_filesystem_types_list_u8_t l = {(uint8_t *)buf, len};
    wasi_filesystem_types_result_filesize_error_code_t r;
    wasi_filesystem_types_method_descriptor_write(d, l, off, &r);
    if (r.is_err)
        return w2_errno_from_fs(r.val.err);
    *n = (size_t)r.val.ok;
    return 0;
}

W2_COLD_BEGIN

__wasi_errno_t w2s_fs_stat(int32_t d, w2s_stat *st) {
    wasi_filesystem_types_result_descriptor_stat_error_code_t r;
    wasi_filesystem_types_method_descriptor_stat(d, &r);
    if (r.is_err)
        return w2_errno_from_fs(r.val.err);
    fill_stat(st, &r.val.ok);
    return 0;
}

/* The type and the size from one stat: what open asks (file or directory)
 * and what O_APPEND writes and SEEK_END need, so that a program which only
 * opens files imports one metadata call and carries no fill_stat. */
__wasi_errno_t w2s_fs_type_size(int32_t d, uint8_t *filetype, uint64_t *size) {
    wasi_filesystem_types_result_descriptor_stat_error_code_t r;
    wasi_filesystem_types_method_descriptor_stat(d, &r);
    if (r.is_err)
        return w2_errno_from_fs(r.val.err);
    *filetype = filetype_of(r.val.ok.type);
    *size = r.val.ok.size;
    return 0;
}

static wasi_filesystem_types_path_flags_t path_flags(bool follow) {
    return follow ? WASI_FILESYSTEM_TYPES_PATH_FLAGS_SYMLINK_FOLLOW : 0;
}

__wasi_errno_t w2s_fs_stat_at(int32_t d, bool follow, const char *path, size_t plen, w2s_stat *st) {
    CHECK_PATH(path, plen);
    wasi_filesystem_types_result_descriptor_stat_error_code_t r;
    wasi_filesystem_types_method_descriptor_stat_at(d, path_flags(follow), str(path, plen), &r);
    if (r.is_err)
        return w2_errno_from_fs(r.val.err);
    fill_stat(st, &r.val.ok);
    return 0;
}

__wasi_errno_t w2s_fs_get_flags(int32_t d, bool *readable, bool *writable) {
    wasi_filesystem_types_result_descriptor_flags_error_code_t r;
    wasi_filesystem_types_method_descriptor_get_flags(d, &r);
    if (r.is_err)
        return w2_errno_from_fs(r.val.err);
    *readable = (r.val.ok & WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ) != 0;
    *writable = (r.val.ok & WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_WRITE) != 0;
    return 0;
}

__wasi_errno_t w2s_fs_hash(int32_t d, uint64_t *ino) {
    wasi_filesystem_types_result_metadata_hash_value_error_code_t r;
    wasi_filesystem_types_method_descriptor_metadata_hash(d, &r);
    if (r.is_err)
        return w2_errno_from_fs(r.val.err);
    *ino = r.val.ok.lower;
    return 0;
}

__wasi_errno_t w2s_fs_hash_at(int32_t d, bool follow, const char *path, size_t plen, uint64_t *ino) {
    CHECK_PATH(path, plen);
    wasi_filesystem_types_result_metadata_hash_value_error_code_t r;
    wasi_filesystem_types_method_descriptor_metadata_hash_at(d, path_flags(follow), str(path, plen), &r);
    if (r.is_err)
        return w2_errno_from_fs(r.val.err);
    *ino = r.val.ok.lower;
    return 0;
}

__wasi_errno_t w2s_fs_set_size(int32_t d, uint64_t size) {
    fs_void_result r;
    wasi_filesystem_types_method_descriptor_set_size(d, size, &r);
    return FS_RESULT(r);
}

static wasi_filesystem_types_new_timestamp_t new_ts(uint64_t ns, bool set, bool now) {
    wasi_filesystem_types_new_timestamp_t t;
    memset(&t, 0, sizeof t);
    if (now) {
        t.tag = NEW_TS_NOW;
    } else if (set) {
        t.tag = NEW_TS_TIMESTAMP;
        t.val.timestamp.seconds = ns / 1000000000ull;
        t.val.timestamp.nanoseconds = (uint32_t)(ns % 1000000000ull);
    } else {
        t.tag = NEW_TS_NO_CHANGE;
    }
    return t;
}

__wasi_errno_t w2s_fs_set_times(int32_t d, uint64_t atim, uint64_t mtim, __wasi_fstflags_t fl) {
    /* Both "now" and an explicit time for one timestamp: EINVAL, as p1 says. */
    if (((fl & __WASI_FSTFLAGS_ATIM) && (fl & __WASI_FSTFLAGS_ATIM_NOW)) ||
        ((fl & __WASI_FSTFLAGS_MTIM) && (fl & __WASI_FSTFLAGS_MTIM_NOW)))
        return __WASI_ERRNO_INVAL;
    wasi_filesystem_types_new_timestamp_t a =
        new_ts(atim, fl & __WASI_FSTFLAGS_ATIM, fl & __WASI_FSTFLAGS_ATIM_NOW);
    wasi_filesystem_types_new_timestamp_t m =
        new_ts(mtim, fl & __WASI_FSTFLAGS_MTIM, fl & __WASI_FSTFLAGS_MTIM_NOW);
    fs_void_result r;
    wasi_filesystem_types_method_descriptor_set_times(d, &a, &m, &r);
    return FS_RESULT(r);
}

__wasi_errno_t w2s_fs_set_times_at(int32_t d, bool follow, const char *path, size_t plen, uint64_t atim,
                                   uint64_t mtim, __wasi_fstflags_t fl) {
    CHECK_PATH(path, plen);
    /* Both "now" and an explicit time for one timestamp: EINVAL, as p1 says. */
    if (((fl & __WASI_FSTFLAGS_ATIM) && (fl & __WASI_FSTFLAGS_ATIM_NOW)) ||
        ((fl & __WASI_FSTFLAGS_MTIM) && (fl & __WASI_FSTFLAGS_MTIM_NOW)))
        return __WASI_ERRNO_INVAL;
    wasi_filesystem_types_new_timestamp_t a =
        new_ts(atim, fl & __WASI_FSTFLAGS_ATIM, fl & __WASI_FSTFLAGS_ATIM_NOW);
    wasi_filesystem_types_new_timestamp_t m =
        new_ts(mtim, fl & __WASI_FSTFLAGS_MTIM, fl & __WASI_FSTFLAGS_MTIM_NOW);
    fs_void_result r;
    wasi_filesystem_types_method_descriptor_set_times_at(d, path_flags(follow), str(path, plen), &a, &m, &r);
    return FS_RESULT(r);
}

__wasi_errno_t w2s_fs_sync(int32_t d, bool data_only) {
    fs_void_result r;
    if (data_only)
        wasi_filesystem_types_method_descriptor_sync_data(d, &r);
    else
        wasi_filesystem_types_method_descriptor_sync(d, &r);
    return FS_RESULT(r);
}

__wasi_errno_t w2s_fs_advise(int32_t d, uint64_t off, uint64_t len, __wasi_advice_t advice) {
    wasi_filesystem_types_advice_t a;
    switch (advice) {
    case __WASI_ADVICE_SEQUENTIAL: a = WASI_FILESYSTEM_TYPES_ADVICE_SEQUENTIAL; break;
    case __WASI_ADVICE_RANDOM: a = WASI_FILESYSTEM_TYPES_ADVICE_RANDOM; break;
    case __WASI_ADVICE_WILLNEED: a = WASI_FILESYSTEM_TYPES_ADVICE_WILL_NEED; break;
    case __WASI_ADVICE_DONTNEED: a = WASI_FILESYSTEM_TYPES_ADVICE_DONT_NEED; break;
    case __WASI_ADVICE_NOREUSE: a = WASI_FILESYSTEM_TYPES_ADVICE_NO_REUSE; break;
    default: a = WASI_FILESYSTEM_TYPES_ADVICE_NORMAL; break;
    }
    fs_void_result r;
    wasi_filesystem_types_method_descriptor_advise(d, off, len, a, &r);
    return FS_RESULT(r);
}

__wasi_errno_t w2s_fs_open_at(int32_t d, bool follow, const char *path, __wasi_oflags_t oflags, uint32_t access,
                              __wasi_fdflags_t fdflags, int32_t *out) {
    size_t plen = strlen(path);
    CHECK_PATH(path, plen);
    /* p1's oflags are WIT's open-flags bit for bit, and W2S_OPEN_* its
     * descriptor-flags: only the sync flags move. */
    _Static_assert(__WASI_OFLAGS_CREAT == WASI_FILESYSTEM_TYPES_OPEN_FLAGS_CREATE &&
                       __WASI_OFLAGS_DIRECTORY == WASI_FILESYSTEM_TYPES_OPEN_FLAGS_DIRECTORY &&
                       __WASI_OFLAGS_EXCL == WASI_FILESYSTEM_TYPES_OPEN_FLAGS_EXCLUSIVE &&
                       __WASI_OFLAGS_TRUNC == WASI_FILESYSTEM_TYPES_OPEN_FLAGS_TRUNCATE,
                   "p1 oflags differ from open-flags");
    _Static_assert(W2S_OPEN_READ == WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ &&
                       W2S_OPEN_WRITE == WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_WRITE &&
                       W2S_OPEN_MUTATE_DIR == WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_MUTATE_DIRECTORY,
                   "W2S_OPEN_* differ from descriptor-flags");
    wasi_filesystem_types_descriptor_flags_t df = access;
    if (fdflags & __WASI_FDFLAGS_SYNC)
        df |= WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_FILE_INTEGRITY_SYNC;
    if (fdflags & __WASI_FDFLAGS_DSYNC)
        df |= WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_DATA_INTEGRITY_SYNC;
    if (fdflags & __WASI_FDFLAGS_RSYNC)
        df |= WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_REQUESTED_WRITE_SYNC;
    wasi_filesystem_types_result_descriptor_error_code_t r;
    for (;;) {
        wasi_filesystem_types_method_descriptor_open_at(d, path_flags(follow), str(path, plen), oflags & 0xf, df,
                                                        &r);
        if (!r.is_err) {
            *out = r.val.ok;
            return 0;
        }
        __wasi_errno_t e = w2_errno_from_fs(r.val.err);
        /* Retry without mutate-directory for read-only trees, and for
         * directories opened without O_DIRECTORY. */
        if (!(df & W2S_OPEN_MUTATE_DIR) ||
            (e != __WASI_ERRNO_ACCES && e != __WASI_ERRNO_PERM && e != __WASI_ERRNO_ROFS && e != __WASI_ERRNO_ISDIR))
            return e;
        df &= ~W2S_OPEN_MUTATE_DIR;
    }
}

__wasi_errno_t w2s_fs_mkdir_at(int32_t d, const char *path, size_t plen) {
    CHECK_PATH(path, plen);
    fs_void_result r;
    wasi_filesystem_types_method_descriptor_create_directory_at(d, str(path, plen), &r);
    return FS_RESULT(r);
}

__wasi_errno_t w2s_fs_rmdir_at(int32_t d, const char *path, size_t plen) {
    CHECK_PATH(path, plen);
    fs_void_result r;
    wasi_filesystem_types_method_descriptor_remove_directory_at(d, str(path, plen), &r);
    return FS_RESULT(r);
}

__wasi_errno_t w2s_fs_unlink_at(int32_t d, const char *path, size_t plen) {
    CHECK_PATH(path, plen);
    fs_void_result r;
    wasi_filesystem_types_method_descriptor_unlink_file_at(d, str(path, plen), &r);
    return FS_RESULT(r);
}

__wasi_errno_t w2s_fs_rename_at(int32_t d, const char *old, size_t olen, int32_t nd, const char *new_path,
                                size_t nlen) {
    CHECK_PATH(old, olen);
    CHECK_PATH(new_path, nlen);
    fs_void_result r;
    wasi_filesystem_types_method_descriptor_rename_at(d, str(old, olen), nd, str(new_path, nlen), &r);
    return FS_RESULT(r);
}

__wasi_errno_t w2s_fs_symlink_at(int32_t d, const char *old, size_t olen, const char *new_path, size_t nlen) {
    CHECK_PATH(old, olen);
    CHECK_PATH(new_path, nlen);
    fs_void_result r;
    wasi_filesystem_types_method_descriptor_symlink_at(d, str(old, olen), str(new_path, nlen), &r);
    return FS_RESULT(r);
}

__wasi_errno_t w2s_fs_link_at(int32_t d, bool follow, const char *old, size_t olen, int32_t nd,
                              const char *new_path, size_t nlen) {
    CHECK_PATH(old, olen);
    CHECK_PATH(new_path, nlen);
    fs_void_result r;
    wasi_filesystem_types_method_descriptor_link_at(d, path_flags(follow), str(old, olen), nd, str(new_path, nlen),
                                                    &r);
    return FS_RESULT(r);
}

__wasi_errno_t w2s_fs_readlink_at(int32_t d, const char *path, size_t plen, char *buf, size_t len, size_t *n) {
    CHECK_PATH(path, plen);
    wasi_filesystem_types_result_string_error_code_t r;
    size_t need = wasi_filesystem_types_method_descriptor_readlink_at(d, str(path, plen), &r, buf, len);
    void *heap = NULL;
    if (need > len) {
        /* readlink() truncates; fetch the whole target, then cut it. */
        if (!(heap = malloc(need)))
            return __WASI_ERRNO_NOMEM;
        wasi_filesystem_types_method_descriptor_readlink_at(d, str(path, plen), &r, heap, need);
    }
    __wasi_errno_t e = 0;
    if (r.is_err) {
        e = w2_errno_from_fs(r.val.err);
    } else {
        *n = r.val.ok.len < len ? r.val.ok.len : len;
        if ((void *)r.val.ok.ptr != buf && *n)
            memmove(buf, r.val.ok.ptr, *n);
    }
    free(heap);
    return e;
}

__wasi_errno_t w2s_fs_read_directory(int32_t d, int32_t *stream) {
    wasi_filesystem_types_result_directory_entry_stream_error_code_t r;
    wasi_filesystem_types_method_descriptor_read_directory(d, &r);
    if (r.is_err)
        return w2_errno_from_fs(r.val.err);
    *stream = r.val.ok;
    return 0;
}

__wasi_errno_t w2s_fs_read_dir_entry(int32_t stream, bool *end, uint8_t *filetype, char **name, size_t *name_cap,
                                     size_t *name_len) {
    _Alignas(16) uint8_t stack[512];
    void *arena = stack, *heap = NULL;
    size_t cap = sizeof stack;
    wasi_filesystem_types_result_option_directory_entry_error_code_t r;
    for (;;) {
        size_t need = wasi_filesystem_types_method_directory_entry_stream_read_directory_entry(stream, &r, arena, cap);
        if (need <= cap)
            break;
        /* Too small: the host keeps the entry for the retry. */
        free(heap);
        if (!(heap = malloc(need)))
            return __WASI_ERRNO_NOMEM;
        arena = heap;
        cap = need;
    }
    __wasi_errno_t e = 0;
    if (r.is_err) {
        e = w2_errno_from_fs(r.val.err);
    } else if (!r.val.ok.is_some) {
        *end = true;
    } else {
        size_t n = r.val.ok.val.name.len;
        if (n + 1 > *name_cap) {
            char *p = realloc(*name, n + 1);
            if (!p) {
                free(heap);
                return __WASI_ERRNO_NOMEM;
            }
            *name = p;
            *name_cap = n + 1;
        }
        memcpy(*name, r.val.ok.val.name.ptr, n);
        (*name)[n] = 0;
        *name_len = n;
        *filetype = filetype_of(r.val.ok.val.type);
        *end = false;
    }
    free(heap);
    return e;
}

/* ---- wasi:sockets ---- */

int32_t w2s_instance_network(void) {
    return wasi_sockets_instance_network_instance_network();
}

static wasi_sockets_network_ip_address_family_t family_of(int af) {
    return af == AF_INET6 ? WASI_SOCKETS_NETWORK_IP_ADDRESS_FAMILY_IPV6 : WASI_SOCKETS_NETWORK_IP_ADDRESS_FAMILY_IPV4;
}

static void to_wit(const struct sockaddr *sa, wasi_sockets_network_ip_socket_address_t *out) {
    memset(out, 0, sizeof *out);
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        const uint8_t *b = s6->sin6_addr.s6_addr;
        out->tag = IP_V6;
        out->val.ipv6.port = ntohs(s6->sin6_port);
        out->val.ipv6.flow_info = s6->sin6_flowinfo;
        out->val.ipv6.scope_id = s6->sin6_scope_id;
        wasi_sockets_network_ipv6_address_t *a = &out->val.ipv6.address;
        uint16_t w[8];
        for (int i = 0; i < 8; i++)
            w[i] = (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
        a->f0 = w[0], a->f1 = w[1], a->f2 = w[2], a->f3 = w[3];
        a->f4 = w[4], a->f5 = w[5], a->f6 = w[6], a->f7 = w[7];
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        const uint8_t *b = (const uint8_t *)&s4->sin_addr.s_addr;
        out->tag = IP_V4;
        out->val.ipv4.port = ntohs(s4->sin_port);
        out->val.ipv4.address.f0 = b[0];
        out->val.ipv4.address.f1 = b[1];
        out->val.ipv4.address.f2 = b[2];
        out->val.ipv4.address.f3 = b[3];
    }
}

static void ip_to_sockaddr(const wasi_sockets_network_ip_address_t *ip, uint16_t port, uint32_t flow, uint32_t scope,
                           struct sockaddr *sa, size_t *len) {
    if (ip->tag == IP_V6) {
        struct sockaddr_in6 s6;
        memset(&s6, 0, sizeof s6);
        s6.sin6_family = AF_INET6;
        s6.sin6_port = htons(port);
        s6.sin6_flowinfo = flow;
        s6.sin6_scope_id = scope;
        const wasi_sockets_network_ipv6_address_t *a = &ip->val.ipv6;
        uint16_t w[8] = {a->f0, a->f1, a->f2, a->f3, a->f4, a->f5, a->f6, a->f7};
        for (int i = 0; i < 8; i++) {
            s6.sin6_addr.s6_addr[2 * i] = (uint8_t)(w[i] >> 8);
            s6.sin6_addr.s6_addr[2 * i + 1] = (uint8_t)w[i];
        }
        memcpy(sa, &s6, sizeof s6);
        *len = sizeof s6;
    } else {
        struct sockaddr_in s4;
        memset(&s4, 0, sizeof s4);
        s4.sin_family = AF_INET;
        s4.sin_port = htons(port);
        uint8_t *b = (uint8_t *)&s4.sin_addr.s_addr;
        b[0] = ip->val.ipv4.f0;
        b[1] = ip->val.ipv4.f1;
        b[2] = ip->val.ipv4.f2;
        b[3] = ip->val.ipv4.f3;
        memcpy(sa, &s4, sizeof s4);
        *len = sizeof s4;
    }
}

static void from_wit(const wasi_sockets_network_ip_socket_address_t *w, struct sockaddr *sa, size_t *len) {
    wasi_sockets_network_ip_address_t ip;
    memset(&ip, 0, sizeof ip);
    if (w->tag == IP_V6) {
        ip.tag = IP_V6;
        ip.val.ipv6 = w->val.ipv6.address;
        ip_to_sockaddr(&ip, w->val.ipv6.port, w->val.ipv6.flow_info, w->val.ipv6.scope_id, sa, len);
    } else {
        ip.tag = IP_V4;
        ip.val.ipv4 = w->val.ipv4.address;
        ip_to_sockaddr(&ip, w->val.ipv4.port, 0, 0, sa, len);
    }
}

#define NET_RESULT(r) ((r).is_err ? w2_errno_from_net((r).val.err) : 0)

__wasi_errno_t w2s_tcp_create(int family, int32_t *sock) {
    wasi_sockets_tcp_create_socket_result_tcp_socket_error_code_t r;
    wasi_sockets_tcp_create_socket_create_tcp_socket(family_of(family), &r);
    if (r.is_err)
        return w2_errno_from_net(r.val.err);
    *sock = r.val.ok;
    return 0;
}

__wasi_errno_t w2s_udp_create(int family, int32_t *sock) {
    wasi_sockets_udp_create_socket_result_udp_socket_error_code_t r;
    wasi_sockets_udp_create_socket_create_udp_socket(family_of(family), &r);
    if (r.is_err)
        return w2_errno_from_net(r.val.err);
    *sock = r.val.ok;
    return 0;
}

__wasi_errno_t w2s_tcp_start_bind(int32_t s, int32_t net, const struct sockaddr *sa, size_t salen) {
    wasi_sockets_network_ip_socket_address_t a;
    to_wit(sa, &a);
    tcp_void_result r;
    wasi_sockets_tcp_method_tcp_socket_start_bind(s, net, &a, &r);
    return NET_RESULT(r);
}

__wasi_errno_t w2s_tcp_finish_bind(int32_t s) {
    tcp_void_result r;
    wasi_sockets_tcp_method_tcp_socket_finish_bind(s, &r);
    return NET_RESULT(r);
}

__wasi_errno_t w2s_tcp_start_connect(int32_t s, int32_t net, const struct sockaddr *sa, size_t salen) {
    wasi_sockets_network_ip_socket_address_t a;
    to_wit(sa, &a);
    tcp_void_result r;
    wasi_sockets_tcp_method_tcp_socket_start_connect(s, net, &a, &r);
    return NET_RESULT(r);
}

__wasi_errno_t w2s_tcp_finish_connect(int32_t s, int32_t *in, int32_t *out) {
    wasi_sockets_tcp_result_tuple2_input_stream_output_stream_error_code_t r;
    wasi_sockets_tcp_method_tcp_socket_finish_connect(s, &r);
    if (r.is_err)
        return w2_errno_from_net(r.val.err);
    *in = r.val.ok.f0;
    *out = r.val.ok.f1;
    return 0;
}

__wasi_errno_t w2s_tcp_start_listen(int32_t s) {
    tcp_void_result r;
    wasi_sockets_tcp_method_tcp_socket_start_listen(s, &r);
    return NET_RESULT(r);
}

__wasi_errno_t w2s_tcp_finish_listen(int32_t s) {
    tcp_void_result r;
    wasi_sockets_tcp_method_tcp_socket_finish_listen(s, &r);
    return NET_RESULT(r);
}

__wasi_errno_t w2s_tcp_set_backlog(int32_t s, uint64_t n) {
    tcp_void_result r;
    wasi_sockets_tcp_method_tcp_socket_set_listen_backlog_size(s, n, &r);
    return NET_RESULT(r);
}

__wasi_errno_t w2s_tcp_accept(int32_t s, int32_t *client, int32_t *in, int32_t *out) {
    wasi_sockets_tcp_result_tuple3_tcp_socket_input_stream_output_stream_error_code_t r;
    wasi_sockets_tcp_method_tcp_socket_accept(s, &r);
    if (r.is_err)
        return w2_errno_from_net(r.val.err);
    *client = r.val.ok.f0;
    *in = r.val.ok.f1;
    *out = r.val.ok.f2;
    return 0;
}

__wasi_errno_t w2s_tcp_address(int32_t s, bool remote, struct sockaddr *sa, size_t *salen) {
    tcp_addr_result r;
    if (remote)
        wasi_sockets_tcp_method_tcp_socket_remote_address(s, &r);
    else
        wasi_sockets_tcp_method_tcp_socket_local_address(s, &r);
    if (r.is_err)
        return w2_errno_from_net(r.val.err);
    from_wit(&r.val.ok, sa, salen);
    return 0;
}

__wasi_errno_t w2s_tcp_shutdown(int32_t s, int how) {
    wasi_sockets_tcp_shutdown_type_t t = how == SHUT_RD   ? WASI_SOCKETS_TCP_SHUTDOWN_TYPE_RECEIVE
                                         : how == SHUT_WR ? WASI_SOCKETS_TCP_SHUTDOWN_TYPE_SEND
                                                          : WASI_SOCKETS_TCP_SHUTDOWN_TYPE_BOTH;
    tcp_void_result r;
    wasi_sockets_tcp_method_tcp_socket_shutdown(s, t, &r);
    return NET_RESULT(r);
}

int32_t w2s_tcp_subscribe(int32_t s) {
    return wasi_sockets_tcp_method_tcp_socket_subscribe(s);
}

__wasi_errno_t w2s_tcp_keepalive(int32_t s, bool set, bool *value) {
    if (set) {
        tcp_void_result r;
        wasi_sockets_tcp_method_tcp_socket_set_keep_alive_enabled(s, *value, &r);
        return NET_RESULT(r);
    }
    wasi_sockets_tcp_result_bool_error_code_t r;
    wasi_sockets_tcp_method_tcp_socket_keep_alive_enabled(s, &r);
    if (r.is_err)
        return w2_errno_from_net(r.val.err);
    *value = r.val.ok;
    return 0;
}

__wasi_errno_t w2s_tcp_bufsize(int32_t s, bool recv, bool set, uint64_t *value) {
    if (set) {
        tcp_void_result r;
        if (recv)
            wasi_sockets_tcp_method_tcp_socket_set_receive_buffer_size(s, *value, &r);
        else
            wasi_sockets_tcp_method_tcp_socket_set_send_buffer_size(s, *value, &r);
        return NET_RESULT(r);
    }
    tcp_u64_result r;
    if (recv)
        wasi_sockets_tcp_method_tcp_socket_receive_buffer_size(s, &r);
    else
        wasi_sockets_tcp_method_tcp_socket_send_buffer_size(s, &r);
    if (r.is_err)
        return w2_errno_from_net(r.val.err);
    *value = r.val.ok;
    return 0;
}

__wasi_errno_t w2s_udp_start_bind(int32_t s, int32_t net, const struct sockaddr *sa, size_t salen) {
    wasi_sockets_network_ip_socket_address_t a;
    to_wit(sa, &a);
    udp_void_result r;
    wasi_sockets_udp_method_udp_socket_start_bind(s, net, &a, &r);
    return NET_RESULT(r);
}

__wasi_errno_t w2s_udp_finish_bind(int32_t s) {
    udp_void_result r;
    wasi_sockets_udp_method_udp_socket_finish_bind(s, &r);
    return NET_RESULT(r);
}

int32_t w2s_udp_subscribe(int32_t s) {
    return wasi_sockets_udp_method_udp_socket_subscribe(s);
}

__wasi_errno_t w2s_udp_stream(int32_t s, const struct sockaddr *sa, size_t salen, int32_t *in, int32_t *out) {
    wasi_sockets_udp_option_ip_socket_address_t remote;
    memset(&remote, 0, sizeof remote);
    if (sa) {
        remote.is_some = true;
        to_wit(sa, &remote.val);
    }
    wasi_sockets_udp_result_tuple2_incoming_datagram_stream_outgoing_datagram_stream_error_code_t r;
    wasi_sockets_udp_method_udp_socket_stream(s, &remote, &r);
    if (r.is_err)
        return w2_errno_from_net(r.val.err);
    *in = r.val.ok.f0;
    *out = r.val.ok.f1;
    return 0;
}

__wasi_errno_t w2s_udp_address(int32_t s, bool remote, struct sockaddr *sa, size_t *salen) {
    udp_addr_result r;
    if (remote)
        wasi_sockets_udp_method_udp_socket_remote_address(s, &r);
    else
        wasi_sockets_udp_method_udp_socket_local_address(s, &r);
    if (r.is_err)
        return w2_errno_from_net(r.val.err);
    from_wit(&r.val.ok, sa, salen);
    return 0;
}

/* The arena starts with the incoming-datagram record, then its bytes. */
#define W2_UDP_STACK 2048

__wasi_errno_t w2s_udp_receive(int32_t in, void *buf, size_t len, size_t *n, size_t *full, struct sockaddr *from,
                               size_t *fromlen) {
    _Alignas(16) uint8_t stack[W2_UDP_STACK];
    void *arena, *heap = NULL;
    size_t cap;
    /* A large, aligned user buffer is the arena itself: the payload then
     * only moves down over the record header. */
    if (((uintptr_t)buf % 16) == 0 && len >= 256) {
        arena = buf;
        cap = len;
    } else {
        arena = stack;
        cap = sizeof stack;
    }
    wasi_sockets_udp_result_list_incoming_datagram_error_code_t r;
    size_t need = wasi_sockets_udp_method_incoming_datagram_stream_receive(in, 1, &r, arena, cap);
    if (need > cap) {
        /* The next datagram does not fit (it stays queued): take it whole
         * into a heap arena and truncate, as recv() does. */
        if (!(heap = malloc(need)))
            return __WASI_ERRNO_NOMEM;
        arena = heap;
        cap = need;
        need = wasi_sockets_udp_method_incoming_datagram_stream_receive(in, 1, &r, arena, cap);
    }
    __wasi_errno_t e = 0;
    if (r.is_err) {
        e = w2_errno_from_net(r.val.err);
    } else if (r.val.ok.len == 0) {
        e = __WASI_ERRNO_AGAIN;
    } else {
        const wasi_sockets_udp_incoming_datagram_t *dg = &r.val.ok.ptr[0];
        size_t dlen = dg->data.len;
        *full = dlen;
        *n = dlen < len ? dlen : len;
        if (from && fromlen) {
            struct sockaddr_storage ss;
            size_t sl;
            from_wit(&dg->remote_address, (struct sockaddr *)&ss, &sl);
            memcpy(from, &ss, sl < *fromlen ? sl : *fromlen);
            *fromlen = sl;
        }
        if (*n && (void *)dg->data.ptr != buf)
            memmove(buf, dg->data.ptr, *n);
    }
    free(heap);
    return e;
}

int32_t w2s_udp_in_subscribe(int32_t in) {
    return wasi_sockets_udp_method_incoming_datagram_stream_subscribe(in);
}

__wasi_errno_t w2s_udp_check_send(int32_t out, uint64_t *n) {
    udp_u64_result r;
    wasi_sockets_udp_method_outgoing_datagram_stream_check_send(out, &r);
    if (r.is_err)
        return w2_errno_from_net(r.val.err);
    *n = r.val.ok;
    return 0;
}

__wasi_errno_t w2s_udp_send(int32_t out, const void *buf, size_t len, const struct sockaddr *to, size_t tolen) {
    wasi_sockets_udp_outgoing_datagram_t dg;
    memset(&dg, 0, sizeof dg);
    dg.data.ptr = (uint8_t *)buf; /* the payload is sent from the caller's memory */
    dg.data.len = len;
    if (to) {
        dg.remote_address.is_some = true;
        to_wit(to, &dg.remote_address.val);
    }
    wasi_sockets_udp_list_outgoing_datagram_t l = {&dg, 1};
    udp_u64_result r;
    wasi_sockets_udp_method_outgoing_datagram_stream_send(out, l, &r);
    if (r.is_err)
        return w2_errno_from_net(r.val.err);
    return r.val.ok == 1 ? 0 : __WASI_ERRNO_AGAIN;
}

int32_t w2s_udp_out_subscribe(int32_t out) {
    return wasi_sockets_udp_method_outgoing_datagram_stream_subscribe(out);
}

__wasi_errno_t w2s_udp_bufsize(int32_t s, bool recv, bool set, uint64_t *value) {
    if (set) {
        udp_void_result r;
        if (recv)
            wasi_sockets_udp_method_udp_socket_set_receive_buffer_size(s, *value, &r);
        else
            wasi_sockets_udp_method_udp_socket_set_send_buffer_size(s, *value, &r);
        return NET_RESULT(r);
    }
    udp_u64_result r;
    if (recv)
        wasi_sockets_udp_method_udp_socket_receive_buffer_size(s, &r);
    else
        wasi_sockets_udp_method_udp_socket_send_buffer_size(s, &r);
    if (r.is_err)
        return w2_errno_from_net(r.val.err);
    *value = r.val.ok;
    return 0;
}

__wasi_errno_t w2s_resolve(int32_t net, const char *name, size_t nlen, w2s_addr_cb cb, void *ctx) {
    CHECK_PATH(name, nlen);
    wasi_sockets_ip_name_lookup_result_resolve_address_stream_error_code_t r;
    wasi_sockets_ip_name_lookup_resolve_addresses(net, str(name, nlen), &r);
    if (r.is_err)
        return w2_errno_from_net(r.val.err);
    int32_t stream = r.val.ok;
    __wasi_errno_t e = 0;
    for (;;) {
        wasi_sockets_ip_name_lookup_result_option_ip_address_error_code_t a;
        wasi_sockets_ip_name_lookup_method_resolve_address_stream_resolve_next_address(stream, &a);
        if (a.is_err) {
            if (a.val.err == WASI_SOCKETS_NETWORK_ERROR_CODE_WOULD_BLOCK) {
                int32_t p = wasi_sockets_ip_name_lookup_method_resolve_address_stream_subscribe(stream);
                wasi_io_poll_method_pollable_block(p);
                wasi_io_poll_pollable_drop(p);
                continue;
            }
            e = w2_errno_from_net(a.val.err);
            break;
        }
        if (!a.val.ok.is_some)
            break;
        struct sockaddr_storage ss;
        size_t sl;
        ip_to_sockaddr(&a.val.ok.val, 0, 0, 0, (struct sockaddr *)&ss, &sl);
        cb(ctx, (struct sockaddr *)&ss, sl);
    }
    wasi_sockets_ip_name_lookup_resolve_address_stream_drop(stream);
    return e;
}

W2_COLD_END
