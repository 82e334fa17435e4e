// The wasit2 host plus a vendor world (`--host-world`, through clang's
// -Wl): WASI and the sensor import link, and `wasit2 check` with the same
// flag accepts the module.
// RUN: clang-22 --target=wasm32-wasit2 -O2 %s -o %t.wasm -Wl,--host-world=%S/inputs/acme.wit:firmware
// RUN: wasit2 check --host-world %S/inputs/acme.wit:firmware %t.wasm
#include <stddef.h>
#include <stdio.h>

__attribute__((import_module("wasit2-cm32p2|acme:sensors/temp@1"), import_name("read-raw")))
size_t acme_read_raw(void *ret, void *arena, size_t arena_len);

int main(void) {
    struct { unsigned char *ptr; size_t len; } raw;
    unsigned char samples[16];
    acme_read_raw(&raw, samples, sizeof samples);
    printf("%zu samples\n", raw.len);
    return 0;
}
