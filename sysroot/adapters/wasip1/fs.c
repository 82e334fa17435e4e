/* wasi:filesystem/types and wasi:filesystem/preopens over p1 fds. */
#include "adapter.h"

#define DESC(h) (w2_get((h), K_DESCRIPTOR)->fd)

/* result<_, error-code>: discriminant, then the code at offset 1. */
static void store_unit(int32_t ret, int32_t err) {
    if (err == 0) {
        ST8(PTR(ret), 0, 0);
    } else {
        ST8(PTR(ret), 0, 1);
        ST8(PTR(ret), 1, w2_fs_error(err));
    }
}

/* result<T, error-code> with T at `off`: on error the code goes at `off`. */
static int store_err_at(int32_t ret, uint32_t off, int32_t err) {
    if (err == 0)
        return 0;
    ST8(PTR(ret), 0, 1);
    ST8(PTR(ret), off, w2_fs_error(err));
    return 1;
}

static void store_handle(int32_t ret, int32_t handle) {
    ST8(PTR(ret), 0, 0);
    ST32(PTR(ret), 4, handle);
}

/* ---- descriptors ------------------------------------------------------ */

void W2_wasi_filesystem_types_descriptor_drop(int32_t self) {
    struct entry *d = w2_get(self, K_DESCRIPTOR);
    if (!(d->flags & F_PREOPEN))
        __wasit2_p1_fd_close(d->fd);
    d->kind = K_FREE;
}

void W2_wasi_filesystem_types_directory_entry_stream_drop(int32_t self) {
    w2_free(self, K_DIRSTREAM);
}

static int32_t filetype_of(int32_t fd, uint8_t *ft) {
    p1_fdstat st;
    st.filetype = 0;
    int32_t err = __wasit2_p1_fd_fdstat_get(fd, ADDR(&st));
    *ft = st.filetype;
    return err;
}

void W2_wasi_filesystem_types_method_descriptor_read_via_stream(int32_t self, int64_t off,
                                                                 int32_t ret) {
    int32_t fd = DESC(self);
    uint8_t ft = 0;
    if (store_err_at(ret, 4, filetype_of(fd, &ft)))
        return;
    /* Files are read by offset; other kinds (pipes, ttys) sequentially. */
    if (ft == P1_FILETYPE_REGULAR_FILE || ft == P1_FILETYPE_BLOCK_DEVICE)
        store_handle(ret, w2_new(K_INPUT, IN_FILE, fd, (uint64_t)off));
    else
        store_handle(ret, w2_new(K_INPUT, IN_FD, fd, 0));
}

static int32_t file_out_write(struct entry *s, const p1_iovec *iov, uint32_t *put) {
    uint64_t at = s->val;
    if (s->sub == OUT_APPEND) {
        p1_filestat st;
        int32_t err = w2_fd_filestat(s->fd, &st);
        if (err != 0)
            return err;
        at = st.size;
    }
    int32_t err = __wasit2_p1_fd_pwrite(s->fd, ADDR(iov), 1, (int64_t)at, ADDR(put));
    if (err == 0 && s->sub == OUT_FILE)
        s->val += *put;
    return err;
}

void W2_wasi_filesystem_types_method_descriptor_write_via_stream(int32_t self, int64_t off,
                                                                  int32_t ret) {
    int32_t fd = DESC(self);
    uint8_t ft = 0;
    if (store_err_at(ret, 4, filetype_of(fd, &ft)))
        return;
    if (ft == P1_FILETYPE_REGULAR_FILE || ft == P1_FILETYPE_BLOCK_DEVICE) {
        w2_file_out_write = file_out_write;
        store_handle(ret, w2_new(K_OUTPUT, OUT_FILE, fd, (uint64_t)off));
    } else {
        store_handle(ret, w2_new(K_OUTPUT, OUT_FD, fd, 0));
    }
}

void W2_wasi_filesystem_types_method_descriptor_append_via_stream(int32_t self, int32_t ret) {
    int32_t fd = DESC(self);
    uint8_t ft = 0;
    if (store_err_at(ret, 4, filetype_of(fd, &ft)))
        return;
    if (ft == P1_FILETYPE_REGULAR_FILE) {
        w2_file_out_write = file_out_write;
        store_handle(ret, w2_new(K_OUTPUT, OUT_APPEND, fd, 0));
    } else {
        store_handle(ret, w2_new(K_OUTPUT, OUT_FD, fd, 0));
    }
}

