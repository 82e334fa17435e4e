// PEER: yes
// The roots absolute paths resolve against: the preopen "/" and directories
// given to __wasilibc_register_preopened_fd. A root matches whole path
// components, the longest match wins, and chdir builds the working
// directory from the root's name.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/libc-find-relpath.h>
#include <wasi/libc.h>

static int root_fd = -1, alias_fd = -1, deeper_fd = -1;

static const char *which(int fd) {
    return fd == root_fd ? "root" : fd == alias_fd ? "alias" : fd == deeper_fd ? "deeper" : "other";
}

static void find(const char *path) {
    char buf[64];
    char *rel = buf;
    const char *prefix = "?";
    int fd = __wasilibc_find_relpath(path, &prefix, &rel, sizeof buf);
    if (fd < 0)
        printf("%-18s no root (%s)\n", path, errno == ENOENT ? "ENOENT" : "other errno");
    else
        printf("%-18s %-6s prefix \"%s\" rel \"%s\"\n", path, which(fd), prefix, rel);
}

static void cat(const char *path) {
    char line[32] = "";
    FILE *f = fopen(path, "r");
    if (!f || !fgets(line, sizeof line, f))
        printf("%s: cannot read\n", path);
    else
        printf("%s: %s", path, line);
    if (f)
        fclose(f);
}

int main(void) {
    if (mkdir("sub", 0755) || mkdir("sub/deeper", 0755))
        return 1;
    FILE *f = fopen("sub/f.txt", "w");
    fputs("in sub\n", f);
    fclose(f);
    f = fopen("sub/deeper/g.txt", "w");
    fputs("in deeper\n", f);
    fclose(f);

    char *rel;
    const char *prefix;
    char buf[64];
    rel = buf;
    root_fd = __wasilibc_find_relpath("/", &prefix, &rel, sizeof buf);
    alias_fd = open("/sub", O_RDONLY | O_DIRECTORY);
    deeper_fd = open("/sub/deeper", O_RDONLY | O_DIRECTORY);
    if (root_fd < 0 || alias_fd < 0 || deeper_fd < 0)
        return 1;
    if (__wasilibc_register_preopened_fd(alias_fd, "/alias") ||
        __wasilibc_register_preopened_fd(deeper_fd, "./alias/deeper/"))
        return 1;

    find("/sub/f.txt");
    find("/alias");
    find("/alias/f.txt");
    find("alias//f.txt");
    find("/aliased/f.txt");
    find("/alias/deeper");
    find("/alias/deeper/g.txt");
    find("/alias/deeperer");
    cat("/alias/f.txt");
    cat("/alias/deeper/g.txt");

    if (chdir("/alias"))
        return 1;
    printf("cwd %s\n", getcwd(buf, sizeof buf));
    find("f.txt");
    find("deeper/g.txt");
    cat("f.txt");
    return 0;
}
