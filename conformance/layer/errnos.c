// PEER: yes
// Error codes as wasmtime's p1 gives them (what programs were tested
// against): fadvise and fallocate on what is not a file, fallocate itself,
// seeking a directory, "now" plus an explicit time, F_SETFL on stdio, and
// narrowing rights.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *err(int e) {
    return e == 0 ? "ok" : strerror(e);
}
static const char *ret(int r) {
    return r == -1 ? strerror(errno) : "ok";
}

int main(void) {
    int f = open("f", O_RDWR | O_CREAT, 0644);
    write(f, "hello", 5);
    mkdir("d", 0755);
    int d = open("d", O_RDONLY | O_DIRECTORY);
    printf("fadvise file: %s\n", err(posix_fadvise(f, 0, 5, POSIX_FADV_NORMAL)));
    printf("fadvise dir: %s\n", err(posix_fadvise(d, 0, 5, POSIX_FADV_NORMAL)));
    printf("fadvise stdin: %s\n", err(posix_fadvise(0, 0, 5, POSIX_FADV_NORMAL)));
    printf("fallocate file: %s\n", err(posix_fallocate(f, 0, 100)));
    struct stat st;
    fstat(f, &st);
    printf("size after fallocate: %lld\n", (long long)st.st_size);
    printf("fallocate dir: %s\n", err(posix_fallocate(d, 0, 100)));
    errno = 0;
    printf("lseek dir: %s\n", ret((int)lseek(d, 0, SEEK_CUR)));
    printf("lseek stdin: %s\n", ret((int)lseek(0, 0, SEEK_CUR)));
    printf("tell dir: %s\n", err(__wasi_fd_tell(d, &(__wasi_filesize_t){0})));
    printf("set_times now+explicit: %s\n",
           err(__wasi_fd_filestat_set_times(f, 1, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW)));
    printf("set_times now only: %s\n", err(__wasi_fd_filestat_set_times(f, 0, 0, __WASI_FSTFLAGS_MTIM_NOW)));
    printf("path set_times now+explicit: %s\n",
           err(__wasi_path_filestat_set_times(d, 0, ".", 0, 1, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW)));
    printf("F_SETFL O_APPEND stdout: %s\n", ret(fcntl(1, F_SETFL, O_APPEND)));
    printf("F_SETFL O_NONBLOCK stdin: %s\n", ret(fcntl(0, F_SETFL, O_NONBLOCK)));
    printf("F_SETFL O_APPEND file: %s\n", ret(fcntl(f, F_SETFL, O_APPEND)));
    printf("F_SETFL 0 file: %s\n", ret(fcntl(f, F_SETFL, 0)));
    printf("set_rights: %s\n", err(__wasi_fd_fdstat_set_rights(f, 0, 0)));
    printf("set_rights bad fd: %s\n", err(__wasi_fd_fdstat_set_rights(99, 0, 0)));
    __wasi_fdstat_t fs;
    __wasi_fd_fdstat_get(0, &fs);
    printf("stdin rights: read %d write %d seek %d\n", !!(fs.fs_rights_base & __WASI_RIGHTS_FD_READ),
           !!(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE), !!(fs.fs_rights_base & __WASI_RIGHTS_FD_SEEK));
    __wasi_fd_fdstat_get(f, &fs);
    printf("file rights: read %d write %d seek %d\n", !!(fs.fs_rights_base & __WASI_RIGHTS_FD_READ),
           !!(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE), !!(fs.fs_rights_base & __WASI_RIGHTS_FD_SEEK));
    __wasi_fd_fdstat_get(d, &fs);
    printf("dir rights: write %d seek %d readdir %d\n", !!(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE),
           !!(fs.fs_rights_base & __WASI_RIGHTS_FD_SEEK), !!(fs.fs_rights_base & __WASI_RIGHTS_FD_READDIR));
    close(f), close(d);
    unlink("f"), rmdir("d");
    puts("done");
    return 0;
}
