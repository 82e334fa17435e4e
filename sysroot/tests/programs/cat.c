/* Copies each file named on the command line to stdout with fopen/fread/
 * fwrite (sysroot/tests/old_hosts.rs). Exits only with 0 or 1. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int status = EXIT_SUCCESS;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            status = EXIT_FAILURE;
            continue;
        }
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, n, stdout);
        fclose(f);
    }
    return status;
}
