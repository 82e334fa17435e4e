// A module built for the default CPU (bulk memory, sign extension, ...)
// checked and linked for wasip1 with the engine stated as the 2020 WAMR's
// (`--host-cpu=mvp`, what `wasit2 check --host wasip1` assumes), which takes
// MVP encodings only.
// RUN: clang-22 --target=wasm32-wasit2 -O2 -c %s -o %t.o
// RUN: clang-22 --target=wasm32-wasit2 %t.o -o %t.wasm
// RUN: wasit2 check --host wasip1 %t.wasm
// RUN: wasit-ld -m wasm32 -L%sysroot/lib/wasm32-wasit2 %sysroot/lib/wasm32-wasit2/crt1-command.o %t.o -lc -o %t.p1.wasm --host=wasip1 --host-cpu=mvp --wasip1-libc=adapter
// EXIT: 1
#include <string.h>

/* Called through a pointer: call_indirect, whose default-CPU encoding
 * (an overlong table index) is the reference-types feature. */
static size_t (*volatile length)(const char *) = strlen;

int main(int argc, char **argv) {
    char buf[64];
    memset(buf, argc, sizeof buf);
    return (signed char)buf[argc] + (int)length(argv[0]) > 100;
}
