// `--host wasip1` means the p1 API, not the 2020 WAMR's engine: a program
// built for clang's default CPU links (the sysroot lib dir names no CPU
// variant, so no feature is refused), runs on `wasmtime run`, and passes the
// check with the engine stated as a current one.
// RUN: clang-22 --target=wasm32-wasit2 -O2 -Wl,--host=wasip1 %s -o %t.wasm
// RUN: wasmtime run %t.wasm
// RUN: wasit2 check --host wasip1 --host-cpu default %t.wasm
#include <stdio.h>

int main(void) {
    puts("hello");
    return 0;
}
