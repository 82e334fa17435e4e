/*
 * The WASI preview 1 functions the adapter calls, declared as imports of
 * `wasi_snapshot_preview1`. Layouts and numbers are facts from the p1 witx.
 * Symbol names carry a private prefix so they never collide with a libc's
 * own p1 declarations.
 */
#ifndef WASIT2_P1_H
#define WASIT2_P1_H

#include <stdint.h>
#include <stddef.h>

#define P1_IMPORT(name)                                                        \
    __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

typedef uint16_t p1_errno;
typedef int32_t p1_ptr;

P1_IMPORT(args_get) int32_t __wasit2_p1_args_get(int32_t argv, int32_t buf);
P1_IMPORT(args_sizes_get) int32_t __wasit2_p1_args_sizes_get(int32_t argc, int32_t buf_size);
P1_IMPORT(environ_get) int32_t __wasit2_p1_environ_get(int32_t env, int32_t buf);
P1_IMPORT(environ_sizes_get) int32_t __wasit2_p1_environ_sizes_get(int32_t count, int32_t buf_size);
P1_IMPORT(clock_res_get) int32_t __wasit2_p1_clock_res_get(int32_t id, int32_t ret);
P1_IMPORT(clock_time_get) int32_t __wasit2_p1_clock_time_get(int32_t id, int64_t precision, int32_t ret);
P1_IMPORT(fd_advise) int32_t __wasit2_p1_fd_advise(int32_t fd, int64_t off, int64_t len, int32_t advice);
P1_IMPORT(fd_close) int32_t __wasit2_p1_fd_close(int32_t fd);
P1_IMPORT(fd_datasync) int32_t __wasit2_p1_fd_datasync(int32_t fd);
P1_IMPORT(fd_fdstat_get) int32_t __wasit2_p1_fd_fdstat_get(int32_t fd, int32_t ret);
P1_IMPORT(fd_filestat_get) int32_t __wasit2_p1_fd_filestat_get(int32_t fd, int32_t ret);
P1_IMPORT(fd_filestat_set_size) int32_t __wasit2_p1_fd_filestat_set_size(int32_t fd, int64_t size);
P1_IMPORT(fd_filestat_set_times) int32_t __wasit2_p1_fd_filestat_set_times(int32_t fd, int64_t atim, int64_t mtim, int32_t fst);
P1_IMPORT(fd_pread) int32_t __wasit2_p1_fd_pread(int32_t fd, int32_t iovs, int32_t n, int64_t off, int32_t ret);
P1_IMPORT(fd_prestat_get) int32_t __wasit2_p1_fd_prestat_get(int32_t fd, int32_t ret);
P1_IMPORT(fd_prestat_dir_name) int32_t __wasit2_p1_fd_prestat_dir_name(int32_t fd, int32_t path, int32_t len);
P1_IMPORT(fd_pwrite) int32_t __wasit2_p1_fd_pwrite(int32_t fd, int32_t iovs, int32_t n, int64_t off, int32_t ret);
P1_IMPORT(fd_read) int32_t __wasit2_p1_fd_read(int32_t fd, int32_t iovs, int32_t n, int32_t ret);
P1_IMPORT(fd_readdir) int32_t __wasit2_p1_fd_readdir(int32_t fd, int32_t buf, int32_t len, int64_t cookie, int32_t ret);
P1_IMPORT(fd_sync) int32_t __wasit2_p1_fd_sync(int32_t fd);
P1_IMPORT(fd_write) int32_t __wasit2_p1_fd_write(int32_t fd, int32_t iovs, int32_t n, int32_t ret);
P1_IMPORT(path_create_directory) int32_t __wasit2_p1_path_create_directory(int32_t fd, int32_t path, int32_t len);
P1_IMPORT(path_filestat_get) int32_t __wasit2_p1_path_filestat_get(int32_t fd, int32_t flags, int32_t path, int32_t len, int32_t ret);
P1_IMPORT(path_filestat_set_times) int32_t __wasit2_p1_path_filestat_set_times(int32_t fd, int32_t flags, int32_t path, int32_t len, int64_t atim, int64_t mtim, int32_t fst);
P1_IMPORT(path_link) int32_t __wasit2_p1_path_link(int32_t old_fd, int32_t old_flags, int32_t old_path, int32_t old_len, int32_t new_fd, int32_t new_path, int32_t new_len);
P1_IMPORT(path_open) int32_t __wasit2_p1_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t len, int32_t oflags, int64_t base, int64_t inheriting, int32_t fdflags, int32_t ret);
P1_IMPORT(path_readlink) int32_t __wasit2_p1_path_readlink(int32_t fd, int32_t path, int32_t len, int32_t buf, int32_t buf_len, int32_t ret);
P1_IMPORT(path_remove_directory) int32_t __wasit2_p1_path_remove_directory(int32_t fd, int32_t path, int32_t len);
P1_IMPORT(path_rename) int32_t __wasit2_p1_path_rename(int32_t fd, int32_t old_path, int32_t old_len, int32_t new_fd, int32_t new_path, int32_t new_len);
P1_IMPORT(path_symlink) int32_t __wasit2_p1_path_symlink(int32_t old_path, int32_t old_len, int32_t fd, int32_t new_path, int32_t new_len);
P1_IMPORT(path_unlink_file) int32_t __wasit2_p1_path_unlink_file(int32_t fd, int32_t path, int32_t len);
P1_IMPORT(poll_oneoff) int32_t __wasit2_p1_poll_oneoff(int32_t in, int32_t out, int32_t n, int32_t ret);
P1_IMPORT(proc_exit) _Noreturn void __wasit2_p1_proc_exit(int32_t code);
P1_IMPORT(random_get) int32_t __wasit2_p1_random_get(int32_t buf, int32_t len);
P1_IMPORT(sock_accept) int32_t __wasit2_p1_sock_accept(int32_t fd, int32_t flags, int32_t ret);
P1_IMPORT(sock_shutdown) int32_t __wasit2_p1_sock_shutdown(int32_t fd, int32_t how);

