// system(): WASI has no command processor, so system(NULL) is 0 and a
// command fails with ENOSYS (it links: the headers declare it).
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    printf("system(NULL): %d\n", system(NULL));
    errno = 0;
    int r = system("echo hello");
    printf("system(cmd): %d %s\n", r, strerror(errno));
    return 0;
}
