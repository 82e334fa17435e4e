// DIR: yes
// tmpfile() gives a read-write stream that leaves no file behind.
#include <dirent.h>
#include <stdio.h>
#include <string.h>

static int entries(void) {
    DIR *d = opendir(".");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d)
        closedir(d);
    return n;
}

int main(void) {
    int before = entries();
    FILE *f = tmpfile();
    if (!f) {
        perror("tmpfile");
        return 1;
    }
    fputs("scratch data\n", f);
    rewind(f);
    char line[64] = "";
    fgets(line, sizeof line, f);
    printf("read back: %s", line);
    printf("new entries while open: %d\n", entries() - before);
    fclose(f);
    printf("new entries after close: %d\n", entries() - before);
    return 0;
}
