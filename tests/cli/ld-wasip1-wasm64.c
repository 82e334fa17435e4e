// `--host wasip1` with wasm64 objects: WASI preview 1 has no wasm64.
// RUN: clang-22 --target=wasm64-unknown-unknown -O2 -c %s -o %t.o
// RUN: wasit-ld -m wasm64 --host=wasip1 --no-entry %t.o -o %t.wasm
// EXIT: 1
__attribute__((export_name("cm64p2|wasi:cli/run@0.2|run"))) int run(void) { return 0; }
