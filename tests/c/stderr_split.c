#include <stdio.h>
#include <unistd.h>

int main(void) {
    fprintf(stderr, "this goes to stderr\n");
    printf("stdout line 1\n");
    fflush(stdout);
    write(2, "raw stderr\n", 11);
    write(1, "raw stdout\n", 11);
    fputs("stdout line 2\n", stdout);
    return 0;
}
