/*
 * wasit2 system layer: shared declarations.
 *
 * The layer implements wasi-libc's preview-1 `__wasi_*` functions (and the
 * BSD socket API) over wasit2 imports. A p1 file descriptor indexes `w2_fds`,
 * whose entries hold the WASI 0.2 handles behind it.
 */
#ifndef WASIT2_LAYER_INTERNAL_H
#define WASIT2_LAYER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wasi/api.h>

#include "w2_sys.h"

enum w2_kind {
    W2_FREE = 0,
    W2_IN_STREAM,  /* stdin */
    W2_OUT_STREAM, /* stdout / stderr */
    W2_FILE,       /* wasi:filesystem descriptor, not a directory */
    W2_DIR,        /* wasi:filesystem directory descriptor */
    W2_TCP,
    W2_UDP,
};

enum w2_sock_state {
    W2_SOCK_UNBOUND = 0,
    W2_SOCK_BOUND,
    W2_SOCK_LISTENING,
    W2_SOCK_CONNECTING,
    W2_SOCK_CONNECTED,
    W2_SOCK_CONNECT_FAILED,
};

/* A directory entry read from a directory-entry-stream but not yet handed
 * out completely (fd_readdir may truncate the last entry it returns). */
typedef struct {
    uint64_t index;
    uint8_t type; /* p1 filetype */
    bool valid;
    size_t name_len;
    char *name; /* malloc'd, capacity name_cap */
    size_t name_cap;
} w2_dirent_cache;

struct w2_fd;
/* Reads, writes and seeks of the fds that open() and socket() make, set by
 * that code (w2_fd.ops): stdio and directories have none. A pointer rather
 * than weak references, so that a program that only prints carries no call
 * to code it cannot reach. A NULL seek fails with ESPIPE. */
typedef struct w2_fd_ops {
    __wasi_errno_t (*read)(struct w2_fd *f, void *buf, size_t len, uint64_t off, bool positional, size_t *n);
    __wasi_errno_t (*write)(struct w2_fd *f, const void *buf, size_t len, uint64_t off, bool positional,
                            size_t *n);
    __wasi_errno_t (*seek)(struct w2_fd *f, __wasi_filedelta_t offset, __wasi_whence_t whence,
                           __wasi_filesize_t *newoffset);
} w2_fd_ops;

typedef struct w2_fd {
    uint8_t kind;
    uint8_t preopen;    /* directory from wasi:filesystem/preopens */
    uint16_t fdflags;   /* p1 fdflags (APPEND, NONBLOCK, ...) */
    uint8_t tty;        /* stdio: 2 terminal, 1 not, 0 not asked yet */
    uint8_t std_no;     /* stdio: which of stdin/stdout/stderr */
    uint8_t state;      /* W2_TCP / W2_UDP: enum w2_sock_state */
    uint8_t family;     /* W2_TCP / W2_UDP: AF_INET / AF_INET6 */
    uint8_t access;     /* path_open's W2_FILE / W2_DIR: W2_ACCESS_* it was opened with,
                         * which is what descriptor get-flags would answer:
                         * open-at gives exactly the flags asked for, or fails */

    /* Handles, -1 when absent. Kept together (desc to udp_out) so that one
     * copy of W2_NO_HANDLES sets them all. */
    int32_t desc;       /* filesystem descriptor */
    int32_t in;         /* input stream */
    int32_t out;        /* output stream */
    int32_t dir_stream; /* W2_DIR: the directory-entry-stream */
    int32_t sock;       /* W2_TCP / W2_UDP */
    int32_t udp_in;     /* incoming-datagram-stream */
    int32_t udp_out;    /* outgoing-datagram-stream */

    bool udp_connected;
    int pending_error;  /* errno of a failed non-blocking connect (SO_ERROR) */
    uint64_t pos;       /* file position for W2_FILE */

    /* W2_DIR: the index of the stream's next entry. */
    uint64_t dir_next;
    w2_dirent_cache dir_cache;
    /* A root for absolute paths: the name of a preopen, or of an fd
     * given to __wasilibc_register_preopened_fd; NUL-terminated. */
    const char *preopen_name;
    /* Drops what the fd holds beyond in/out (descriptor, directory stream,
     * socket), set by the code that made the fd: NULL for stdio. A pointer,
     * so that a program links only the drops of the kinds it can create. */
    void (*release)(struct w2_fd *f);
    const w2_fd_ops *ops;
} w2_fd;
#define W2_ACCESS_READ W2S_OPEN_READ
#define W2_ACCESS_WRITE W2S_OPEN_WRITE
#define W2_HANDLES 7 /* desc .. udp_out */
extern const int32_t w2_no_handles[W2_HANDLES];
/* Sets every handle of f to -1 (none): one memory.fill where the CPU has
 * it; else a copy from w2_no_handles, since memset would link libc's
 * memset into MVP builds that need only memcpy. */
static inline void w2_clear_handles(w2_fd *f) {
#ifdef __wasm_bulk_memory_opt__
    __builtin_memset(&f->desc, 0xff, sizeof w2_no_handles);
#else
    __builtin_memcpy(&f->desc, w2_no_handles, sizeof w2_no_handles);
#endif
}

