/*
 * wasit2 system layer: path operations and directory reading.
 * This preview-1 API passes NUL-terminated paths; WASI 0.2 takes them as
 * (pointer, length) strings straight from the caller's memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "w2_internal.h"

void w2_fill_filestat(__wasi_filestat_t *out, const w2s_stat *st, uint64_t ino);

W2_COLD_BEGIN

static __wasi_errno_t dir_desc(__wasi_fd_t fd, int32_t *desc) {
    w2_fd *f = w2_fd_get(fd);
    if (!f)
        return __WASI_ERRNO_BADF;
    if (f->kind != W2_DIR)
        return __WASI_ERRNO_NOTDIR;
    *desc = f->desc;
    return 0;
}

#define FOLLOW(flags) (((flags) & __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW) != 0)

__wasi_errno_t __wasi_path_open(__wasi_fd_t fd, __wasi_lookupflags_t dirflags, const char *path, __wasi_oflags_t oflags, __wasi_rights_t rights_base,
                                __wasi_rights_t rights_inheriting, __wasi_fdflags_t fdflags,
                                __wasi_fd_t *retptr0) {
    int32_t d;
    __wasi_errno_t e = dir_desc(fd, &d);
    if (e)
        return e;
    bool read = (rights_base & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR)) != 0;
    bool write = (rights_base & (__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE |
                                 __WASI_RIGHTS_FD_FILESTAT_SET_SIZE)) != 0;
    bool is_dir = (oflags & __WASI_OFLAGS_DIRECTORY) != 0;
    int nfd = w2_fd_alloc();
    if (nfd < 0)
        return __WASI_ERRNO_NFILE;
    int32_t nd;
    bool readable = read || !write, writable = write && !is_dir;
    /* A directory opened for reading still needs mutate-directory so that
     * *at() calls through it can create and remove entries. */
    e = w2s_fs_open_at(d, FOLLOW(dirflags), path, strlen(path), oflags, readable, writable, is_dir || !write,
                       fdflags, &nd);
    if (e == __WASI_ERRNO_ACCES || e == __WASI_ERRNO_PERM || e == __WASI_ERRNO_ROFS || e == __WASI_ERRNO_ISDIR) {
        /* Retry without mutate-directory for read-only trees, and for
         * directories opened without O_DIRECTORY. */
        e = w2s_fs_open_at(d, FOLLOW(dirflags), path, strlen(path), oflags, readable, writable, false, fdflags,
                           &nd);
    }
    if (e)
        return e;
    uint8_t type = __WASI_FILETYPE_REGULAR_FILE;
    w2s_fs_get_type(nd, &type);
    w2_fd *f = w2_fd_slot(nfd);
    f->kind = type == __WASI_FILETYPE_DIRECTORY ? W2_DIR : W2_FILE;
    if (f->kind == W2_FILE)
        f->ops = &w2_file_ops;
    f->desc = nd;
    f->release = w2_desc_release;
    f->fdflags = fdflags;
    /* Kept rather than asked again (get-flags): fcntl, fd_fdstat_get and
     * openat read it. */
    f->access = (readable ? W2_ACCESS_READ : 0) | (writable ? W2_ACCESS_WRITE : 0);
    *retptr0 = (__wasi_fd_t)nfd;
    return 0;
}

/* openat() (replaces the bottom half's openat.c, see SOURCES.txt). As
 * there, the new descriptor gets the rights of the access mode that the
 * directory passes on; the directory's are worked out from the fd table
 * rather than through __wasi_fd_fdstat_get (same answer: a preopen passes
 * on everything, another directory loses read and write when it was not
 * opened for them; what is not a directory fails in path_open). */
int __wasilibc_nocwd_openat_nomode(int fd, const char *path, int oflag) {
    /* Every right involved is below bit 32 (W2_RIGHTS_ALL). */
    uint32_t read_rights = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR;
    uint32_t write_rights = __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE |
                            __WASI_RIGHTS_FD_FILESTAT_SET_SIZE;
    uint32_t rights = W2_RIGHTS_ALL & ~(read_rights | write_rights);
    int mode = oflag & O_ACCMODE;
    if (mode == O_RDONLY || mode == O_WRONLY || mode == O_RDWR) {
        if (oflag & O_RDONLY)
            rights |= read_rights;
        if (oflag & O_WRONLY)
            rights |= write_rights;
    } else if (mode != O_EXEC && mode != O_SEARCH) {
        errno = EINVAL;
        return -1;
    }
    w2_fd *f = w2_fd_get(fd);
    if (!f) {
        errno = EBADF;
        return -1;
    }
    uint32_t inheriting = W2_RIGHTS_ALL;
    if (f->kind == W2_DIR && !f->preopen) {
        /* How path_open opened it (w2_fd.access). */
        if (!(f->access & W2_ACCESS_READ))
            inheriting &= ~read_rights;
        if (!(f->access & W2_ACCESS_WRITE))
            inheriting &= ~(uint32_t)__WASI_RIGHTS_FD_WRITE;
    }
    __wasi_fd_t nfd;
    __wasi_errno_t e = __wasi_path_open(fd, (oflag & O_NOFOLLOW) ? 0 : __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path,
                                        (oflag >> 12) & 0xfff, rights & inheriting, inheriting, oflag & 0xfff, &nfd);
    if (e) {
        errno = e;
        return -1;
    }
    return nfd;
}

W2_COLD_END

/* ---- operations of the fds path_open creates (see w2_internal.h) ---- */

__wasi_errno_t w2_file_read(w2_fd *f, void *buf, size_t len, uint64_t off, bool positional, size_t *n) {
    return w2s_fs_read(f->desc, buf, len, positional ? off : f->pos, n);
}

