/* Returns the status named by argv[1] from main and never calls exit
 * (sysroot/tests/old_hosts.rs). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int status = argc > 1 ? atoi(argv[1]) : 0;
    printf("status %d\n", status);
    return status;
}
