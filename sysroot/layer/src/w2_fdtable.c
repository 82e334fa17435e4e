/*
 * wasit2 system layer: the p1 file-descriptor table.
 *
 * fds 0-2 are wasi:cli stdin/stdout/stderr, fds 3.. the preopened
 * directories in get-directories order, then whatever the program opens
 * (lowest free number first, as POSIX requires).
 */
#include <stdlib.h>
#include <string.h>

#include "w2_internal.h"

/* The first fds live in a static table so that programs that only use
 * stdio never link malloc. */
#define W2_STATIC_FDS 16
static w2_fd static_table[W2_STATIC_FDS];
static w2_fd *table = static_table;
static size_t table_len = W2_STATIC_FDS;
static bool stdio_ready;
static bool preopens_ready;
static int32_t network_handle = -1;

/* Copied from a constant rather than memset + stores, which would link
 * memset into MVP builds that need only memcpy. */
static const w2_fd empty_entry = {
    .desc = -1, .in = -1, .out = -1, .dir_stream = -1, .sock = -1, .udp_in = -1, .udp_out = -1,
};

static void init_entry(w2_fd *f) {
    *f = empty_entry;
}

static void stdio_init(void) {
    stdio_ready = true;
    /* Free entries are all-zero (W2_FREE); w2_fd_slot fills an entry when
     * it is allocated, so only the stdio entries are set up here. */
#pragma clang loop unroll(disable)
    for (int i = 0; i < 3; i++) {
        w2_fd *f = &static_table[i];
        f->desc = f->in = f->out = -1;
        f->dir_stream = f->sock = f->udp_in = f->udp_out = -1;
        f->kind = i == 0 ? W2_IN_STREAM : W2_OUT_STREAM;
        /* Terminal checks cost host calls; most programs never ask. */
        f->tty = -1;
        f->std_no = (uint8_t)i;
    }
    static_table[0].in = w2s_stdin();
    static_table[1].out = w2s_stdout();
    static_table[2].out = w2s_stderr();
}

bool w2_fd_tty(w2_fd *f) {
    if (f->tty < 0)
        f->tty = w2s_is_terminal(f->std_no);
    return f->tty > 0;
}

static bool grow(size_t want) {
    if (want <= table_len)
        return true;
    size_t n = table_len * 2;
    while (n < want)
        n *= 2;
    w2_fd *t = malloc(n * sizeof *t);
    if (!t)
        return false;
    memcpy(t, table, table_len * sizeof *t);
    for (size_t i = table_len; i < n; i++)
        init_entry(&t[i]);
    if (table != static_table)
        free(table);
    table = t;
    table_len = n;
    return true;
}

/* Preopens take fds 3.. in get-directories order. They are fetched on
 * first need (preopens.c's scan, or the first fd allocation), which keeps
 * get-directories and malloc out of programs that never touch files. */
static void preopens_init(void) {
    if (!stdio_ready)
        stdio_init();
    if (preopens_ready)
        return;
    preopens_ready = true;
    w2s_preopen *pre = NULL;
    size_t npre = 0;
    if (w2s_preopens(&pre, &npre) != 0)
        return;
    if (!grow(3 + npre + 1))
        npre = table_len - 3;
    for (size_t i = 0; i < npre; i++) {
        w2_fd *f = w2_fd_slot(3 + (int)i);
        f->kind = W2_DIR;
        f->preopen = 1;
        f->desc = pre[i].desc;
        f->preopen_name = pre[i].name;
        f->preopen_name_len = pre[i].name_len;
    }
}

w2_fd *w2_fd_get(__wasi_fd_t fd) {
    if (__builtin_expect(!stdio_ready, 0))
        stdio_init();
    if (fd >= table_len || table[fd].kind == W2_FREE)
        return NULL;
    return &table[fd];
}

int w2_fd_alloc(void) {
    preopens_init();
    for (size_t i = 0; i < table_len; i++)
        if (table[i].kind == W2_FREE)
            return (int)i;
    size_t n = table_len;
    if (n >= 0x7fffffff || !grow(n + 1))
        return -1;
    return (int)n;
}

w2_fd *w2_fd_slot(int fd) {
    init_entry(&table[fd]);
    return &table[fd];
}

void w2_fd_release(w2_fd *f) {
    /* Children before parents: streams and pollables borrow from sockets
     * and descriptors, and the host refuses to drop a parent first. */
    if (f->in >= 0)
        w2s_drop_in(f->in);
    if (f->out >= 0)
        w2s_drop_out(f->out);
    /* Only fds that socket() or open() created hold these; those calls
     * link the release code. */
    if ((f->kind == W2_TCP || f->kind == W2_UDP) && w2_socket_release)
        w2_socket_release(f);
    if (f->kind == W2_DIR && w2_dir_release)
        w2_dir_release(f);
    if (f->desc >= 0)
        w2s_drop_descriptor(f->desc);
    /* w2_fd_slot resets the other fields when the number is reused. */
    f->kind = W2_FREE;
}

__wasi_errno_t w2_fd_renumber(__wasi_fd_t from, __wasi_fd_t to) {
    w2_fd *src = w2_fd_get(from);
    w2_fd *dst = w2_fd_get(to);
    if (!src || !dst)
        return __WASI_ERRNO_BADF;
    if (from == to)
        return 0;
    w2_fd_release(dst);
    table[to] = *src;
    src->kind = W2_FREE;
    return 0;
}

int32_t w2_network(void) {
    if (network_handle < 0)
        network_handle = w2s_instance_network();
    return network_handle;
}

/* ---- preview-1 functions that only touch the table ---- */

__wasi_errno_t __wasi_fd_close(__wasi_fd_t fd) {
    w2_fd *f = w2_fd_get(fd);
    if (!f)
        return __WASI_ERRNO_BADF;
    w2_fd_release(f);
    return 0;
}

