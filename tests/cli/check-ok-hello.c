// `wasit2 check` accepts hello world built with the installed clang target,
// whose MVP build also suits a wasip1 link.
// RUN: clang-22 --target=wasm32-wasit2-mvp -O2 %s -o %t.wasm
// RUN: wasit2 check %t.wasm
#include <stdio.h>

int main(void) {
    puts("hello");
    return 0;
}
