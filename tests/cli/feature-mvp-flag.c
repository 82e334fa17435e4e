// `wasit2 check --mvp` refuses post-MVP encodings whatever the host allows.
// RUN: clang-22 --target=wasm32-wasit2 -O2 %s -o %t.wasm
// RUN: wasit2 check --mvp %t.wasm
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
