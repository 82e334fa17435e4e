/* The sensor example (docs/interfaces.md): reads the vendor interface
 * acme:sensors/temp and prints what it got. Bindings:
 *   wasit2 bindgen --wit sensors.wit --world firmware --name acme_sensors
 * Build (the world comes from acme_sensors.c, no extra flag):
 *   clang-22 --target=wasm32-wasit2 sensor.c acme_sensors.c -o sensor.wasm */
#include <stdio.h>
#include <stdlib.h>

#include "acme_sensors.h"

int main(void) {
    char name[64];
    wasit2_string_t model;
    size_t need = acme_sensors_temp_model(&model, name, sizeof name);
    if (need > sizeof name) {
        fprintf(stderr, "model name too long (%zu bytes)\n", need);
        return 1;
    }
    printf("model: %.*s\n", (int)model.len, (const char *)model.ptr);

    /* Try a small buffer first; the call reports the size it needs. */
    uint8_t small[16];
    uint8_t *buf = small;
    acme_sensors_temp_list_u8_t raw;
    need = acme_sensors_temp_read_raw(&raw, buf, sizeof small);
    if (need > sizeof small) {
        buf = malloc(need);
        if (!buf) {
            perror("malloc");
            return 1;
        }
        need = acme_sensors_temp_read_raw(&raw, buf, need);
    }
    printf("samples (%zu):", raw.len);
    for (size_t i = 0; i < raw.len; i++)
        printf(" %u", (unsigned)raw.ptr[i]);
    printf("\n");
    if (buf != small)
        free(buf);
    return 0;
}
