// Exceptions in LLVM's legacy encoding (`try`/`catch`, clang-22's default,
// which the installed config replaces with exnref) run on no wasit2 host:
// wasit-ld refuses the link with the flag that avoids them.
// RUN: clang-22 --target=wasm32-wasit2 -O2 -mllvm -wasm-enable-sjlj -Xclang -mllvm -Xclang -wasm-use-legacy-eh=true -c %s -o %t.o
// RUN: wasit-ld -m wasm32 -L%sysroot/lib/wasm32-wasit2 %sysroot/lib/wasm32-wasit2/crt1-command.o %t.o -lsetjmp -lc -o %t.wasm
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
