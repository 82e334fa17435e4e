/* Imports one p1 function with a wrong signature and one p1 lacks. */
#include <stdint.h>
__attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_write")))
int32_t bad_fd_write(int32_t fd, int32_t iovs, int32_t n);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("sock_open")))
int32_t sock_open(int32_t af, int32_t type, int32_t ret);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_exit")))
void proc_exit(int32_t code);

__attribute__((noinline)) int open_socket(void) { return sock_open(1, 1, 0); }

void _start(void) {
    bad_fd_write(1, 0, 0);
    proc_exit(open_socket());
}
