/*
 * Functions the headers declare that WASI cannot really provide, defined
 * so portable code links and fails at run time with a proper errno
 * (tmpfile and tmpnam, which do work, are in w2_tmpfile.c). They use only
 * POSIX calls, so the same file serves both libcs: the wasit2 libc and the
 * direct `--host wasip1` libc (SOURCES.txt lists it in both).
 */
/* Declares the ownership calls defined below (opt-in for programs). */
#define _WASI_EMULATED_OWNERSHIP
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Cold code: compiled for size (see W2_COLD_BEGIN in w2_internal.h). */
#pragma clang attribute push(__attribute__((minsize)), apply_to = function)

/* ---- chmod family ----
 * WASI 0.2 has no permission bits to set. As current upstream wasi-libc
 * does, these exist so that portable code (sqlite3, bzip2, libc++'s
 * <filesystem>) builds, and fail with ENOSYS; what does not exist, or is
 * not a valid path or descriptor, fails as stat would say first. */

int fchmodat(int fd, const char *path, mode_t mode, int flag) {
    struct stat st;
    if ((flag & ~AT_SYMLINK_NOFOLLOW) != 0) {
        errno = EINVAL;
        return -1;
    }
    if (fstatat(fd, path, &st, flag) != 0)
        return -1;
    errno = ENOSYS;
    return -1;
}

int chmod(const char *path, mode_t mode) {
    return fchmodat(AT_FDCWD, path, mode, 0);
}

int fchmod(int fd, mode_t mode) {
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    errno = ENOSYS;
    return -1;
}

/* The headers declare system(); WASI has no command processor to run one:
 * system(NULL) says so (0) and any command fails with ENOSYS. */
int system(const char *command) {
    if (!command)
        return 0;
    errno = ENOSYS;
    return -1;
}

/* ---- ownership: declared with -D_WASI_EMULATED_OWNERSHIP ----
 * No WASI libc has these. WASI has no users or groups: stat reports user 0
 * and group 0 for every file, so the program is user 0 and group 0 too.
 * Changing an owner to the one the file already has (or -1: unchanged)
 * succeeds after stat's checks; any other owner or id fails with EPERM. */

uid_t getuid(void) { return 0; }
uid_t geteuid(void) { return 0; }
gid_t getgid(void) { return 0; }
gid_t getegid(void) { return 0; }

int getgroups(int size, gid_t list[]) {
    (void)size;
    (void)list;
    return 0;
}

static int same_id(unsigned id) {
    if (id == 0)
        return 0;
    errno = EPERM;
    return -1;
}

int setuid(uid_t uid) { return same_id(uid); }
int seteuid(uid_t uid) { return same_id(uid); }
int setgid(gid_t gid) { return same_id(gid); }
int setegid(gid_t gid) { return same_id(gid); }

static int owner_unchanged(const struct stat *st, uid_t uid, gid_t gid) {
    if ((uid == (uid_t)-1 || uid == st->st_uid) && (gid == (gid_t)-1 || gid == st->st_gid))
        return 0;
    errno = EPERM;
    return -1;
}

int fchownat(int fd, const char *path, uid_t uid, gid_t gid, int flag) {
    struct stat st;
    if ((flag & ~AT_SYMLINK_NOFOLLOW) != 0) {
        errno = EINVAL;
        return -1;
    }
    if (fstatat(fd, path, &st, flag) != 0)
        return -1;
    return owner_unchanged(&st, uid, gid);
}

int chown(const char *path, uid_t uid, gid_t gid) {
    return fchownat(AT_FDCWD, path, uid, gid, 0);
}

int lchown(const char *path, uid_t uid, gid_t gid) {
    return fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

int fchown(int fd, uid_t uid, gid_t gid) {
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    return owner_unchanged(&st, uid, gid);
}

/* <pwd.h> (same switch): there is no user database, so no lookup finds
 * anyone (NULL with errno untouched, as POSIX says for "not found"). */
struct passwd *getpwuid(uid_t uid) {
    (void)uid;
    return NULL;
}

struct passwd *getpwnam(const char *name) {
    (void)name;
    return NULL;
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len, struct passwd **res) {
    (void)uid, (void)pw, (void)buf, (void)len;
    *res = NULL;
    return 0;
}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len, struct passwd **res) {
    (void)name, (void)pw, (void)buf, (void)len;
    *res = NULL;
    return 0;
}

void setpwent(void) {}
void endpwent(void) {}
struct passwd *getpwent(void) { return NULL; }

/* popen/pclose: <stdio.h> does not declare them (as in every WASI libc),
 * but programs that declare them themselves (sqlite3's shell) must link.
 * There is no command processor, so popen fails with ENOSYS, and no
 * stream can come from it, so pclose has no child to wait for (ECHILD). */
FILE *popen(const char *command, const char *mode) {
    (void)command;
    (void)mode;
    errno = ENOSYS;
    return NULL;
}

int pclose(FILE *stream) {
    (void)stream;
    errno = ECHILD;
    return -1;
}

/* ---- pthread_join, pthread_detach ----
 * Rust std references them (std::thread's join and drop) even where no
 * thread can be spawned; the headers of this libc declare no threads. No
 * thread but the main one ever exists, so every thread id is unknown.
 * Weak: a program or library that brings its own wins. */
__attribute__((weak)) int pthread_join(unsigned long thread, void **result) {
    (void)thread;
    (void)result;
    return ESRCH;
}
__attribute__((weak)) int pthread_detach(unsigned long thread) {
    (void)thread;
    return ESRCH;
}

/* ---- pthread_create and the attributes std sets up for it ----
 * std::thread::spawn calls pthread_attr_init, pthread_attr_setstacksize,
 * pthread_create and pthread_attr_destroy. No thread can be made: ENOTSUP,
 * what single-threaded wasi-libc builds answer, so spawn fails with an
 * error instead of the program failing to link. The attribute object is
 * caller memory of musl's pthread_attr_t size. */
typedef struct {
    unsigned long words[sizeof(long) == 8 ? 7 : 9];
} w2_pthread_attr;

__attribute__((weak)) int pthread_attr_init(w2_pthread_attr *attr) {
    memset(attr, 0, sizeof *attr);
    return 0;
}
__attribute__((weak)) int pthread_attr_destroy(w2_pthread_attr *attr) {
    (void)attr;
    return 0;
}
__attribute__((weak)) int pthread_attr_setstacksize(w2_pthread_attr *attr, size_t size) {
    if (size < 2048) /* musl's PTHREAD_STACK_MIN */
        return EINVAL;
    attr->words[0] = size;
    return 0;
}
__attribute__((weak)) int pthread_create(unsigned long *thread, const w2_pthread_attr *attr, void *(*start)(void *),
                                         void *arg) {
    (void)thread;
    (void)attr;
    (void)start;
    (void)arg;
    return ENOTSUP;
}

/* ---- __errno_location ----
 * errno's address, through which Rust's libc and errno crates (rustix,
 * so tempfile) read errno; the 2022 tree's musl file for it needs threads. */
__attribute__((weak)) int *__errno_location(void) {
    return &errno;
}

#pragma clang attribute pop
