// setjmp/longjmp compile to wasm exceptions (-mllvm -wasm-enable-sjlj),
// which no WASI preview 1 runtime here runs: `--host wasip1` refuses them,
// whatever engine features it is told of, with the path to where the
// exception starts (longjmp's __wasm_longjmp) and names the encoding.
// RUN: clang-22 --target=wasm32-wasit2 -O2 -mllvm -wasm-enable-sjlj -c %s -o %t.o
// RUN: clang-22 --target=wasm32-wasit2 %t.o -o %t.wasm
// RUN: wasit2 check --host wasip1 --host-cpu default %t.wasm
// EXIT: 1
#include <setjmp.h>
#include <stdio.h>

static jmp_buf env;

static void fail(int code) {
    longjmp(env, code);
}

int main(int argc, char **argv) {
    (void)argv;
    int r = setjmp(env);
    if (r == 0)
        fail(argc + 1);
    printf("%d\n", r);
    return 0;
}
