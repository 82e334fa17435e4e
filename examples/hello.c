#include <stdio.h>

int main(void) {
    printf("Hello from wasm32-wasit2!\n");
    return 0;
}
