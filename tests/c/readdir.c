// DIR: yes
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void) {
    mkdir("d", 0755);
    const char *names[] = {"zeta.txt", "alpha.txt", "mid.dat"};
    for (int i = 0; i < 3; i++) {
        char path[64];
        snprintf(path, sizeof path, "d/%s", names[i]);
        FILE *f = fopen(path, "w");
        if (!f) { perror(path); return 1; }
        fputs(names[i], f);
        fclose(f);
    }
    mkdir("d/subdir", 0755);

    DIR *d = opendir("d");
    if (!d) { perror("opendir"); return 1; }
    char *found[16];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char tag = e->d_type == DT_DIR ? 'd' : e->d_type == DT_REG ? 'f' : '?';
        char *s = malloc(strlen(e->d_name) + 3);
        sprintf(s, "%c %s", tag, e->d_name);
        found[n++] = s;
    }
    closedir(d);
    qsort(found, n, sizeof found[0], cmp);
    printf("%d entries\n", n);
    for (int i = 0; i < n; i++) { printf("%s\n", found[i]); free(found[i]); }
    return 0;
}
