// ARGS: -v -n 5 -o out.txt file1 file2
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int verbose = 0, num = 0, c;
    const char *out = "none";
    while ((c = getopt(argc, argv, "vn:o:")) != -1) {
        switch (c) {
        case 'v': verbose = 1; break;
        case 'n': num = atoi(optarg); break;
        case 'o': out = optarg; break;
        default: return 2;
        }
    }
    printf("verbose=%d num=%d out=%s\n", verbose, num, out);
    for (int i = optind; i < argc; i++) printf("operand: %s\n", argv[i]);
    return 0;
}
