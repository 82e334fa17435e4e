// EXIT: 42
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("exiting with 42\n");
    fflush(stdout);
    exit(42);
}
