// A program calling connect() linked for `--host wasip1` with the wasit2
// libc (`--wasip1-libc=adapter`): every socket import is refused with its
// call path, and `wasit2 check --host wasip1` on the same program linked
// for wasit2 prints the same report.
// RUN: clang-22 --target=wasm32-wasit2-mvp -O2 -c %S/inputs/connect.c -o %t.o
// RUN: clang-22 --target=wasm32-wasit2-mvp %t.o -o %t.wasm
// RUN: wasit2 check --host wasip1 %t.wasm
// RUN: wasit-ld -m wasm32 -L%sysroot/lib/wasm32-wasit2-mvp %sysroot/lib/wasm32-wasit2-mvp/crt1-command.o %t.o -lc -o %t.p1.wasm --host=wasip1 --wasip1-libc=adapter
// EXIT: 1
