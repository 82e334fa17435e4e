/* The plugin example (docs/interfaces.md): a reactor that implements the
 * exported interface acme:plugin/handler. Bindings:
 *   wasit2 bindgen --wit plugin.wit --world plugin --name acme_plugin
 * Build:
 *   clang-22 --target=wasm32-wasit2 -mexec-model=reactor plugin.c acme_plugin.c -o plugin.wasm
 * The host calls `cm32p2|acme:plugin/handler@1.0.0|handle`; the generated glue
 * calls the function below. `input` is only valid during the call; the result
 * is malloc'd here and freed by the glue (in the export's `_post`). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "acme_plugin.h"

void acme_plugin_handler_handle(wasit2_string_t input, wasit2_string_t *ret) {
    static const char prefix[] = "handled: ";
    size_t n = sizeof prefix - 1;
    uint8_t *out = malloc(n + input.len + 1);
    if (!out)
        abort();
    memcpy(out, prefix, n);
    for (size_t i = 0; i < input.len; i++)
        out[n + i] = (uint8_t)toupper(input.ptr[i]);
    ret->ptr = out;
    ret->len = n + input.len;
}
