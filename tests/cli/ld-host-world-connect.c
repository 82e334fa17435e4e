// `--host wasip1 --host-world PATH:WORLD`: p1 plus a vendor world. The
// sensor import is accepted; connect() is still refused with its call path.
// (The import is declared as `wasit2 bindgen` declares it for
// inputs/acme.wit; wasit-ld/tests/host_world.rs runs bindgen itself.)
// RUN: clang-22 --target=wasm32-wasit2-mvp -O2 -c %s -o %t.o
// RUN: wasit-ld -m wasm32 -L%sysroot/lib/wasm32-wasit2-mvp %sysroot/lib/wasm32-wasit2-mvp/crt1-command.o %t.o -lc -o %t.p1.wasm --host=wasip1 --host-world=%S/inputs/acme.wit:firmware
// EXIT: 1
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

__attribute__((import_module("wasit2-cm32p2|acme:sensors/temp@1"), import_name("model")))
size_t acme_model(void *ret, void *arena, size_t arena_len);

int main(void) {
    struct { char *ptr; size_t len; } model;
    char name[32];
    acme_model(&model, name, sizeof name);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(8080);
    return connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 ? 0 : (int)model.len;
}
