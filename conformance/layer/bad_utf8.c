// PEER: yes
// Paths that are not UTF-8 fail with EILSEQ (getaddrinfo: bad_utf8_netdb.c)
// and the program keeps running: WASI 0.2 strings must be
// UTF-8, and a host traps on anything else.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void report(const char *what, int r) {
    printf("%s: %s\n", what, r == -1 ? strerror(errno) : "succeeded");
}

int main(void) {
    const char *bad[] = {"\xff", "a\xc3", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        report("open", open(bad[i], O_RDONLY | O_CREAT, 0644));
    }
    struct stat st;
    report("stat", stat("\xff", &st));
    report("lstat", lstat("dir/\xfe", &st));
    report("mkdir", mkdir("\xff", 0755));
    report("rename from", rename("\xff", "ok"));
    int fd = open("ok", O_WRONLY | O_CREAT, 0644);
    close(fd);
    report("rename to", rename("ok", "\xff"));
    report("unlink", unlink("\xff"));
    report("symlink", symlink("\xff", "link"));
    errno = 0;
    DIR *d = opendir("\xff");
    printf("opendir: %s\n", d ? "succeeded" : strerror(errno));
    /* Valid UTF-8 still works. */
    report("mkdir utf8", mkdir("d\xc3\xa9j\xc3\xa0", 0755));
    report("rmdir utf8", rmdir("d\xc3\xa9j\xc3\xa0"));
    report("mkdir 3+4-byte", mkdir("\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf", 0755));
    report("rmdir 3+4-byte", rmdir("\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf"));
    report("unlink ok", unlink("ok"));
    puts("still running");
    return 0;
}