/* errno values used by the adapter. */
#define P1_ESUCCESS 0
#define P1_EAGAIN 6
#define P1_EBADF 8
#define P1_EINTR 27
#define P1_EINVAL 28
#define P1_EPIPE 64
#define P1_ENOTSUP 58

/* filetype */
#define P1_FILETYPE_UNKNOWN 0
#define P1_FILETYPE_BLOCK_DEVICE 1
#define P1_FILETYPE_CHARACTER_DEVICE 2
#define P1_FILETYPE_DIRECTORY 3
#define P1_FILETYPE_REGULAR_FILE 4
#define P1_FILETYPE_SOCKET_DGRAM 5
#define P1_FILETYPE_SOCKET_STREAM 6
#define P1_FILETYPE_SYMBOLIC_LINK 7

/* fdflags */
#define P1_FDFLAGS_APPEND 1
#define P1_FDFLAGS_DSYNC 2
#define P1_FDFLAGS_NONBLOCK 4
#define P1_FDFLAGS_RSYNC 8
#define P1_FDFLAGS_SYNC 16

/* rights (bit numbers from the witx `rights` flags) */
#define P1_RIGHT(n) ((uint64_t)1 << (n))
#define P1_RIGHT_FD_DATASYNC P1_RIGHT(0)
#define P1_RIGHT_FD_READ P1_RIGHT(1)
#define P1_RIGHT_FD_WRITE P1_RIGHT(6)
#define P1_RIGHT_FD_ALLOCATE P1_RIGHT(8)
#define P1_RIGHT_PATH_CREATE_DIRECTORY P1_RIGHT(9)
#define P1_RIGHT_FD_READDIR P1_RIGHT(14)
#define P1_RIGHT_FD_FILESTAT_SET_SIZE P1_RIGHT(22)
#define P1_RIGHTS_ALL (P1_RIGHT(30) - 1)

/* clocks */
#define P1_CLOCK_REALTIME 0
#define P1_CLOCK_MONOTONIC 1

/* eventtype */
#define P1_EVENTTYPE_CLOCK 0
#define P1_EVENTTYPE_FD_READ 1
#define P1_EVENTTYPE_FD_WRITE 2

/* fstflags */
#define P1_FSTFLAGS_ATIM 1
#define P1_FSTFLAGS_ATIM_NOW 2
#define P1_FSTFLAGS_MTIM 4
#define P1_FSTFLAGS_MTIM_NOW 8

/* struct layouts (wasm32) */
typedef struct {
    uint8_t filetype;
    uint16_t flags;
    uint64_t rights_base;
    uint64_t rights_inheriting;
} p1_fdstat; /* 24 bytes */

typedef struct {
    uint64_t dev;
    uint64_t ino;
    uint8_t filetype;
    uint64_t nlink;
    uint64_t size;
    uint64_t atim;
    uint64_t mtim;
    uint64_t ctim;
} p1_filestat; /* 64 bytes */

typedef struct {
    uint64_t d_next;
    uint64_t d_ino;
    uint32_t d_namlen;
    uint8_t d_type;
} p1_dirent; /* 24 bytes, name follows */

typedef struct {
    uint8_t tag;
    uint32_t name_len;
} p1_prestat; /* 8 bytes */

typedef struct {
    uint64_t userdata;
    uint8_t tag;
    union {
        struct {
            uint32_t id;
            uint64_t timeout;
            uint64_t precision;
            uint16_t flags;
        } clock;
        struct {
            uint32_t fd;
        } fd_readwrite;
    } u;
} p1_subscription; /* 48 bytes */

typedef struct {
    uint64_t userdata;
    uint16_t error;
    uint8_t type;
    uint64_t nbytes;
    uint16_t flags;
} p1_event; /* 32 bytes */

typedef struct {
    uint32_t buf;
    uint32_t len;
} p1_iovec;

_Static_assert(sizeof(p1_fdstat) == 24, "fdstat layout");
_Static_assert(sizeof(p1_filestat) == 64, "filestat layout");
_Static_assert(sizeof(p1_dirent) == 24, "dirent layout");
_Static_assert(sizeof(p1_prestat) == 8, "prestat layout");
_Static_assert(sizeof(p1_subscription) == 48, "subscription layout");
_Static_assert(sizeof(p1_event) == 32, "event layout");

#endif
