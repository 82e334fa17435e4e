// A program built for `wasm32-wasit2-lime1` and linked for `--host wasip1`
// runs on `wasmtime run` and passes the check against the Lime1 engine.
// RUN: clang-22 --target=wasm32-wasit2-lime1 -O2 -Wl,--host=wasip1 %s -o %t.wasm
// RUN: wasmtime run %t.wasm
// RUN: wasit2 check --host wasip1 --host-cpu lime1 %t.wasm
#include <stdio.h>

int main(void) {
    puts("hello");
    return 0;
}
