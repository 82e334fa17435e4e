// PEER: yes
// readdir returns `.` and `..`, and each entry's d_ino is the st_ino that
// fstatat reports for the same name.
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void) {
    mkdir("d", 0755);
    close(open("d/file", O_WRONLY | O_CREAT, 0644));
    mkdir("d/sub", 0755);
    DIR *dir = opendir("d");
    if (!dir) {
        perror("opendir");
        return 1;
    }
    char *names[16];
    int n = 0, ino_ok = 0, ino_nonzero = 0;
    struct dirent *e;
    while ((e = readdir(dir)) && n < 16) {
        names[n++] = strdup(e->d_name);
        struct stat st;
        if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && strcmp(e->d_name, "..") != 0) {
            ino_ok += st.st_ino == e->d_ino;
            ino_nonzero += e->d_ino != 0;
        }
    }
    qsort(names, n, sizeof names[0], cmp);
    for (int i = 0; i < n; i++)
        printf("%s\n", names[i]);
    printf("d_ino == st_ino: %d of 3, nonzero: %d\n", ino_ok, ino_nonzero);
    /* rewinddir starts over with `.` and `..` again. */
    rewinddir(dir);
    int again = 0;
    while (readdir(dir))
        again++;
    printf("after rewinddir: %d entries\n", again);
    closedir(dir);
    return 0;
}
