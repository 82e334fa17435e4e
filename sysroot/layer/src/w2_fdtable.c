/*
 * wasit2 system layer: the p1 file-descriptor table.
 *
 * fds 0-2 are wasi:cli stdin/stdout/stderr, fds 3.. the preopened
 * directories in get-directories order, then whatever the program opens
 * (lowest free number first, as POSIX requires).
 */
#include <errno.h>
#include <string.h>

#include "w2_internal.h"
#include "wasit2_command.h"

int __isatty(int fd);

/* The first fds live in a static table so that programs that only use
 * stdio never link malloc. w2_fdalloc.c grows it. */
static w2_fd static_table[W2_STATIC_FDS];
w2_fd *w2_table = static_table;
size_t w2_table_len = W2_STATIC_FDS;
static bool stdio_ready;
static int32_t network_handle = -1;

W2_COLD_BEGIN

/* What w2_clear_handles copies on CPUs without memory.fill. */
const int32_t w2_no_handles[W2_HANDLES] = {-1, -1, -1, -1, -1, -1, -1};
_Static_assert(offsetof(w2_fd, udp_out) - offsetof(w2_fd, desc) == (W2_HANDLES - 1) * sizeof(int32_t),
               "the handles of w2_fd are not together");

/* Out of line: w2_fd_get, which every call inlines or calls, stays small. */
__attribute__((noinline)) static void stdio_init(void) {
    stdio_ready = true;
    /* Free entries are all-zero (W2_FREE); w2_fd_slot fills an entry when
     * it is allocated, so only the stdio entries are set up here. Their
     * stream handles are fetched on first use (w2_std_in, w2_std_out). */
#pragma clang loop unroll(disable)
    for (int i = 0; i < 3; i++) {
        w2_fd *f = &static_table[i];
        w2_clear_handles(f);
        f->kind = i == 0 ? W2_IN_STREAM : W2_OUT_STREAM;
        f->std_no = (uint8_t)i;
    }
}

/* stdout and stderr: whether the stream is a terminal. Apart from stdin's
 * question, which needs two imports more (get-terminal-stdin and the input
 * terminal's drop), so that printing links only these. */
static bool out_is_terminal(int std_no) {
    /* The two option<terminal-output> results share one layout. */
    wasi_cli_terminal_stdout_option_terminal_output_t t;
    _Static_assert(sizeof(wasi_cli_terminal_stderr_option_terminal_output_t) == sizeof t, "terminal options differ");
    if (std_no == 1)
        wasi_cli_terminal_stdout_get_terminal_stdout(&t);
    else
        wasi_cli_terminal_stderr_get_terminal_stderr((wasi_cli_terminal_stderr_option_terminal_output_t *)&t);
    /* Only the answer is kept: the terminal handle has no other use here. */
    if (t.is_some)
        wasi_cli_terminal_output_terminal_output_drop(t.val);
    return t.is_some;
}

static bool in_is_terminal(void) {
    wasi_cli_terminal_stdin_option_terminal_input_t t;
    wasi_cli_terminal_stdin_get_terminal_stdin(&t);
    if (t.is_some)
        wasi_cli_terminal_input_terminal_input_drop(t.val);
    return t.is_some;
}

/* Terminal checks cost host calls; most programs never ask. f->tty caches
 * the answer: 2 terminal, 1 not. */
static bool out_tty(w2_fd *f) {
    if (!f->tty)
        f->tty = 1 + out_is_terminal(f->std_no);
    return f->tty == 2;
}

bool w2_fd_tty(w2_fd *f) {
    if (f->kind == W2_IN_STREAM) {
        if (!f->tty)
            f->tty = 1 + in_is_terminal();
        return f->tty == 2;
    }
    return out_tty(f);
}

W2_COLD_END

w2_fd *w2_fd_get(__wasi_fd_t fd) {
    if (__builtin_expect(!stdio_ready, 0))
        stdio_init();
    if (fd >= w2_table_len || w2_table[fd].kind == W2_FREE)
        return NULL;
    return &w2_table[fd];
}

W2_COLD_BEGIN


void w2_fd_release(w2_fd *f) {
    /* Children before parents: streams and pollables borrow from sockets
     * and descriptors, and the host refuses to drop a parent first. Input
     * streams exist only when the code that makes them is linked, and
     * f->release, which that code sets, drops them and the parents. */
    if (f->out >= 0)
        wasi_io_streams_output_stream_drop(f->out);
    if (f->release)
        f->release(f);
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
    *dst = *src;
    src->kind = W2_FREE;
    return 0;
}

int32_t w2_network(void) {
    if (network_handle < 0)
        network_handle = w2s_instance_network();
    return network_handle;
}

/* isatty without fd_fdstat_get: only stdio can be a terminal (files and
 * sockets have seek/tell rights or another type), so the stdio entry's
 * terminal answer is all there is to ask.
 *
 * musl calls __isatty only for writable FILEs (__stdout_write, and
 * __fdopen when the mode writes), where the line buffering of an output
 * terminal is the question: it asks about output streams only, so that a
 * program that prints does not import stdin's terminal. An fd that holds
 * stdin cannot be written (no output stream), so its answer never decides
 * any buffering. The public isatty asks about all three. */
int __isatty(int fd) {
    w2_fd *f = w2_fd_get(fd);
    if (!f) {
        errno = EBADF;
        return 0;
    }
    if (f->kind == W2_OUT_STREAM && out_tty(f))
        return 1;
    errno = ENOTTY;
    return 0;
}

__attribute__((weak)) int isatty(int fd) {
    w2_fd *f = w2_fd_get(fd);
    if (!f) {
        errno = EBADF;
        return 0;
    }
    if ((f->kind == W2_IN_STREAM || f->kind == W2_OUT_STREAM) && w2_fd_tty(f))
        return 1;
    errno = ENOTTY;
    return 0;
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
        /* Only path_open makes these fds, and it records how (f->access). */
        if (!(f->access & W2_ACCESS_READ))
            base &= ~(R(FD_READ) | R(FD_READDIR));
        if (!(f->access & W2_ACCESS_WRITE))
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

W2_COLD_END
