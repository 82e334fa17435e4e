// A hello world linked for `--host wasip1` passes `wasit2 check --host wasip1`.
// RUN: clang-22 --target=wasm32-wasit2-mvp -O2 -Wl,--host=wasip1 %s -o %t.wasm
// RUN: wasit2 check --host wasip1 %t.wasm
#include <stdio.h>

int main(void) {
    puts("hello");
    return 0;
}
