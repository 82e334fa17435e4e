// With chdir linked, paths resolve against the working directory, and a
// call that takes two paths keeps both: link and linkat with AT_FDCWD once
// linked the second path to itself (wasi-libc 2022's posix.c gets both
// answers through one buffer; Debian's wasi-libc still does, so no peer).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *what, int r) {
    printf("%-32s %s\n", what, r == 0 ? "ok" : errno == EEXIST ? "EEXIST" : errno == ENOENT ? "ENOENT" : "other errno");
}

static void cat(const char *path) {
    char line[16] = "";
    FILE *f = fopen(path, "r");
    printf("%-32s %s", path, f && fgets(line, sizeof line, f) ? line : "(cannot read)\n");
    if (f)
        fclose(f);
}

int main(void) {
    if (mkdir("/d", 0755) || chdir("/d"))
        return 1;
    char cwd[32];
    printf("%-32s %s\n", "cwd", getcwd(cwd, sizeof cwd));
    FILE *f = fopen("a", "w");
    fputs("from a\n", f);
    fclose(f);
    close(open("b", O_WRONLY | O_CREAT, 0644));
    show("link(a, b), b exists", link("a", "b"));
    show("unlink(b)", unlink("b"));
    show("linkat(CWD, /d/a, CWD, /d/b)", linkat(AT_FDCWD, "/d/a", AT_FDCWD, "/d/b", 0));
    cat("b");
    show("link(a, ../c)", link("a", "../c"));
    cat("/c");
    show("rename(b, e)", rename("b", "e"));
    cat("e");
    show("chdir(..)", chdir(".."));
    printf("%-32s %s\n", "cwd", getcwd(cwd, sizeof cwd));
    cat("d/a");
    return 0;
}
