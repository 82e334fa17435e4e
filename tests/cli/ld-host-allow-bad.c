// A `--host-allow` entry without a module: one line.
// RUN: clang-22 --target=wasm32-unknown-unknown -O2 -c %s -o %t.o
// RUN: wasit-ld --host-allow read_temp --no-entry %t.o -o %t.wasm
// EXIT: 1
int unused;
