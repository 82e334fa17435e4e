// `--vendor-imports env` without a p1 host: one line, nothing linked.
// RUN: clang-22 --target=wasm32-unknown-unknown -O2 -c %s -o %t.o
// RUN: wasit-ld --vendor-imports=env --no-entry %t.o -o %t.wasm
// EXIT: 1
__attribute__((export_name("cm32p2|wasi:cli/run@0.2|run"))) int run(void) { return 0; }
