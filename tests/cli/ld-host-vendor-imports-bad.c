// `--vendor-imports` takes env or wasit2: one line naming both.
// RUN: clang-22 --target=wasm32-unknown-unknown -O2 -c %s -o %t.o
// RUN: wasit-ld --host wasip1 --vendor-imports=WAMR --no-entry %t.o -o %t.wasm
// EXIT: 1
__attribute__((export_name("cm32p2|wasi:cli/run@0.2|run"))) int run(void) { return 0; }
