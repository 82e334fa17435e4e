/*
 * The `wasi_snapshot_preview1` imports left in a linked module, served by
 * the wasit2 libc's preview-1 layer (`__wasi_*`, sysroot/layer) instead of
 * a host. wasit-ld pulls in only the functions the module imports
 * (`-u __wasit2_p1_<name>`) and then redirects each import to its function.
 *
 * Each function has exactly the core signature of the import (i32/i64
 * scalars, pointers as i32). The layer's C API takes paths NUL-terminated,
 * the raw imports take (pointer, length): those are copied.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define P1(name) int32_t __wasit2_p1_##name
typedef int32_t ptr;

/* A NUL-terminated copy of a (pointer, length) path; NULL on a path
 * holding NUL (WASI paths never do) or when out of memory. */
static char *cpath(ptr p, int32_t len, __wasi_errno_t *err) {
    const char *s = (const char *)p;
    if (memchr(s, 0, (size_t)len)) {
        *err = __WASI_ERRNO_ILSEQ;
        return NULL;
    }
    char *c = malloc((size_t)len + 1);
    if (!c) {
        *err = __WASI_ERRNO_NOMEM;
        return NULL;
    }
    memcpy(c, s, (size_t)len);
    c[len] = 0;
    return c;
}

#define PATH(var, p, len)                  \
    __wasi_errno_t var##_err = 0;          \
    char *var = cpath(p, len, &var##_err); \
    if (!var)                              \
        return var##_err;

P1(args_get)(ptr argv, ptr buf) { return __wasi_args_get((uint8_t **)argv, (uint8_t *)buf); }
P1(args_sizes_get)(ptr argc, ptr size) { return __wasi_args_sizes_get((__wasi_size_t *)argc, (__wasi_size_t *)size); }
P1(environ_get)(ptr env, ptr buf) { return __wasi_environ_get((uint8_t **)env, (uint8_t *)buf); }
P1(environ_sizes_get)(ptr n, ptr size) { return __wasi_environ_sizes_get((__wasi_size_t *)n, (__wasi_size_t *)size); }
P1(clock_res_get)(int32_t id, ptr ret) { return __wasi_clock_res_get((__wasi_clockid_t)id, (__wasi_timestamp_t *)ret); }
P1(clock_time_get)(int32_t id, int64_t precision, ptr ret) {
    return __wasi_clock_time_get((__wasi_clockid_t)id, (__wasi_timestamp_t)precision, (__wasi_timestamp_t *)ret);
}
P1(fd_advise)(int32_t fd, int64_t off, int64_t len, int32_t advice) {
    return __wasi_fd_advise(fd, (__wasi_filesize_t)off, (__wasi_filesize_t)len, (__wasi_advice_t)advice);
}
P1(fd_allocate)(int32_t fd, int64_t off, int64_t len) { return __wasi_fd_allocate(fd, (__wasi_filesize_t)off, (__wasi_filesize_t)len); }
P1(fd_close)(int32_t fd) { return __wasi_fd_close(fd); }
P1(fd_datasync)(int32_t fd) { return __wasi_fd_datasync(fd); }
P1(fd_fdstat_get)(int32_t fd, ptr ret) { return __wasi_fd_fdstat_get(fd, (__wasi_fdstat_t *)ret); }
P1(fd_fdstat_set_flags)(int32_t fd, int32_t flags) { return __wasi_fd_fdstat_set_flags(fd, (__wasi_fdflags_t)flags); }
P1(fd_fdstat_set_rights)(int32_t fd, int64_t base, int64_t inh) {
    return __wasi_fd_fdstat_set_rights(fd, (__wasi_rights_t)base, (__wasi_rights_t)inh);
}
P1(fd_filestat_get)(int32_t fd, ptr ret) { return __wasi_fd_filestat_get(fd, (__wasi_filestat_t *)ret); }
P1(fd_filestat_set_size)(int32_t fd, int64_t size) { return __wasi_fd_filestat_set_size(fd, (__wasi_filesize_t)size); }
P1(fd_filestat_set_times)(int32_t fd, int64_t atim, int64_t mtim, int32_t flags) {
    return __wasi_fd_filestat_set_times(fd, (__wasi_timestamp_t)atim, (__wasi_timestamp_t)mtim, (__wasi_fstflags_t)flags);
}
P1(fd_pread)(int32_t fd, ptr iovs, int32_t n, int64_t off, ptr ret) {
    return __wasi_fd_pread(fd, (const __wasi_iovec_t *)iovs, (size_t)n, (__wasi_filesize_t)off, (__wasi_size_t *)ret);
}
P1(fd_prestat_get)(int32_t fd, ptr ret) { return __wasi_fd_prestat_get(fd, (__wasi_prestat_t *)ret); }
P1(fd_prestat_dir_name)(int32_t fd, ptr path, int32_t len) {
    return __wasi_fd_prestat_dir_name(fd, (uint8_t *)path, (__wasi_size_t)len);
}
P1(fd_pwrite)(int32_t fd, ptr iovs, int32_t n, int64_t off, ptr ret) {
    return __wasi_fd_pwrite(fd, (const __wasi_ciovec_t *)iovs, (size_t)n, (__wasi_filesize_t)off, (__wasi_size_t *)ret);
}
P1(fd_read)(int32_t fd, ptr iovs, int32_t n, ptr ret) {
    return __wasi_fd_read(fd, (const __wasi_iovec_t *)iovs, (size_t)n, (__wasi_size_t *)ret);
}
P1(fd_readdir)(int32_t fd, ptr buf, int32_t len, int64_t cookie, ptr ret) {
    return __wasi_fd_readdir(fd, (uint8_t *)buf, (__wasi_size_t)len, (__wasi_dircookie_t)cookie, (__wasi_size_t *)ret);
}
P1(fd_renumber)(int32_t fd, int32_t to) { return __wasi_fd_renumber(fd, to); }
P1(fd_seek)(int32_t fd, int64_t off, int32_t whence, ptr ret) {
    return __wasi_fd_seek(fd, (__wasi_filedelta_t)off, (__wasi_whence_t)whence, (__wasi_filesize_t *)ret);
}
P1(fd_sync)(int32_t fd) { return __wasi_fd_sync(fd); }
P1(fd_tell)(int32_t fd, ptr ret) { return __wasi_fd_tell(fd, (__wasi_filesize_t *)ret); }
P1(fd_write)(int32_t fd, ptr iovs, int32_t n, ptr ret) {
    return __wasi_fd_write(fd, (const __wasi_ciovec_t *)iovs, (size_t)n, (__wasi_size_t *)ret);
}
P1(path_create_directory)(int32_t fd, ptr p, int32_t len) {
    PATH(path, p, len);
    __wasi_errno_t e = __wasi_path_create_directory(fd, path);
    free(path);
    return e;
}
P1(path_filestat_get)(int32_t fd, int32_t flags, ptr p, int32_t len, ptr ret) {
    PATH(path, p, len);
    __wasi_errno_t e = __wasi_path_filestat_get(fd, (__wasi_lookupflags_t)flags, path, (__wasi_filestat_t *)ret);
    free(path);
    return e;
}
P1(path_filestat_set_times)(int32_t fd, int32_t flags, ptr p, int32_t len, int64_t atim, int64_t mtim, int32_t fst) {
    PATH(path, p, len);
    __wasi_errno_t e = __wasi_path_filestat_set_times(fd, (__wasi_lookupflags_t)flags, path, (__wasi_timestamp_t)atim,
                                                      (__wasi_timestamp_t)mtim, (__wasi_fstflags_t)fst);
    free(path);
    return e;
}
P1(path_link)(int32_t old_fd, int32_t old_flags, ptr op, int32_t olen, int32_t new_fd, ptr np, int32_t nlen) {
    PATH(old_path, op, olen);
    __wasi_errno_t new_path_err = 0;
    char *new_path = cpath(np, nlen, &new_path_err);
    if (!new_path) {
        free(old_path);
        return new_path_err;
    }
    __wasi_errno_t e = __wasi_path_link(old_fd, (__wasi_lookupflags_t)old_flags, old_path, new_fd, new_path);
    free(old_path);
    free(new_path);
    return e;
}
P1(path_open)(int32_t fd, int32_t dirflags, ptr p, int32_t len, int32_t oflags, int64_t base, int64_t inh,
              int32_t fdflags, ptr ret) {
    PATH(path, p, len);
    __wasi_errno_t e = __wasi_path_open(fd, (__wasi_lookupflags_t)dirflags, path, (__wasi_oflags_t)oflags,
                                        (__wasi_rights_t)base, (__wasi_rights_t)inh, (__wasi_fdflags_t)fdflags,
                                        (__wasi_fd_t *)ret);
    free(path);
    return e;
}
P1(path_readlink)(int32_t fd, ptr p, int32_t len, ptr buf, int32_t buf_len, ptr ret) {
    PATH(path, p, len);
    __wasi_errno_t e = __wasi_path_readlink(fd, path, (uint8_t *)buf, (__wasi_size_t)buf_len, (__wasi_size_t *)ret);
    free(path);
    return e;
}
P1(path_remove_directory)(int32_t fd, ptr p, int32_t len) {
    PATH(path, p, len);
    __wasi_errno_t e = __wasi_path_remove_directory(fd, path);
    free(path);
    return e;
}
P1(path_rename)(int32_t fd, ptr op, int32_t olen, int32_t new_fd, ptr np, int32_t nlen) {
    PATH(old_path, op, olen);
    __wasi_errno_t new_path_err = 0;
    char *new_path = cpath(np, nlen, &new_path_err);
    if (!new_path) {
        free(old_path);
        return new_path_err;
    }
    __wasi_errno_t e = __wasi_path_rename(fd, old_path, new_fd, new_path);
    free(old_path);
    free(new_path);
    return e;
}
P1(path_symlink)(ptr op, int32_t olen, int32_t fd, ptr np, int32_t nlen) {
    PATH(old_path, op, olen);
    __wasi_errno_t new_path_err = 0;
    char *new_path = cpath(np, nlen, &new_path_err);
    if (!new_path) {
        free(old_path);
        return new_path_err;
    }
    __wasi_errno_t e = __wasi_path_symlink(old_path, fd, new_path);
    free(old_path);
    free(new_path);
    return e;
}
P1(path_unlink_file)(int32_t fd, ptr p, int32_t len) {
    PATH(path, p, len);
    __wasi_errno_t e = __wasi_path_unlink_file(fd, path);
    free(path);
    return e;
}
P1(poll_oneoff)(ptr in, ptr out, int32_t n, ptr ret) {
    return __wasi_poll_oneoff((const __wasi_subscription_t *)in, (__wasi_event_t *)out, (__wasi_size_t)n,
                              (__wasi_size_t *)ret);
}
_Noreturn void __wasit2_p1_proc_exit(int32_t code) { __wasi_proc_exit((__wasi_exitcode_t)code); }
P1(sched_yield)(void) { return __wasi_sched_yield(); }
P1(random_get)(ptr buf, int32_t len) { return __wasi_random_get((uint8_t *)buf, (__wasi_size_t)len); }
P1(sock_accept)(int32_t fd, int32_t flags, ptr ret) {
    return __wasi_sock_accept(fd, (__wasi_fdflags_t)flags, (__wasi_fd_t *)ret);
}
P1(sock_recv)(int32_t fd, ptr iovs, int32_t n, int32_t flags, ptr ret_len, ptr ret_flags) {
    return __wasi_sock_recv(fd, (const __wasi_iovec_t *)iovs, (size_t)n, (__wasi_riflags_t)flags,
                            (__wasi_size_t *)ret_len, (__wasi_roflags_t *)ret_flags);
}
P1(sock_send)(int32_t fd, ptr iovs, int32_t n, int32_t flags, ptr ret) {
    return __wasi_sock_send(fd, (const __wasi_ciovec_t *)iovs, (size_t)n, (__wasi_siflags_t)flags, (__wasi_size_t *)ret);
}
P1(sock_shutdown)(int32_t fd, int32_t how) { return __wasi_sock_shutdown(fd, (__wasi_sdflags_t)how); }