__wasi_errno_t __wasi_fd_renumber(__wasi_fd_t fd, __wasi_fd_t to) {
    return w2_fd_renumber(fd, to);
}

__wasi_errno_t __wasi_fd_prestat_get(__wasi_fd_t fd, __wasi_prestat_t *buf) {
    preopens_init();
    w2_fd *f = w2_fd_get(fd);
    /* preopens.c stops scanning at the first EBADF. */
    if (!f || !f->preopen)
        return __WASI_ERRNO_BADF;
    buf->tag = __WASI_PREOPENTYPE_DIR;
    buf->u.dir.pr_name_len = f->preopen_name_len;
    return 0;
}

__wasi_errno_t __wasi_fd_prestat_dir_name(__wasi_fd_t fd, uint8_t *path, __wasi_size_t path_len) {
    w2_fd *f = w2_fd_get(fd);
    if (!f || !f->preopen)
        return __WASI_ERRNO_BADF;
    if (path_len < f->preopen_name_len)
        return __WASI_ERRNO_NAMETOOLONG;
    memcpy(path, f->preopen_name, f->preopen_name_len);
    return 0;
}

/* Rights as wasmtime's p1-over-p2 reports them, since that is what
 * programs were tested against: stdio has only the direction it can move
 * data in; a preopen the path rights (its files inherit the data rights);
 * other files and directories everything their type supports, minus read or
 * write when the descriptor was not opened for it. Sockets (no p1 model in
 * wasmtime) keep every right. */
#define R(x) __WASI_RIGHTS_##x
static const __wasi_rights_t preopen_base =
    R(PATH_CREATE_DIRECTORY) | R(PATH_CREATE_FILE) | R(PATH_LINK_SOURCE) | R(PATH_LINK_TARGET) | R(PATH_OPEN) |
    R(FD_READDIR) | R(PATH_READLINK) | R(PATH_RENAME_SOURCE) | R(PATH_RENAME_TARGET) | R(PATH_SYMLINK) |
    R(PATH_REMOVE_DIRECTORY) | R(PATH_UNLINK_FILE) | R(PATH_FILESTAT_GET) | R(PATH_FILESTAT_SET_TIMES) |
    R(FD_FILESTAT_GET) | R(FD_FILESTAT_SET_TIMES);
static const __wasi_rights_t file_data = R(FD_DATASYNC) | R(FD_READ) | R(FD_SEEK) | R(FD_FDSTAT_SET_FLAGS) |
                                         R(FD_SYNC) | R(FD_TELL) | R(FD_WRITE) | R(FD_ADVISE) | R(FD_ALLOCATE) |
                                         R(FD_FILESTAT_GET) | R(FD_FILESTAT_SET_SIZE) |
                                         R(FD_FILESTAT_SET_TIMES) | R(POLL_FD_READWRITE);

__wasi_errno_t __wasi_fd_fdstat_get(__wasi_fd_t fd, __wasi_fdstat_t *stat) {
    static const uint8_t filetype_of_kind[] = {
        [W2_IN_STREAM] = __WASI_FILETYPE_UNKNOWN,      [W2_OUT_STREAM] = __WASI_FILETYPE_UNKNOWN,
        [W2_FILE] = __WASI_FILETYPE_REGULAR_FILE,      [W2_DIR] = __WASI_FILETYPE_DIRECTORY,
        [W2_TCP] = __WASI_FILETYPE_SOCKET_STREAM,      [W2_UDP] = __WASI_FILETYPE_SOCKET_DGRAM,
    };
    w2_fd *f = w2_fd_get(fd);
    if (!f)
        return __WASI_ERRNO_BADF;
    uint8_t type = filetype_of_kind[f->kind];
    __wasi_rights_t base = W2_RIGHTS_ALL, inheriting = W2_RIGHTS_ALL;
    if (f->kind == W2_IN_STREAM || f->kind == W2_OUT_STREAM) {
        /* isatty() wants a character device without seek/tell rights. */
        if (w2_fd_tty(f))
            type = __WASI_FILETYPE_CHARACTER_DEVICE;
        base = inheriting = f->kind == W2_IN_STREAM ? R(FD_READ) : R(FD_WRITE);
    } else if (f->kind == W2_DIR && f->preopen) {
        base = preopen_base;
        inheriting = preopen_base | file_data;
    } else if (f->kind == W2_FILE || f->kind == W2_DIR) {
        if (f->kind == W2_FILE && w2_file_type)
            type = w2_file_type(f);
        if (type == __WASI_FILETYPE_DIRECTORY)
            base &= ~(R(FD_SEEK) | R(FD_FILESTAT_SET_SIZE) | R(PATH_FILESTAT_SET_SIZE));
        /* Only open() makes these fds, and it links w2_file_access: a
         * program that only prints does not import get-flags. */
        bool readable = true, writable = true;
        if (w2_file_access)
            w2_file_access(f, &readable, &writable);
        if (!readable)
            base &= ~(R(FD_READ) | R(FD_READDIR));
        if (!writable)
            base &= ~R(FD_WRITE);
        inheriting = base;
    }
    stat->fs_filetype = type;
    stat->fs_flags = f->fdflags;
    stat->fs_rights_base = base;
    stat->fs_rights_inheriting = inheriting;
    return 0;
}
#undef R

__wasi_errno_t __wasi_fd_fdstat_set_rights(__wasi_fd_t fd, __wasi_rights_t base, __wasi_rights_t inheriting) {
    /* WASI 0.2 has no rights to narrow: refuse rather than pretend. */
    return w2_fd_get(fd) ? __WASI_ERRNO_NOTSUP : __WASI_ERRNO_BADF;
}
