// Imports outside the world: wasit-ld and `wasit2 check` report them alike.
// RUN: clang-22 --target=wasm32-unknown-unknown -O2 -c %s -o %t.o
// RUN: wasm-ld-22 --no-entry %t.o -o %t.plain.wasm
// RUN: wasit2 check %t.plain.wasm
// RUN: wasit-ld --no-entry %t.o -o %t.wasm
// EXIT: 1
__attribute__((import_module("cm32p2|wasi:cli/nosuch@0.2"), import_name("get-nothing")))
int get_nothing(void);

__attribute__((export_name("cm32p2|wasi:cli/run@0.2|run"))) int run(void) {
    return get_nothing();
}