static __wasi_errno_t w2_file_size(w2_fd *f, uint64_t *size) {
    return w2s_fs_size(f->desc, size);
}

__wasi_errno_t w2_file_write(w2_fd *f, const void *buf, size_t len, uint64_t off, bool positional, size_t *n) {
    uint64_t at = positional ? off : f->pos;
    if (!positional && (f->fdflags & __WASI_FDFLAGS_APPEND)) {
        __wasi_errno_t e = w2_file_size(f, &at);
        if (e)
            return e;
    }
    __wasi_errno_t e = w2s_fs_write(f->desc, buf, len, at, n);
    if (!e && !positional)
        f->pos = at + *n;
    return e;
}

W2_COLD_BEGIN

__wasi_errno_t w2_file_seek(w2_fd *f, __wasi_filedelta_t offset, __wasi_whence_t whence,
                            __wasi_filesize_t *newoffset) {
    uint64_t base;
    switch (whence) {
    case __WASI_WHENCE_SET:
        base = 0;
        break;
    case __WASI_WHENCE_CUR:
        base = f->pos;
        break;
    case __WASI_WHENCE_END: {
        __wasi_errno_t e = w2_file_size(f, &base);
        if (e)
            return e;
        break;
    }
    default:
        return __WASI_ERRNO_INVAL;
    }
    int64_t to;
    if (__builtin_add_overflow((int64_t)base, offset, &to) || to < 0)
        return __WASI_ERRNO_INVAL;
    f->pos = (uint64_t)to;
    *newoffset = f->pos;
    return 0;
}

const w2_fd_ops w2_file_ops = {w2_file_read, w2_file_write, w2_file_seek};

uint8_t w2_file_type(w2_fd *f) {
    uint8_t t = __WASI_FILETYPE_REGULAR_FILE;
    w2s_fs_get_type(f->desc, &t);
    return t;
}

__wasi_errno_t __wasi_path_create_directory(__wasi_fd_t fd, const char *path) {
    int32_t d;
    __wasi_errno_t e = dir_desc(fd, &d);
    return e ? e : w2s_fs_mkdir_at(d, path, strlen(path));
}

__wasi_errno_t __wasi_path_remove_directory(__wasi_fd_t fd, const char *path) {
    int32_t d;
    __wasi_errno_t e = dir_desc(fd, &d);
    return e ? e : w2s_fs_rmdir_at(d, path, strlen(path));
}

__wasi_errno_t __wasi_path_unlink_file(__wasi_fd_t fd, const char *path) {
    int32_t d;
    __wasi_errno_t e = dir_desc(fd, &d);
    return e ? e : w2s_fs_unlink_at(d, path, strlen(path));
}

__wasi_errno_t __wasi_path_filestat_get(__wasi_fd_t fd, __wasi_lookupflags_t flags, const char *path,
                                        __wasi_filestat_t *retptr0) {
    int32_t d;
    __wasi_errno_t e = dir_desc(fd, &d);
    if (e)
        return e;
    w2s_stat st;
    if ((e = w2s_fs_stat_at(d, FOLLOW(flags), path, strlen(path), &st)))
        return e;
    uint64_t ino = 0;
    w2s_fs_hash_at(d, FOLLOW(flags), path, strlen(path), &ino);
    w2_fill_filestat(retptr0, &st, ino);
    return 0;
}

__wasi_errno_t __wasi_path_filestat_set_times(__wasi_fd_t fd, __wasi_lookupflags_t flags, const char *path,
                                              __wasi_timestamp_t atim, __wasi_timestamp_t mtim,
                                              __wasi_fstflags_t fst_flags) {
    int32_t d;
    __wasi_errno_t e = dir_desc(fd, &d);
    return e ? e : w2s_fs_set_times_at(d, FOLLOW(flags), path, strlen(path), atim, mtim, fst_flags);
}

__wasi_errno_t __wasi_path_link(__wasi_fd_t old_fd, __wasi_lookupflags_t old_flags, const char *old_path,
                                __wasi_fd_t new_fd, const char *new_path) {
    int32_t od, nd;
    __wasi_errno_t e = dir_desc(old_fd, &od);
    if (e || (e = dir_desc(new_fd, &nd)))
        return e;
    return w2s_fs_link_at(od, FOLLOW(old_flags), old_path, strlen(old_path), nd, new_path, strlen(new_path));
}

__wasi_errno_t __wasi_path_rename(__wasi_fd_t fd, const char *old_path, __wasi_fd_t new_fd,
                                  const char *new_path) {
    int32_t od, nd;
    __wasi_errno_t e = dir_desc(fd, &od);
    if (e || (e = dir_desc(new_fd, &nd)))
        return e;
    return w2s_fs_rename_at(od, old_path, strlen(old_path), nd, new_path, strlen(new_path));
}

__wasi_errno_t __wasi_path_symlink(const char *old_path, __wasi_fd_t fd, const char *new_path) {
    int32_t d;
    __wasi_errno_t e = dir_desc(fd, &d);
    return e ? e : w2s_fs_symlink_at(d, old_path, strlen(old_path), new_path, strlen(new_path));
}

__wasi_errno_t __wasi_path_readlink(__wasi_fd_t fd, const char *path, uint8_t *buf,
                                    __wasi_size_t buf_len, __wasi_size_t *retptr0) {
    int32_t d;
    __wasi_errno_t e = dir_desc(fd, &d);
    if (e)
        return e;
    size_t n = 0;
    e = w2s_fs_readlink_at(d, path, strlen(path), (char *)buf, buf_len, &n);
    if (!e)
        *retptr0 = n;
    return e;
}

W2_COLD_END
