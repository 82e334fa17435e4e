/* Exits with the status named by argv[1], through exit() or (argv[2] is
 * "return") by returning it from main (sysroot/tests/old_hosts.rs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    int status = argc > 1 ? atoi(argv[1]) : 0;
    printf("status %d\n", status);
    if (argc > 2 && strcmp(argv[2], "return") == 0)
        return status;
    exit(status);
}
