// A command without the `run` export its world requires: wasit-ld and
// `wasit2 check` refuse it alike.
// RUN: clang-22 --target=wasm32-unknown-unknown -O2 -c %s -o %t.o
// RUN: wasit-ld --no-entry %t.o -o %t.wasm
// RUN: wasm-ld-22 --no-entry %t.o -o %t.plain.wasm
// RUN: wasit2 check %t.plain.wasm
// EXIT: 1
__attribute__((import_module("cm32p2|wasi:cli/stdout@0.2"), import_name("get-stdout")))
int get_stdout(void);

__attribute__((export_name("main"))) int main_entry(void) { return get_stdout(); }
