// EXIT: 7
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void never(void) { printf("atexit handler must not run\n"); }

int main(void) {
    atexit(never);
    printf("flushed before _Exit\n");
    fflush(stdout);
    printf("buffered, lost by _Exit");
    _Exit(7);
}
