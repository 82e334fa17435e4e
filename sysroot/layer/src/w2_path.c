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

/* What path_open and openat share, once each has said whether the new fd
 * reads and writes: openat calls it directly, so that open() carries no
 * rights arithmetic and a program that never calls path_open itself does
 * not link it. dir is a W2_DIR entry. */
static __wasi_errno_t open_in(w2_fd *dir, bool follow, const char *path, __wasi_oflags_t oflags, bool read,
                              bool write, __wasi_fdflags_t fdflags, __wasi_fd_t *retptr0) {
    bool is_dir = (oflags & __WASI_OFLAGS_DIRECTORY) != 0;
    int nfd = w2_fd_alloc();
    if (nfd < 0)
        return __WASI_ERRNO_NFILE;
    int32_t nd;
    uint32_t access = (read || !write ? W2S_OPEN_READ : 0) | (write && !is_dir ? W2S_OPEN_WRITE : 0);
    /* A directory opened for reading still needs mutate-directory so that
     * *at() calls through it can create and remove entries. */
    uint32_t mutate = is_dir || !write ? W2S_OPEN_MUTATE_DIR : 0;
    __wasi_errno_t e = w2s_fs_open_at(dir->desc, follow, path, oflags, access | mutate, fdflags, &nd);
    if (e)
        return e;
    uint8_t type = __WASI_FILETYPE_REGULAR_FILE;
    static uint64_t size; /* not asked; static: no stack slot */
    w2s_fs_type_size(nd, &type, &size);
    w2_fd *f = w2_fd_slot(nfd);
    f->kind = type == __WASI_FILETYPE_DIRECTORY ? W2_DIR : W2_FILE;
    if (f->kind == W2_FILE)
        f->ops = &w2_file_ops;
    f->desc = nd;
    f->release = w2_desc_release;
    f->fdflags = fdflags;
    /* Kept rather than asked again (get-flags): fcntl, fd_fdstat_get and
     * openat read it. */
    f->access = (uint8_t)access;
    *retptr0 = (__wasi_fd_t)nfd;
    return 0;
}

__wasi_errno_t __wasi_path_open(__wasi_fd_t fd, __wasi_lookupflags_t dirflags, const char *path, __wasi_oflags_t oflags, __wasi_rights_t rights_base,
                                __wasi_rights_t rights_inheriting, __wasi_fdflags_t fdflags,
                                __wasi_fd_t *retptr0) {
    w2_fd *f = w2_fd_get(fd);
    if (!f)
        return __WASI_ERRNO_BADF;
    if (f->kind != W2_DIR)
        return __WASI_ERRNO_NOTDIR;
    bool read = (rights_base & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR)) != 0;
    bool write = (rights_base & (__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE |
                                 __WASI_RIGHTS_FD_FILESTAT_SET_SIZE)) != 0;
    return open_in(f, FOLLOW(dirflags), path, oflags, read, write, fdflags, retptr0);
}

/* openat() (replaces the bottom half's openat.c, see SOURCES.txt). As
 * there, the new descriptor gets the rights of the access mode that the
 * directory passes on, worked out from the fd table rather than through
 * __wasi_fd_fdstat_get: a preopen passes on everything, another directory
 * loses the read rights when it was not opened for reading. (It loses
 * FD_WRITE too when not opened for writing, but the other write rights
 * open asks for stay, and any of them makes path_open open for writing.)
 * What is not a directory fails as path_open would. */
int __wasilibc_nocwd_openat_nomode(int fd, const char *path, int oflag) {
    int mode = oflag & O_ACCMODE;
    __wasi_errno_t e;
    if (mode != O_RDONLY && mode != O_WRONLY && mode != O_RDWR && mode != O_EXEC && mode != O_SEARCH) {
        e = __WASI_ERRNO_INVAL;
    } else {
        /* O_EXEC and O_SEARCH ask for neither. */
        bool read = (oflag & O_RDONLY) != 0, write = (oflag & O_WRONLY) != 0;
        w2_fd *f = w2_fd_get(fd);
        __wasi_fd_t nfd;
        if (!f) {
            e = __WASI_ERRNO_BADF;
        } else if (f->kind != W2_DIR) {
            e = __WASI_ERRNO_NOTDIR;
        } else {
            /* How path_open opened it (w2_fd.access). */
            if (!f->preopen && !(f->access & W2_ACCESS_READ))
                read = false;
            e = open_in(f, !(oflag & O_NOFOLLOW), path, (oflag >> 12) & 0xfff, read, write, oflag & 0xfff, &nfd);
            if (!e)
                return nfd;
        }
    }
    errno = e;
    return -1;
}

W2_COLD_END

/* ---- operations of the fds path_open creates (see w2_internal.h) ---- */

__wasi_errno_t w2_file_read(w2_fd *f, void *buf, size_t len, uint64_t off, bool positional, size_t *n) {
    return w2s_fs_read(f->desc, buf, len, positional ? off : f->pos, n);
}

static __wasi_errno_t w2_file_size(w2_fd *f, uint64_t *size) {
    static uint8_t type; /* not asked; static: no stack frame */
    return w2s_fs_type_size(f->desc, &type, size);
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
    static uint64_t size; /* not asked; static: no stack slot */
    w2s_fs_type_size(f->desc, &t, &size);
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
