/*
 * wasit2 system layer: the small set of operations the layer needs from the
 * wasit2 imports, in errno terms. w2_sys.c implements them on top of the
 * generated bindings (wasit2_command.h); apart from it only the stdio code
 * (w2_fdtable.c, w2_io.c) calls a few bindings directly, which saves every
 * program a forwarding function per call.
 *
 * Handles are the i32 resource handles of the Canonical ABI. Functions that
 * return __wasi_errno_t return 0 on success. Buffers passed as `buf` are
 * handed to the host as the caller-supplied result buffer: no copy, no malloc.
 */
#ifndef WASIT2_LAYER_SYS_H
#define WASIT2_LAYER_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wasi/api.h>

struct sockaddr;

/* ---- wasi:io ---- */
enum w2s_stream_status { W2S_OK = 0, W2S_CLOSED = 1, W2S_FAILED = 2 };
/* On W2S_FAILED, *err receives the errno derived from the stream error. */
int w2s_in_read(int32_t in, bool blocking, void *buf, size_t len, size_t *n, __wasi_errno_t *err);
int w2s_in_blocking_read(int32_t in, void *buf, size_t len, size_t *n, __wasi_errno_t *err);
int32_t w2s_in_subscribe(int32_t in);
int w2s_out_check_write(int32_t out, uint64_t *n, __wasi_errno_t *err);
int w2s_out_write(int32_t out, const void *buf, size_t len, __wasi_errno_t *err);
int w2s_out_blocking_flush(int32_t out, __wasi_errno_t *err);
int32_t w2s_out_subscribe(int32_t out);
void w2s_pollable_block(int32_t p);
bool w2s_pollable_ready(int32_t p);
/* Waits for at least one of n pollables; writes the ready indices to
 * `ready` (room for n) and returns their count. */
size_t w2s_poll(const int32_t *pollables, size_t n, uint32_t *ready);

void w2s_drop_in(int32_t h);
void w2s_drop_out(int32_t h);
void w2s_drop_pollable(int32_t h);
void w2s_drop_descriptor(int32_t h);
void w2s_drop_dir_stream(int32_t h);
void w2s_drop_tcp(int32_t h);
void w2s_drop_udp(int32_t h);
void w2s_drop_udp_in(int32_t h);
void w2s_drop_udp_out(int32_t h);
void w2s_drop_network(int32_t h);
void w2s_drop_resolver(int32_t h);

/* ---- wasi:cli ---- */
int32_t w2s_stdin(void);
int32_t w2s_stdout(void);
int32_t w2s_stderr(void);
_Noreturn void w2s_exit(int status);
/* list<tuple<string,string>> environment: the callback receives each item;
 * returns errno. */
typedef void (*w2s_kv_cb)(void *ctx, const char *k, size_t klen, const char *v, size_t vlen);
/* The arguments as main takes them: one malloc'd block of *argc + 1
 * pointers (the last NULL), then the *bytes NUL-terminated characters they
 * point to. NULL when memory runs out. */
char **w2s_argv(size_t *argc, size_t *bytes);
__wasi_errno_t w2s_environment(w2s_kv_cb cb, void *ctx);

/* ---- wasi:clocks / wasi:random ---- */
uint64_t w2s_monotonic_now(void);
uint64_t w2s_monotonic_resolution(void);
int32_t w2s_subscribe_duration(uint64_t ns);
int32_t w2s_subscribe_instant(uint64_t ns);
uint64_t w2s_wall_now(void);        /* ns since the epoch */
uint64_t w2s_wall_resolution(void); /* ns */
__wasi_errno_t w2s_random(void *buf, size_t len);

/* ---- wasi:filesystem ---- */
typedef struct {
    /* get-directories: descriptor + name (NUL-terminated too, owned by the layer) */
    int32_t desc;
    const char *name;
    size_t name_len;
} w2s_preopen;
/* Returns the preopens (array and names live until exit). */
__wasi_errno_t w2s_preopens(w2s_preopen **list, size_t *count);

typedef struct {
    uint8_t filetype; /* p1 filetype */
    uint64_t nlink, size, atim, mtim, ctim; /* ns */
} w2s_stat;

__wasi_errno_t w2s_fs_read(int32_t d, void *buf, size_t len, uint64_t off, size_t *n);
__wasi_errno_t w2s_fs_write(int32_t d, const void *buf, size_t len, uint64_t off, size_t *n);
__wasi_errno_t w2s_fs_stat(int32_t d, w2s_stat *st);
__wasi_errno_t w2s_fs_stat_at(int32_t d, bool follow, const char *path, size_t plen, w2s_stat *st);
/* One stat for both: see w2_sys.c. */
__wasi_errno_t w2s_fs_type_size(int32_t d, uint8_t *filetype, uint64_t *size);
__wasi_errno_t w2s_fs_get_flags(int32_t d, bool *readable, bool *writable);
__wasi_errno_t w2s_fs_hash(int32_t d, uint64_t *ino);
__wasi_errno_t w2s_fs_hash_at(int32_t d, bool follow, const char *path, size_t plen, uint64_t *ino);
__wasi_errno_t w2s_fs_set_size(int32_t d, uint64_t size);
/* times: p1 fstflags select now / explicit / no-change */
__wasi_errno_t w2s_fs_set_times(int32_t d, uint64_t atim, uint64_t mtim, __wasi_fstflags_t fl);
__wasi_errno_t w2s_fs_set_times_at(int32_t d, bool follow, const char *path, size_t plen, uint64_t atim,
                                   uint64_t mtim, __wasi_fstflags_t fl);
