// An ABI import declared with another signature: wasit-ld refuses the link
// and `wasit2 check` reports the same module the same way.
// RUN: clang-22 --target=wasm32-unknown-unknown -O2 -c %s -o %t.o
// RUN: wasm-ld-22 --no-entry %t.o -o %t.plain.wasm
// RUN: wasit2 check %t.plain.wasm
// RUN: wasit-ld --no-entry %t.o -o %t.wasm
// EXIT: 1
__attribute__((import_module("cm32p2|wasi:cli/stdout@0.2"), import_name("get-stdout")))
long long get_stdout(int);

__attribute__((noinline)) static int stdout_handle(int x) { return (int)get_stdout(x); }

__attribute__((export_name("cm32p2|wasi:cli/run@0.2|run"))) int run(void) {
    return stdout_handle(1);
}
