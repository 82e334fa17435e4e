// A reactor built from C (`-mexec-model=reactor`, crt1-reactor.o) on every
// arch: `--invoke` runs the initializer (the constructor below) once, then
// the export with its arguments parsed from the command line, and prints
// the result as `wasmtime run --invoke` does.
// RUN: clang-22 --target=wasm32-wasit2 -mexec-model=reactor -O1 %s -o %t.wasm
// RUN: wasit2 run --invoke greet %t.wasm 2
// RUN: clang-22 --target=wasm64-wasit2 -mexec-model=reactor -O1 %s -o %t64.wasm
// RUN: wasit2 run --invoke greet %t64.wasm 2
// RUN: clang-22 --target=wasm32-wasit2-mvp -mexec-model=reactor -O1 %s -o %tmvp.wasm
// RUN: wasit2 run --invoke greet %tmvp.wasm 0x2
#include <stdio.h>

static int constructor_runs;

__attribute__((constructor)) static void count_constructor_run(void) {
    constructor_runs++;
}

__attribute__((export_name("greet"))) int greet(int n) {
    printf("hello %d from a reactor (constructors ran %d time)\n", n,
           constructor_runs);
    /* A reactor has no exit that flushes stdio. */
    fflush(stdout);
    return 40 + n;
}