void W2_wasi_filesystem_types_method_descriptor_advise(int32_t self, int64_t off, int64_t len,
                                                        int32_t advice, int32_t ret) {
    /* p2 and p1 number the advice values alike. */
    store_unit(ret, __wasit2_p1_fd_advise(DESC(self), off, len, advice));
}

void W2_wasi_filesystem_types_method_descriptor_sync_data(int32_t self, int32_t ret) {
    store_unit(ret, __wasit2_p1_fd_datasync(DESC(self)));
}

void W2_wasi_filesystem_types_method_descriptor_sync(int32_t self, int32_t ret) {
    store_unit(ret, __wasit2_p1_fd_sync(DESC(self)));
}

void W2_wasi_filesystem_types_method_descriptor_get_flags(int32_t self, int32_t ret) {
    p1_fdstat st;
    if (store_err_at(ret, 1, __wasit2_p1_fd_fdstat_get(DESC(self), ADDR(&st))))
        return;
    uint8_t flags = 0;
    if (st.rights_base & P1_RIGHT_FD_READ)
        flags |= 1; /* read */
    if (st.rights_base & P1_RIGHT_FD_WRITE)
        flags |= 2; /* write */
    if (st.flags & P1_FDFLAGS_SYNC)
        flags |= 4; /* file-integrity-sync */
    if (st.flags & P1_FDFLAGS_DSYNC)
        flags |= 8; /* data-integrity-sync */
    if (st.flags & P1_FDFLAGS_RSYNC)
        flags |= 16; /* requested-write-sync */
    if (st.filetype == P1_FILETYPE_DIRECTORY && (st.rights_base & P1_RIGHT_PATH_CREATE_DIRECTORY))
        flags |= 32; /* mutate-directory */
    ST8(PTR(ret), 0, 0);
    ST8(PTR(ret), 1, flags);
}

void W2_wasi_filesystem_types_method_descriptor_get_type(int32_t self, int32_t ret) {
    uint8_t ft = 0;
    if (store_err_at(ret, 1, filetype_of(DESC(self), &ft)))
        return;
    ST8(PTR(ret), 0, 0);
    ST8(PTR(ret), 1, w2_desc_type(ft));
}

void W2_wasi_filesystem_types_method_descriptor_set_size(int32_t self, int64_t size, int32_t ret) {
    store_unit(ret, __wasit2_p1_fd_filestat_set_size(DESC(self), size));
}

/* new-timestamp (no-change | now | timestamp(datetime)) -> p1 time + fstflags. */
static int64_t timestamp(int32_t tag, int64_t sec, int32_t ns, int32_t set, int32_t now,
                         int32_t *fst) {
    if (tag == 1)
        *fst |= now;
    if (tag == 2) {
        *fst |= set;
        return (int64_t)((uint64_t)sec * 1000000000u + (uint32_t)ns);
    }
    return 0;
}

void W2_wasi_filesystem_types_method_descriptor_set_times(int32_t self, int32_t a_tag, int64_t a_sec,
                                                           int32_t a_ns, int32_t m_tag,
                                                           int64_t m_sec, int32_t m_ns,
                                                           int32_t ret) {
    int32_t fst = 0;
    int64_t at = timestamp(a_tag, a_sec, a_ns, P1_FSTFLAGS_ATIM, P1_FSTFLAGS_ATIM_NOW, &fst);
    int64_t mt = timestamp(m_tag, m_sec, m_ns, P1_FSTFLAGS_MTIM, P1_FSTFLAGS_MTIM_NOW, &fst);
    store_unit(ret, __wasit2_p1_fd_filestat_set_times(DESC(self), at, mt, fst));
}

int32_t W2_wasi_filesystem_types_method_descriptor_read(int32_t self, int64_t length, int64_t off,
                                                        int32_t ret, int32_t arena,
                                                        int32_t arena_len) {
    int32_t fd = DESC(self);
    /* ShortRead: the length is clamped to the arena. */
    uint32_t want = (uint64_t)length < (uint32_t)arena_len ? (uint32_t)length : (uint32_t)arena_len;
    uint32_t got = 0;
    if (want > 0) {
        p1_iovec iov = {(uint32_t)arena, want};
        if (store_err_at(ret, 4, __wasit2_p1_fd_pread(fd, ADDR(&iov), 1, off, ADDR(&got))))
            return 0;
    }
    ST8(PTR(ret), 0, 0);
    ST32(PTR(ret), 4, arena);
    ST32(PTR(ret), 8, got);
    ST8(PTR(ret), 12, want > 0 && got == 0); /* end of file */
    return (int32_t)got;
}

