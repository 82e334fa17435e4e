// DIR: yes
#include <stdio.h>
#include <errno.h>
#include <unistd.h>
#include <sys/stat.h>

static int exists(const char *p) { struct stat st; return stat(p, &st) == 0; }

int main(void) {
    FILE *f = fopen("old.txt", "w");
    fputs("payload\n", f);
    fclose(f);
    printf("old exists: %d\n", exists("old.txt"));
    if (rename("old.txt", "new.txt") != 0) { perror("rename"); return 1; }
    printf("after rename: old=%d new=%d\n", exists("old.txt"), exists("new.txt"));

    mkdir("dir", 0755);
    if (rename("new.txt", "dir/moved.txt") != 0) { perror("rename into dir"); return 1; }
    f = fopen("dir/moved.txt", "r");
    char buf[32] = {0};
    fgets(buf, sizeof buf, f);
    fclose(f);
    printf("moved content: %s", buf);

    if (unlink("dir/moved.txt") != 0) { perror("unlink"); return 1; }
    printf("after unlink: %d\n", exists("dir/moved.txt"));
    errno = 0;
    int again = unlink("dir/moved.txt"); /* before reading errno: argument order is unspecified */
    printf("unlink again: %d %s\n", again, errno == ENOENT ? "ENOENT" : "other");
    printf("rmdir: %d\n", rmdir("dir"));
    printf("dir exists: %d\n", exists("dir"));
    printf("remove file: %d\n", (fclose(fopen("x", "w")), remove("x")));
    return 0;
}