/* ---- descriptor table (w2_fdtable.c) ---- */
#define W2_STATIC_FDS 16                    /* entries of the first, static table */
extern w2_fd *w2_table;                     /* w2_table_len entries */
extern size_t w2_table_len;
w2_fd *w2_fd_get(__wasi_fd_t fd);           /* NULL if not open */
void w2_fd_release(w2_fd *f);               /* drop all handles; entry becomes free */
__wasi_errno_t w2_fd_renumber(__wasi_fd_t from, __wasi_fd_t to);
int32_t w2_network(void);                   /* cached instance-network */
/* w2_fdalloc.c, with the preopens: only code that creates fds links it. */
int w2_fd_alloc(void);                      /* lowest free fd or -1 (ENFILE/ENOMEM) */
w2_fd *w2_fd_slot(int fd);                  /* the entry of a just-allocated fd */

/* stdio stream handles are fetched on first use (get-stdin, get-stdout,
 * get-stderr), so a program imports only the ones its calls can reach: a
 * stdio entry's in/out is -1 until then. */
int32_t w2_std_in(w2_fd *f);                /* w2_read.c: f->in, fetched if not yet */
int32_t w2_std_out(w2_fd *f);               /* w2_io.c: f->out, fetched if not yet */

/* ---- error mapping (w2_errors.c) ---- */
__wasi_errno_t w2_errno_from_fs(uint8_t code);
__wasi_errno_t w2_errno_from_net(uint8_t code);
/* Maps a stream error (consuming the error resource) to an errno. */
__wasi_errno_t w2_errno_from_stream_error(int32_t error_handle);

/* ---- stream helpers (w2_io.c) ---- */
/* Reads into buf straight from the stream (no copy). *n = 0 at end of stream.
 * Non-blocking reads return EAGAIN when nothing is available. */
__wasi_errno_t w2_stream_read(int32_t in, void *buf, size_t len, bool nonblock, size_t *n);
/* Writes from buf straight to the stream. Non-blocking writes may be short
 * and return EAGAIN when nothing could be written. */
__wasi_errno_t w2_stream_write(int32_t out, const void *buf, size_t len, bool nonblock, size_t *n);
/* Blocks until the pollable is ready, then drops it. */
void w2_block_on(int32_t pollable);

/* ---- sockets (w2_socket.c) ----
 * Referenced weakly from the fd and poll code: a socket fd can only exist
 * when socket() was linked, so programs without sockets do not link them. */
#define W2_WEAK __attribute__((weak))
/* Cold code (setup, paths, metadata) is compiled for size: only the
 * read/write paths are worth bytes for speed. */
#define W2_COLD_BEGIN _Pragma("clang attribute push(__attribute__((minsize)), apply_to = function)")
#define W2_COLD_END _Pragma("clang attribute pop")
W2_WEAK __wasi_errno_t w2_socket_pollable(w2_fd *f, bool for_write, int32_t *pollable);
W2_WEAK void w2_socket_progress(w2_fd *f);  /* finish a pending connect if ready */

/* ---- releasing handles of kinds a program may never create ----
 * w2_fd_release drops the output stream; the rest (input streams,
 * descriptors, directory streams, sockets) go through w2_fd.release, set
 * where the handle is made. A weak symbol would not do: open() links
 * wasi-libc's posix.c, whose opendir refers to fd_readdir, so that every
 * object that makes fds is linked (if dead) by any program that opens a
 * file. */
void w2_socket_release(w2_fd *f);           /* w2_socket.c: socket handles and streams */
void w2_desc_release(w2_fd *f);             /* w2_fdalloc.c: the descriptor */

/* ---- per-kind operations ----
 * Defined next to the code that creates that kind of fd and reached through
 * w2_fd.ops or weak references from the generic fd code, so that a program
 * links the file, directory or socket code only when it can create such an
 * fd. */
/* w2_path.c: W2_FILE reads and writes at the fd's position or at `off`
 * (w2_file_ops). */
extern const w2_fd_ops w2_file_ops;
__wasi_errno_t w2_file_read(w2_fd *f, void *buf, size_t len, uint64_t off, bool positional, size_t *n);
__wasi_errno_t w2_file_write(w2_fd *f, const void *buf, size_t len, uint64_t off, bool positional, size_t *n);
__wasi_errno_t w2_file_seek(w2_fd *f, __wasi_filedelta_t offset, __wasi_whence_t whence,
                            __wasi_filesize_t *newoffset);
W2_WEAK uint8_t w2_file_type(w2_fd *f);     /* p1 filetype */
/* w2_stream_nb.c (sockets reference it strongly): writes what the stream
 * accepts now, EAGAIN if nothing. Only sockets can be non-blocking streams;
 * w2_io.c refers to it weakly. */
__wasi_errno_t w2_stream_write_nonblock(int32_t out, const void *buf, size_t len, size_t *n);
/* stdio: whether the fd is a terminal (asked once, on first need). */
bool w2_fd_tty(w2_fd *f);

#define W2_RIGHTS_ALL ((__wasi_rights_t)0x1FFFFFFF)

#endif
