// A wasip1 build (`--host wasip1`) is refused in one line naming what runs it.
// RUN: clang-22 --target=wasm32-wasit2-mvp -O2 -Wl,--host=wasip1 %s -o %t.wasm
// RUN: wasit2 run %t.wasm
// EXIT: 1
#include <stdio.h>

int main(void) {
    puts("hello");
    return 0;
}