void W2_wasi_filesystem_types_method_descriptor_write(int32_t self, int32_t ptr, int32_t len,
                                                       int64_t off, int32_t ret) {
    p1_iovec iov = {(uint32_t)ptr, (uint32_t)len};
    uint32_t put = 0;
    if (store_err_at(ret, 8, __wasit2_p1_fd_pwrite(DESC(self), ADDR(&iov), 1, off, ADDR(&put))))
        return;
    ST8(PTR(ret), 0, 0);
    ST64(PTR(ret), 8, put);
}

void W2_wasi_filesystem_types_method_descriptor_read_directory(int32_t self, int32_t ret) {
    int32_t fd = DESC(self);
    uint8_t ft = 0;
    if (store_err_at(ret, 4, filetype_of(fd, &ft)))
        return;
    if (ft != P1_FILETYPE_DIRECTORY) {
        store_err_at(ret, 4, 54); /* notdir */
        return;
    }
    store_handle(ret, w2_new(K_DIRSTREAM, 0, fd, 0));
}

/* descriptor-stat at `base` (type, link-count, size, three option<datetime>). */
static void store_stat(uint8_t *base, const p1_filestat *st) {
    ST8(base, 0, w2_desc_type(st->filetype));
    ST64(base, 8, st->nlink);
    ST64(base, 16, st->size);
    const uint64_t times[3] = {st->atim, st->mtim, st->ctim};
    for (uint32_t i = 0; i < 3; i++) {
        uint8_t *opt = base + 24 + 24 * i;
        /* p1 reports 0 for an unknown time. */
        ST8(opt, 0, times[i] != 0);
        ST64(opt, 8, times[i] / 1000000000u);
        ST32(opt, 16, (uint32_t)(times[i] % 1000000000u));
    }
}

void W2_wasi_filesystem_types_method_descriptor_stat(int32_t self, int32_t ret) {
    p1_filestat st;
    if (store_err_at(ret, 8, w2_fd_filestat(DESC(self), &st)))
        return;
    ST8(PTR(ret), 0, 0);
    store_stat(PTR(ret) + 8, &st);
}

void W2_wasi_filesystem_types_method_descriptor_stat_at(int32_t self, int32_t pflags, int32_t path,
                                                         int32_t path_len, int32_t ret) {
    p1_filestat st;
    if (store_err_at(ret, 8,
                     w2_path_filestat(DESC(self), pflags, path, path_len, &st)))
        return;
    ST8(PTR(ret), 0, 0);
    store_stat(PTR(ret) + 8, &st);
}

void W2_wasi_filesystem_types_method_descriptor_set_times_at(int32_t self, int32_t pflags,
                                                              int32_t path, int32_t path_len,
                                                              int32_t a_tag, int64_t a_sec,
                                                              int32_t a_ns, int32_t m_tag,
                                                              int64_t m_sec, int32_t m_ns,
                                                              int32_t ret) {
    int32_t fst = 0;
    int64_t at = timestamp(a_tag, a_sec, a_ns, P1_FSTFLAGS_ATIM, P1_FSTFLAGS_ATIM_NOW, &fst);
    int64_t mt = timestamp(m_tag, m_sec, m_ns, P1_FSTFLAGS_MTIM, P1_FSTFLAGS_MTIM_NOW, &fst);
    store_unit(ret, __wasit2_p1_path_filestat_set_times(DESC(self), pflags, path, path_len, at, mt,
                                                        fst));
}

void W2_wasi_filesystem_types_method_descriptor_link_at(int32_t self, int32_t old_flags,
                                                         int32_t old_path, int32_t old_len,
                                                         int32_t new_desc, int32_t new_path,
                                                         int32_t new_len, int32_t ret) {
    store_unit(ret, __wasit2_p1_path_link(DESC(self), old_flags, old_path, old_len, DESC(new_desc),
                                          new_path, new_len));
}

