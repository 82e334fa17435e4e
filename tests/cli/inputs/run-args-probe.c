/* Used by the run-args-* cases: prints argv, two environment variables and
 * whether the current directory is readable (a preopen). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++)
        printf("argv[%d] = %s\n", i, argv[i]);
    const char *vars[] = {"W2_SET", "W2_NOT_ON_HOST"};
    for (int i = 0; i < 2; i++) {
        const char *v = getenv(vars[i]);
        printf("%s %s\n", vars[i], v ? v : "is not set");
    }
    FILE *f = fopen("./probe", "w");
    printf("preopen: %s\n", f ? "yes" : "no");
    return 0;
}