__wasi_errno_t w2s_fs_sync(int32_t d, bool data_only);
__wasi_errno_t w2s_fs_advise(int32_t d, uint64_t off, uint64_t len, __wasi_advice_t advice);
/* access: W2S_OPEN_* (WIT's descriptor-flags bits). With MUTATE_DIR, a
 * refusal that a read-only tree or a directory opened without O_DIRECTORY
 * gives (EACCES, EPERM, EROFS, EISDIR) is retried without it. path is
 * NUL-terminated. */
#define W2S_OPEN_READ 1
#define W2S_OPEN_WRITE 2
#define W2S_OPEN_MUTATE_DIR 32
__wasi_errno_t w2s_fs_open_at(int32_t d, bool follow, const char *path, __wasi_oflags_t oflags, uint32_t access,
                              __wasi_fdflags_t fdflags, int32_t *out);
__wasi_errno_t w2s_fs_mkdir_at(int32_t d, const char *path, size_t plen);
__wasi_errno_t w2s_fs_rmdir_at(int32_t d, const char *path, size_t plen);
__wasi_errno_t w2s_fs_unlink_at(int32_t d, const char *path, size_t plen);
__wasi_errno_t w2s_fs_rename_at(int32_t d, const char *old, size_t olen, int32_t nd, const char *new_path,
                                size_t nlen);
__wasi_errno_t w2s_fs_symlink_at(int32_t d, const char *old, size_t olen, const char *new_path, size_t nlen);
__wasi_errno_t w2s_fs_link_at(int32_t d, bool follow, const char *old, size_t olen, int32_t nd,
                              const char *new_path, size_t nlen);
/* Writes at most len bytes of the link target into buf; *n = bytes written. */
__wasi_errno_t w2s_fs_readlink_at(int32_t d, const char *path, size_t plen, char *buf, size_t len, size_t *n);
__wasi_errno_t w2s_fs_read_directory(int32_t d, int32_t *stream);
/* *end = true at the end of the directory; otherwise type/name are set
 * (name written into *name, grown with realloc as needed). */
__wasi_errno_t w2s_fs_read_dir_entry(int32_t stream, bool *end, uint8_t *filetype, char **name, size_t *name_cap,
                                     size_t *name_len);

/* ---- wasi:sockets ---- */
int32_t w2s_instance_network(void);
__wasi_errno_t w2s_tcp_create(int family, int32_t *sock);
__wasi_errno_t w2s_udp_create(int family, int32_t *sock);
__wasi_errno_t w2s_tcp_start_bind(int32_t s, int32_t net, const struct sockaddr *sa, size_t salen);
__wasi_errno_t w2s_tcp_finish_bind(int32_t s);
__wasi_errno_t w2s_tcp_start_connect(int32_t s, int32_t net, const struct sockaddr *sa, size_t salen);
__wasi_errno_t w2s_tcp_finish_connect(int32_t s, int32_t *in, int32_t *out);
__wasi_errno_t w2s_tcp_start_listen(int32_t s);
__wasi_errno_t w2s_tcp_finish_listen(int32_t s);
__wasi_errno_t w2s_tcp_set_backlog(int32_t s, uint64_t n);
__wasi_errno_t w2s_tcp_accept(int32_t s, int32_t *client, int32_t *in, int32_t *out);
/* addr: room for a sockaddr_in6; *len in/out as for getsockname */
__wasi_errno_t w2s_tcp_address(int32_t s, bool remote, struct sockaddr *sa, size_t *salen);
__wasi_errno_t w2s_tcp_shutdown(int32_t s, int how); /* SHUT_RD/WR/RDWR */
int32_t w2s_tcp_subscribe(int32_t s);
__wasi_errno_t w2s_tcp_keepalive(int32_t s, bool set, bool *value);
__wasi_errno_t w2s_tcp_bufsize(int32_t s, bool recv, bool set, uint64_t *value);

__wasi_errno_t w2s_udp_start_bind(int32_t s, int32_t net, const struct sockaddr *sa, size_t salen);
__wasi_errno_t w2s_udp_finish_bind(int32_t s);
int32_t w2s_udp_subscribe(int32_t s);
/* sa == NULL: no default remote */
__wasi_errno_t w2s_udp_stream(int32_t s, const struct sockaddr *sa, size_t salen, int32_t *in, int32_t *out);
__wasi_errno_t w2s_udp_address(int32_t s, bool remote, struct sockaddr *sa, size_t *salen);
/* Receives one datagram into buf (truncated to len; *full = its size).
 * Returns EAGAIN when none is queued. */
__wasi_errno_t w2s_udp_receive(int32_t in, void *buf, size_t len, size_t *n, size_t *full, struct sockaddr *from,
                               size_t *fromlen);
int32_t w2s_udp_in_subscribe(int32_t in);
__wasi_errno_t w2s_udp_check_send(int32_t out, uint64_t *n);
/* to == NULL: the stream's default remote */
__wasi_errno_t w2s_udp_send(int32_t out, const void *buf, size_t len, const struct sockaddr *to, size_t tolen);
int32_t w2s_udp_out_subscribe(int32_t out);
__wasi_errno_t w2s_udp_bufsize(int32_t s, bool recv, bool set, uint64_t *value);

/* Resolves name; the callback receives each address as a sockaddr_in/_in6
 * with port 0. Returns errno (ENOENT when the name does not resolve). */
typedef void (*w2s_addr_cb)(void *ctx, const struct sockaddr *sa, size_t salen);
/* Whether n bytes at p are valid UTF-8 (what a WIT string must be). */
bool w2s_utf8_valid(const char *p, size_t n);
__wasi_errno_t w2s_resolve(int32_t net, const char *name, size_t nlen, w2s_addr_cb cb, void *ctx);

#endif
