// A `--host-world` that names no file: one line, before anything is linked.
// RUN: clang-22 --target=wasm32-unknown-unknown -O2 -c %s -o %t.o
// RUN: wasit-ld --host wasip1 --host-world nosuch.wit:firmware --no-entry %t.o -o %t.wasm
// EXIT: 1
int unused;
