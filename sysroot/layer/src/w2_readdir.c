/*
 * wasit2 system layer: fd_readdir.
 *
 * Apart from w2_path.c so that a program which opens files but never reads
 * a directory links neither the directory-entry-stream nor its drop: only
 * fd_readdir creates a stream, and it points the fd's release (see
 * w2_internal.h) at the stream's drop when it does.
 */
#include <stdlib.h>
#include <string.h>

#include "w2_internal.h"

W2_COLD_BEGIN

static void dir_release(w2_fd *f) {
    if (f->dir_stream >= 0)
        w2s_drop_dir_stream(f->dir_stream);
    free(f->dir_cache.name);
    w2_desc_release(f);
}

/* ---- fd_readdir ----
 * p1 hands out entries by cookie (= entry index here). The stream is only
 * restarted when the caller goes backwards; an entry that was truncated in
 * the caller's buffer stays cached for the next call. */

static __wasi_errno_t dir_restart(w2_fd *f) {
    /* Streams (and the entry cache) exist only from here on. */
    f->release = dir_release;
    if (f->dir_stream >= 0)
        w2s_drop_dir_stream(f->dir_stream);
    f->dir_stream = -1;
    f->dir_next = 0;
    f->dir_cache.valid = false;
    return w2s_fs_read_directory(f->desc, &f->dir_stream);
}

/* Makes dir_cache hold entry `index`; *end when the directory has fewer. */
static __wasi_errno_t dir_entry(w2_fd *f, uint64_t index, bool *end) {
    *end = false;
    w2_dirent_cache *c = &f->dir_cache;
    if (c->valid && c->index == index)
        return 0;
    if (f->dir_stream < 0 || index < f->dir_next) {
        __wasi_errno_t e = dir_restart(f);
        if (e)
            return e;
    }
    while (f->dir_next <= index) {
        c->valid = false;
        __wasi_errno_t e =
            w2s_fs_read_dir_entry(f->dir_stream, end, &c->type, &c->name, &c->name_cap, &c->name_len);
        if (e)
            return e;
        if (*end)
            return 0;
        c->valid = true;
        c->index = f->dir_next++;
    }
    return 0;
}

/* Cookies 0 and 1 are `.` and `..`, which a wasi:filesystem directory
 * stream leaves out and wasmtime's p1 adds; stream entry i has cookie i + 2.
 * d_ino is the entry's metadata hash, the same number fstatat gives as
 * st_ino. */
__wasi_errno_t __wasi_fd_readdir(__wasi_fd_t fd, uint8_t *buf, __wasi_size_t buf_len, __wasi_dircookie_t cookie,
                                 __wasi_size_t *retptr0) {
    w2_fd *f = w2_fd_get(fd);
    if (!f)
        return __WASI_ERRNO_BADF;
    if (f->kind != W2_DIR)
        return __WASI_ERRNO_NOTDIR;
    size_t used = 0;
    uint64_t index = cookie;
    while (used < buf_len) {
        const char *name;
        size_t name_len;
        uint8_t type;
        uint64_t ino = 0;
        if (index < 2) {
            name = "..";
            name_len = index + 1;
            type = __WASI_FILETYPE_DIRECTORY;
            /* `..` gets the directory's own number, as in wasmtime's p1:
             * the parent of a preopen is out of reach. */
            w2s_fs_hash(f->desc, &ino);
        } else {
            bool end;
            __wasi_errno_t e = dir_entry(f, index - 2, &end);
            if (e)
                return used ? 0 : e;
            if (end)
                break;
            w2_dirent_cache *c = &f->dir_cache;
            name = c->name;
            name_len = c->name_len;
            type = c->type;
            w2s_fs_hash_at(f->desc, false, name, name_len, &ino);
        }
        __wasi_dirent_t de;
        memset(&de, 0, sizeof de);
        de.d_next = index + 1;
        de.d_ino = ino;
        de.d_namlen = name_len;
        de.d_type = type;
        /* Entries may be cut at the end of the buffer; libc then retries
         * with a bigger one from the same cookie. */
        size_t n = buf_len - used < sizeof de ? buf_len - used : sizeof de;
        memcpy(buf + used, &de, n);
        used += n;
        n = buf_len - used < name_len ? buf_len - used : name_len;
        memcpy(buf + used, name, n);
        used += n;
        index++;
    }
    *retptr0 = used;
    return 0;
}

W2_COLD_END
