// A C program without `main`: wasm-ld's undefined-symbol error comes through.
// RUN: clang-22 --target=wasm32-wasit2 -O2 -c %s -o %t.o
// RUN: wasit-ld -m wasm32 -L%sysroot/lib/wasm32-wasit2 %sysroot/lib/wasm32-wasit2/crt1-command.o %t.o -lc -o %t.wasm
// EXIT: 1
int helper(void) { return 1; }