void W2_wasi_filesystem_types_method_descriptor_open_at(int32_t self, int32_t pflags, int32_t path,
                                                         int32_t path_len, int32_t oflags,
                                                         int32_t dflags, int32_t ret) {
    int32_t dir = DESC(self);
    p1_fdstat st;
    if (store_err_at(ret, 4, __wasit2_p1_fd_fdstat_get(dir, ADDR(&st))))
        return;
    /* Ask for what the parent may hand down, minus read or write rights
     * the caller did not request. */
    uint64_t base = st.rights_inheriting;
    if (!(dflags & 1))
        base &= ~(P1_RIGHT_FD_READ | P1_RIGHT_FD_READDIR);
    if (!(dflags & 2))
        base &= ~(P1_RIGHT_FD_WRITE | P1_RIGHT_FD_DATASYNC | P1_RIGHT_FD_ALLOCATE |
                  P1_RIGHT_FD_FILESTAT_SET_SIZE);
    int32_t fdflags = 0;
    if (dflags & 4)
        fdflags |= P1_FDFLAGS_SYNC;
    if (dflags & 8)
        fdflags |= P1_FDFLAGS_DSYNC;
    if (dflags & 16)
        fdflags |= P1_FDFLAGS_RSYNC;
    int32_t fd = -1;
    /* open-flags and path-flags use the p1 bit values. */
    if (store_err_at(ret, 4,
                     __wasit2_p1_path_open(dir, pflags, path, path_len, oflags, (int64_t)base,
                                           (int64_t)st.rights_inheriting, fdflags, ADDR(&fd))))
        return;
    store_handle(ret, w2_new(K_DESCRIPTOR, 0, fd, 0));
}

int32_t W2_wasi_filesystem_types_method_descriptor_readlink_at(int32_t self, int32_t path,
                                                               int32_t path_len, int32_t ret,
                                                               int32_t arena, int32_t arena_len) {
    /* p1 truncates silently, so read into scratch to learn the length. */
    uint32_t used = 0;
    if (store_err_at(ret, 4,
                     __wasit2_p1_path_readlink(DESC(self), path, path_len, ADDR(w2_scratch),
                                               SCRATCH_SIZE, ADDR(&used))))
        return 0;
    if (used > (uint32_t)arena_len)
        return (int32_t)used;
    w2_copy(PTR(arena), w2_scratch, used);
    ST8(PTR(ret), 0, 0);
    ST32(PTR(ret), 4, arena);
    ST32(PTR(ret), 8, used);
    return (int32_t)used;
}

void W2_wasi_filesystem_types_method_descriptor_remove_directory_at(int32_t self, int32_t path,
                                                                     int32_t path_len, int32_t ret) {
    store_unit(ret, __wasit2_p1_path_remove_directory(DESC(self), path, path_len));
}

void W2_wasi_filesystem_types_method_descriptor_create_directory_at(int32_t self, int32_t path,
                                                                     int32_t path_len, int32_t ret) {
    store_unit(ret, __wasit2_p1_path_create_directory(DESC(self), path, path_len));
}

void W2_wasi_filesystem_types_method_descriptor_rename_at(int32_t self, int32_t old_path,
                                                           int32_t old_len, int32_t new_desc,
                                                           int32_t new_path, int32_t new_len,
                                                           int32_t ret) {
    store_unit(ret, __wasit2_p1_path_rename(DESC(self), old_path, old_len, DESC(new_desc), new_path,
                                            new_len));
}

void W2_wasi_filesystem_types_method_descriptor_symlink_at(int32_t self, int32_t old_path,
                                                            int32_t old_len, int32_t new_path,
                                                            int32_t new_len, int32_t ret) {
    store_unit(ret, __wasit2_p1_path_symlink(old_path, old_len, DESC(self), new_path, new_len));
}

void W2_wasi_filesystem_types_method_descriptor_unlink_file_at(int32_t self, int32_t path,
                                                                int32_t path_len, int32_t ret) {
    store_unit(ret, __wasit2_p1_path_unlink_file(DESC(self), path, path_len));
}

int32_t W2_wasi_filesystem_types_method_descriptor_is_same_object(int32_t self, int32_t other) {
    p1_filestat a, b;
    if (w2_fd_filestat(DESC(self), &a) != 0 ||
        w2_fd_filestat(DESC(other), &b) != 0)
        return 0;
    return a.dev == b.dev && a.ino == b.ino;
}

/* metadata-hash-value from (inode, device): stable for one object. */
static void store_hash(int32_t ret, const p1_filestat *st) {
    ST8(PTR(ret), 0, 0);
    ST64(PTR(ret), 8, st->ino);
    ST64(PTR(ret), 16, st->dev);
}

void W2_wasi_filesystem_types_method_descriptor_metadata_hash(int32_t self, int32_t ret) {
    p1_filestat st;
    if (store_err_at(ret, 8, w2_fd_filestat(DESC(self), &st)))
        return;
    store_hash(ret, &st);
}

void W2_wasi_filesystem_types_method_descriptor_metadata_hash_at(int32_t self, int32_t pflags,
                                                                  int32_t path, int32_t path_len,
                                                                  int32_t ret) {
    p1_filestat st;
    if (store_err_at(ret, 8,
                     w2_path_filestat(DESC(self), pflags, path, path_len, &st)))
        return;
    store_hash(ret, &st);
}

