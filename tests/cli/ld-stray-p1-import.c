// A `wasi_snapshot_preview1` import in a link for the wasit2 host.
// RUN: clang-22 --target=wasm32-unknown-unknown -O2 -c %s -o %t.o
// RUN: wasm-ld-22 --no-entry %t.o -o %t.plain.wasm
// RUN: wasit2 check %t.plain.wasm
// RUN: wasit-ld --no-entry %t.o -o %t.wasm
// EXIT: 1
__attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_write")))
int fd_write(int, int, int, int);

__attribute__((export_name("cm32p2|wasi:cli/run@0.2|run"))) int run(void) {
    return fd_write(1, 0, 0, 0);
}
