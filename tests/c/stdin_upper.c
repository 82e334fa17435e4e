// STDIN: hello from stdin
#include <stdio.h>
#include <ctype.h>

int main(void) {
    int c, n = 0;
    while ((c = getchar()) != EOF) {
        putchar(toupper(c));
        n++;
    }
    printf("bytes: %d\n", n);
    printf("eof: %d\n", feof(stdin) != 0);
    return 0;
}
