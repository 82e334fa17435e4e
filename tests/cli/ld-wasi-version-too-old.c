// `exit-with-code` arrived in WASI 0.2.12; `--wasi-version 0.2.0` refuses it
// with its call path.
// RUN: clang-22 --target=wasm32-unknown-unknown -O2 -c %s -o %t.o
// RUN: wasm-ld-22 --no-entry %t.o -o %t.plain.wasm
// RUN: wasit2 check --wasi-version 0.2.0 %t.plain.wasm
// RUN: wasit-ld --wasi-version 0.2.0 --no-entry %t.o -o %t.wasm
// EXIT: 1
__attribute__((import_module("cm32p2|wasi:cli/exit@0.2"), import_name("exit-with-code")))
void exit_with_code(int);

__attribute__((noinline)) static void quit(int code) { exit_with_code(code); }

__attribute__((export_name("cm32p2|wasi:cli/run@0.2|run"))) int run(void) {
    quit(3);
    return 0;
}
