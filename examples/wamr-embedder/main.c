/* A minimal firmware-style WAMR embedder on the stock 2020 WAMR: loads a
 * wasm32 module built with `--host wasip1 --host-world sensors.wit:firmware
 * --vendor-imports env`, registers WAMR's libc-wasi (done by
 * wasm_runtime_full_init) and the sensor natives that `wasit2 bindgen
 * --host-c --vendor-imports env` generated (under `env`: the 2020 loader
 * resolves natives only for env, wasi_unstable, wasi_snapshot_preview1 and
 * spectest), and runs the module's `_start`.
 *
 *   wamr-embedder MODULE.wasm [ARG...]
 *
 * Exit status: 0 when the module returns or calls proc_exit (the 2020 WAMR
 * does not keep proc_exit's code), 1 on a trap (printed on stderr), 2 on a
 * load or instantiation error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_export.h"
#include "sensors_wamr.h"

static uint8_t *read_file(const char *path, uint32_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    long len;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)len);
        if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
            free(buf);
            buf = NULL;
        }
        *size = (uint32_t)len;
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s MODULE.wasm [ARG...]\n", argv[0]);
        return 2;
    }
    RuntimeInitArgs init;
    memset(&init, 0, sizeof init);
    init.mem_alloc_type = Alloc_With_System_Allocator;
    if (!wasm_runtime_full_init(&init)) {
        fprintf(stderr, "wamr-embedder: wasm_runtime_full_init failed\n");
        return 2;
    }
    /* The firmware's natives, before any module is loaded. */
    if (!sensors_wamr_register()) {
        fprintf(stderr, "wamr-embedder: registering the sensor natives failed\n");
        return 2;
    }

    uint32_t size = 0;
    uint8_t *bytes = read_file(argv[1], &size);
    if (!bytes) {
        fprintf(stderr, "wamr-embedder: cannot read %s\n", argv[1]);
        return 2;
    }
    char error[128];
    wasm_module_t module = wasm_runtime_load(bytes, size, error, sizeof error);
    if (!module) {
        fprintf(stderr, "wamr-embedder: %s: %s\n", argv[1], error);
        return 2;
    }
    /* The module's argv[0] is its path, as iwasm passes it. */
    wasm_runtime_set_wasi_args(module, NULL, 0, NULL, 0, NULL, 0, argv + 1, argc - 1);
    /* A non-zero app heap: with 0 the 2020 libc-wasi returns from _start
     * without running main (seen with WAMR of wamr-sys 0.1.1). */
    wasm_module_inst_t inst = wasm_runtime_instantiate(module, 64 * 1024, 16 * 1024, error, sizeof error);
    if (!inst) {
        fprintf(stderr, "wamr-embedder: %s: %s\n", argv[1], error);
        return 2;
    }

    wasm_application_execute_main(inst, argc - 1, argv + 1);
    const char *exception = wasm_runtime_get_exception(inst);
    int status = 0;
    if (exception && !strstr(exception, "wasi proc exit")) {
        fflush(stdout);
        fprintf(stderr, "wamr-embedder: trap: %s\n", exception);
        status = 1;
    }
    wasm_runtime_deinstantiate(inst);
    wasm_runtime_unload(module);
    wasm_runtime_destroy();
    free(bytes);
    return status;
}
