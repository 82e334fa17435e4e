// PEER: yes
// The preopen is fd 3 from the program's first call: fstat and openat on
// it work before any path has been resolved.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
    struct stat st;
    if (fstat(3, &st) != 0) {
        perror("fstat(3)");
        return 1;
    }
    printf("fd 3 is a directory: %s\n", S_ISDIR(st.st_mode) ? "yes" : "no");
    int fd = openat(3, "made.txt", O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        perror("openat(3)");
        return 1;
    }
    printf("write: %zd\n", write(fd, "made\n", 5));
    close(fd);
    FILE *f = fopen("/made.txt", "r");
    char line[16] = "";
    printf("read back: %s", f && fgets(line, sizeof line, f) ? line : "(nothing)\n");
    return 0;
}
