// A lime1 build (overlong call_indirect) stated to run on the 2020 WAMR's
// engine: `wasit2 check` and `wasit-ld` refuse it with the same report.
// RUN: clang-22 --target=wasm32-wasit2-lime1 -O2 -c %s -o %t.o
// RUN: clang-22 --target=wasm32-wasit2-lime1 -O2 -Wl,--host=wasip1 %t.o -o %t.wasm
// RUN: wasit2 check --host wasip1 --host-cpu mvp %t.wasm
// RUN: wasit-ld -m wasm32 -L%sysroot/lib/wasm32-wasit2-lime1 %sysroot/lib/wasm32-wasit2-lime1/crt1-command.o %t.o -lc -o %t.p1.wasm --host=wasip1 --host-cpu=mvp
// EXIT: 1
#include <stdio.h>

int (*volatile say)(const char *) = puts;

int main(void) { return say("hello") < 0; }
