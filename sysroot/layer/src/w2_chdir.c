/*
 * wasit2 system layer: chdir, and paths resolved against the working
 * directory (replaces the bottom half's chdir.c, see SOURCES.txt).
 *
 * Linked only by programs that call chdir: posix.c then resolves every
 * path through __wasilibc_find_relpath_alloc (a weak reference) instead of
 * __wasilibc_find_relpath.
 *
 * posix.c keeps one result buffer per helper, and its __wasilibc_link
 * (linkat with AT_FDCWD, which Rust's std::fs::hard_link calls) asks the
 * same helper for both paths: with wasi-libc's chdir.c the second answer
 * overwrote the first, and link(a, b) became link(b, b). So relative paths
 * handed out for posix.c go to two buffers of this file in turn; no libc
 * call holds more than two paths.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/libc-find-relpath.h>

#include "w2_internal.h"

extern char *__wasilibc_cwd; /* getcwd.c: "/" until chdir */

W2_COLD_BEGIN

/* path against the working directory ("" and "." are the directory
 * itself, a leading "./" is dropped; nothing else is normalized). NULL
 * when memory runs out. */
static const char *absolute(const char *path) {
    static char *buf;
    static size_t cap;
    if (path[0] == '/')
        return path;
    if (!path[0] || !strcmp(path, ".") || !strcmp(path, "./"))
        return __wasilibc_cwd;
    if (path[0] == '.' && path[1] == '/')
        path += 2;
    size_t cwd_len = strlen(__wasilibc_cwd), len = strlen(path);
    size_t slash = __wasilibc_cwd[cwd_len - 1] != '/';
    size_t need = cwd_len + slash + len + 1;
    if (need > cap) {
        char *grown = realloc(buf, need);
        if (!grown)
            return NULL;
        buf = grown;
        cap = need;
    }
    memcpy(buf, __wasilibc_cwd, cwd_len);
    buf[cwd_len] = '/';
    memcpy(buf + cwd_len + slash, path, len + 1);
    return buf;
}

int __wasilibc_find_relpath_alloc(const char *path, const char **abs_prefix, char **relative_buf,
                                  size_t *relative_buf_len, int can_realloc) {
    const char *abs = absolute(path);
    if (!abs) {
        errno = ENOMEM;
        return -1;
    }
    const char *rel;
    int fd = __wasilibc_find_abspath(abs, abs_prefix, &rel);
    if (fd < 0)
        return -1;
    size_t need = strlen(rel) + 1;
    if (can_realloc) {
        /* Ours, in turn (see the top of the file); the caller's buffer is
         * one of them or NULL, and is never freed by it. */
        static char *ring[2];
        static size_t ring_cap[2];
        static unsigned next;
        unsigned k = next;
        next ^= 1;
        if (need > ring_cap[k]) {
            char *grown = realloc(ring[k], need);
            if (!grown) {
                errno = ENOMEM;
                return -1;
            }
            ring[k] = grown;
            ring_cap[k] = need;
        }
        *relative_buf = ring[k];
        *relative_buf_len = ring_cap[k];
    } else if (*relative_buf_len < need) {
        errno = ERANGE;
        return -1;
    }
    memcpy(*relative_buf, rel, need);
    return fd;
}

int chdir(const char *path) {
    static bool cwd_is_ours; /* else getcwd.c's static "/" */
    const char *prefix;
    char *rel = NULL;
    size_t rel_cap = 0;
    int dirfd = __wasilibc_find_relpath_alloc(path, &prefix, &rel, &rel_cap, 1);
    if (dirfd < 0)
        return -1;
    struct stat st;
    if (fstatat(dirfd, rel, &st, 0) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    /* "/" root "/" rel: no rel when it is ".", no middle "/" when either
     * part is empty. */
    bool with_rel = strcmp(rel, ".") != 0;
    size_t root_len = strlen(prefix), rel_len = with_rel ? strlen(rel) : 0;
    size_t mid = with_rel && root_len;
    char *cwd = malloc(1 + root_len + mid + rel_len + 1);
    if (!cwd) {
        errno = ENOMEM;
        return -1;
    }
    cwd[0] = '/';
    memcpy(cwd + 1, prefix, root_len);
    cwd[1 + root_len] = '/';
    memcpy(cwd + 1 + root_len + mid, rel, rel_len);
    cwd[1 + root_len + mid + rel_len] = 0;
    if (cwd_is_ours)
        free(__wasilibc_cwd);
    __wasilibc_cwd = cwd;
    cwd_is_ours = true;
    return 0;
}

W2_COLD_END
