/*
 * Calls wasi:sockets/tcp start-connect from `connect_to_server`, called by
 * `main`, called by the run export: a p1 host cannot serve it, and the check
 * must print that call path. Also calls exit-with-code (WASI 0.2.12).
 */
#include "wasit2_command_callers.h"

static _Alignas(8) unsigned char ret[64];

__attribute__((noinline)) int connect_to_server(int32_t sock, int32_t net) {
    /* ip-socket-address ipv4 127.0.0.1:80, lowered flat */
    __wasit2_import_wasi_sockets_tcp_method_tcp_socket_start_connect(sock, net, 0, 80, 127, 0, 0, 1, 0, 0, 0,
                                                                     0, 0, 0, (int32_t)ret);
    return ret[0];
}

__attribute__((noinline)) int main(void) {
    int32_t net = __wasit2_import_wasi_sockets_instance_network_instance_network();
    __wasit2_import_wasi_sockets_tcp_create_socket_create_tcp_socket(0, (int32_t)ret);
    return connect_to_server(*(int32_t *)(ret + 4), net);
}

__attribute__((export_name("cm32p2|wasi:cli/run@0.2|run"))) int32_t __wasit2_run(void) {
    int status = main();
    if (status != 0)
        __wasit2_import_wasi_cli_exit_exit_with_code(2);
    return 0;
}