int32_t W2_wasi_filesystem_types_method_directory_entry_stream_read_directory_entry(
    int32_t self, int32_t ret, int32_t arena, int32_t arena_len) {
    struct entry *s = w2_get(self, K_DIRSTREAM);
    for (;;) {
        /* One fd_readdir per entry, from the stream's cookie: no per-stream
         * buffer, and the cookie only advances once an entry is returned. */
        uint32_t used = 0;
        if (store_err_at(ret, 4,
                         __wasit2_p1_fd_readdir(s->fd, ADDR(w2_scratch), SCRATCH_SIZE,
                                                (int64_t)s->val, ADDR(&used))))
            return 0;
        if (used < sizeof(p1_dirent)) {
            ST8(PTR(ret), 0, 0);
            ST8(PTR(ret), 4, 0); /* none: end of directory */
            return 0;
        }
        const p1_dirent *d = (const p1_dirent *)w2_scratch;
        const uint8_t *name = w2_scratch + sizeof(p1_dirent);
        uint32_t namlen = d->d_namlen;
        if (sizeof(p1_dirent) + namlen > used) {
            store_err_at(ret, 4, 37); /* nametoolong: larger than the scratch buffer */
            return 0;
        }
        if ((namlen == 1 && name[0] == '.') || (namlen == 2 && name[0] == '.' && name[1] == '.')) {
            s->val = d->d_next; /* p2 does not list `.` and `..` */
            continue;
        }
        if (namlen > (uint32_t)arena_len)
            return (int32_t)namlen; /* the entry stays pending */
        w2_copy(PTR(arena), name, namlen);
        s->val = d->d_next;
        ST8(PTR(ret), 0, 0);
        ST8(PTR(ret), 4, 1);
        ST8(PTR(ret), 8, w2_desc_type(d->d_type));
        ST32(PTR(ret), 12, arena);
        ST32(PTR(ret), 16, namlen);
        return (int32_t)namlen;
    }
}

/* Every io/error the adapter creates carries a p1 errno. */
void W2_wasi_filesystem_types_filesystem_error_code(int32_t err, int32_t ret) {
    int32_t code = w2_get(err, K_ERROR)->fd;
    ST8(PTR(ret), 0, 1);
    ST8(PTR(ret), 1, w2_fs_error(code));
}

/* ---- wasi:filesystem/preopens ----------------------------------------- */

#define MAX_PREOPENS 64
static int32_t preopen_fds[MAX_PREOPENS];
static uint32_t preopen_name_len[MAX_PREOPENS];
static int32_t preopen_count = -1;

static void scan_preopens(void) {
    preopen_count = 0;
    for (int32_t fd = 3; preopen_count < MAX_PREOPENS; fd++) {
        p1_prestat ps;
        if (__wasit2_p1_fd_prestat_get(fd, ADDR(&ps)) != 0)
            break; /* EBADF ends the list, as in every p1 libc */
        if (ps.tag != 0)
            continue;
        preopen_fds[preopen_count] = fd;
        preopen_name_len[preopen_count] = ps.name_len;
        preopen_count++;
    }
}

int32_t W2_wasi_filesystem_preopens_get_directories(int32_t ret, int32_t arena, int32_t arena_len) {
    if (preopen_count < 0)
        scan_preopens();
    uint32_t n = (uint32_t)preopen_count;
    /* list<tuple<descriptor, string>>: 12-byte elements, then the names. */
    uint32_t need = 12 * n;
    for (uint32_t i = 0; i < n; i++)
        need += preopen_name_len[i];
    if (need > (uint32_t)arena_len)
        return (int32_t)need;
    uint8_t *a = PTR(arena);
    uint32_t at = 12 * n;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = preopen_name_len[i];
        if (__wasit2_p1_fd_prestat_dir_name(preopen_fds[i], arena + at, len) != 0)
            len = 0;
        /* Some old runtimes count a trailing NUL. */
        while (len > 0 && a[at + len - 1] == 0)
            len--;
        int32_t h = w2_new(K_DESCRIPTOR, 0, preopen_fds[i], 0);
        w2_get(h, K_DESCRIPTOR)->flags = F_PREOPEN;
        ST32(a, 12 * i, h);
        ST32(a, 12 * i + 4, arena + at);
        ST32(a, 12 * i + 8, len);
        at += preopen_name_len[i];
    }
    ST32(PTR(ret), 0, arena);
    ST32(PTR(ret), 4, n);
    return (int32_t)need;
}
