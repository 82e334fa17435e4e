/*
 * wasit2 system layer: allocating fds, and the preopened directories.
 *
 * Apart from w2_fdtable.c so that a program which only uses stdio links
 * neither: fds 3.. are the preopens in get-directories order, then whatever
 * the program opens (lowest free number first, as POSIX requires). Every
 * descriptor handle comes from here or from open(), which allocates here,
 * so this file also defines the descriptor drop w2_fd_release refers to.
 *
 * It also replaces wasi-libc's preopens.c (SOURCES.txt): the fd table is
 * the one record of the preopens. An entry with a preopen_name is a root
 * for absolute paths, so closing the fd removes the root and dup2 moves it,
 * and no second table is built from fd_prestat_get at start-up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/libc-find-relpath.h>
#include <wasi/libc.h>

#include "w2_internal.h"

static bool preopens_ready;

W2_COLD_BEGIN

void w2_desc_release(w2_fd *f) {
    if (f->desc >= 0)
        w2s_drop_descriptor(f->desc);
}

static bool grow(size_t want) {
    if (want <= w2_table_len)
        return true;
    size_t n = w2_table_len * 2;
    while (n < want)
        n *= 2;
    w2_fd *t = malloc(n * sizeof *t);
    if (!t)
        return false;
    memcpy(t, w2_table, w2_table_len * sizeof *t);
    /* Free entries are all-zero (W2_FREE); w2_fd_slot sets up the rest. */
    memset(t + w2_table_len, 0, (n - w2_table_len) * sizeof *t);
    /* The first table is static; later ones are ours to free. */
    if (w2_table_len > W2_STATIC_FDS)
        free(w2_table);
    w2_table = t;
    w2_table_len = n;
    return true;
}

/* Preopens take fds 3.. in get-directories order. They are fetched at
 * start-up (preopens_at_start) or by the first fd allocation, whichever
 * comes first. This file is linked only by code that opens or resolves
 * paths, which keeps get-directories and malloc out of the rest. */
static void preopens_init(void) {
    if (preopens_ready)
        return;
    preopens_ready = true;
    /* Sets up stdio first, so the preopens come after it. */
    w2_fd_get(0);
    w2s_preopen *pre = NULL;
    size_t npre = 0;
    if (w2s_preopens(&pre, &npre) != 0)
        return;
    if (!grow(3 + npre + 1))
        npre = w2_table_len - 3;
    for (size_t i = 0; i < npre; i++) {
        w2_fd *f = w2_fd_slot(3 + (int)i);
        f->kind = W2_DIR;
        f->preopen = 1;
        f->desc = pre[i].desc;
        f->release = w2_desc_release;
        f->preopen_name = pre[i].name;
    }
}

/* As wasi-libc's start-up scan did: fd 3 is there for a program's first
 * call (fstat(3), openat(3, ...)). Priority 51 is that scan's; running
 * first keeps the numbering when a constructor opens files. */
__attribute__((constructor(51))) static void preopens_at_start(void) {
    preopens_init();
}

int w2_fd_alloc(void) {
    preopens_init();
    for (size_t i = 0; i < w2_table_len; i++)
        if (w2_table[i].kind == W2_FREE)
            return (int)i;
    size_t n = w2_table_len;
    if (n >= 0x7fffffff || !grow(n + 1))
        return -1;
    return (int)n;
}

/* Out of line: preopens_init would otherwise carry a second copy. */
__attribute__((noinline)) w2_fd *w2_fd_slot(int fd) {
    w2_fd *f = &w2_table[fd];
    memset(f, 0, sizeof *f);
    w2_clear_handles(f);
    return f;
}

__wasi_errno_t __wasi_fd_prestat_get(__wasi_fd_t fd, __wasi_prestat_t *buf) {
    preopens_init();
    w2_fd *f = w2_fd_get(fd);
    /* preopens.c stops scanning at the first EBADF. */
    if (!f || !f->preopen)
        return __WASI_ERRNO_BADF;
    buf->tag = __WASI_PREOPENTYPE_DIR;
    buf->u.dir.pr_name_len = strlen(f->preopen_name);
    return 0;
}

__wasi_errno_t __wasi_fd_prestat_dir_name(__wasi_fd_t fd, uint8_t *path, __wasi_size_t path_len) {
    w2_fd *f = w2_fd_get(fd);
    if (!f || !f->preopen)
        return __WASI_ERRNO_BADF;
    size_t len = strlen(f->preopen_name);
    if (path_len < len)
        return __WASI_ERRNO_NAMETOOLONG;
    memcpy(path, f->preopen_name, len);
    return 0;
}

/* ---- wasi-libc's preopen API (libc.h, libc-find-relpath.h) ---- */

int __wasilibc_register_preopened_fd(int fd, const char *prefix) {
    preopens_init();
    w2_fd *f = w2_fd_get(fd);
    if (!f) {
        errno = EBADF;
        return -1;
    }
    char *name = strdup(prefix);
    if (!name)
        return -1;
    /* A root for paths, not a host preopen: fd_prestat_get still says
     * EBADF, as it does in wasi-libc. */
    f->preopen_name = name;
    return 0;
}

/* The longest root that is a whole-component prefix of path; among equal
 * ones the highest fd, the newest as wasi-libc counts. Roots are compared
 * without leading "/", "./" or a lone ".": the working directory is "/". */
int __wasilibc_find_abspath(const char *path, const char **abs_prefix, const char **relative_path) {
    preopens_init();
    while (*path == '/')
        path++;
    int found = -1;
    size_t found_len = 0;
    for (size_t fd = w2_table_len; fd-- > 0;) {
        const w2_fd *f = &w2_table[fd];
        const char *root = f->preopen_name;
        if (f->kind == W2_FREE || !root)
            continue;
        for (;;) {
            if (root[0] == '/')
                root++;
            else if (root[0] == '.' && (root[1] == '/' || root[1] == 0))
                root += 1 + (root[1] == '/');
            else
                break;
        }
        size_t len = strlen(root);
        if (found >= 0 && len <= found_len)
            continue;
        /* Stops at path's NUL at the latest: root has none before len. */
        size_t same = 0;
        while (same < len && path[same] == root[same])
            same++;
        if (same < len)
            continue;
        /* A root "a/" matches "a" and "a/b", never "ab". */
        size_t end = len;
        while (end && root[end - 1] == '/')
            end--;
        if (len && path[end] != '/' && path[end] != 0)
            continue;
        found = (int)fd;
        found_len = len;
        *abs_prefix = root;
    }
    if (found < 0) {
        errno = ENOENT;
        return -1;
    }
    path += found_len;
    while (*path == '/')
        path++;
    /* The *at calls refuse an empty path. */
    *relative_path = *path ? path : ".";
    return found;
}

int __wasilibc_find_relpath(const char *path, const char **abs_prefix, char **relative_path,
                            size_t relative_path_len) {
    /* With chdir linked (its file defines the weak symbol) paths are
     * relative to the cwd; otherwise to "/". */
    if (__wasilibc_find_relpath_alloc)
        return __wasilibc_find_relpath_alloc(path, abs_prefix, relative_path, &relative_path_len, 0);
    return __wasilibc_find_abspath(path, abs_prefix, (const char **)relative_path);
}

W2_COLD_END
