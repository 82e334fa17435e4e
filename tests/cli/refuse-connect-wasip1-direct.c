// A program calling connect() linked for `--host wasip1` with the default
// direct libc: socket creation and lookup are refused with call paths.
// RUN: clang-22 --target=wasm32-wasit2-mvp -O2 -c %S/inputs/connect.c -o %t.o
// RUN: wasit-ld -m wasm32 -L%sysroot/lib/wasm32-wasit2-mvp %sysroot/lib/wasm32-wasit2-mvp/crt1-command.o %t.o -lc -o %t.p1.wasm --host=wasip1
// EXIT: 1
