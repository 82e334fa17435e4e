/*
 * Uses what Lime1 has: an indirect call (call-indirect-overlong), a sign
 * extension, and a variable-length copy (memory.copy, bulk-memory-opt).
 * With -msimd128 it also adds two vectors, which Lime1 lacks.
 */
#include "wasit2_wasip1_callers.h"

static _Alignas(8) unsigned char wret[16];
volatile int narrow = -3;
volatile int len = 10;
static const char src[16] = "lime1 ran\n";
static char dst[16];
static int twice(int a) { return a * 2; }
int (*volatile op)(int) = twice;
#ifdef __wasm_simd128__
typedef int v4 __attribute__((vector_size(16)));
volatile v4 va = {1, 2, 3, 4};
#endif

__attribute__((export_name("cm32p2|wasi:cli/run@0.2|run"))) int32_t __wasit2_run(void) {
    __builtin_memcpy(dst, src, len);
    signed char c = (signed char)narrow;
    int n = op(c) == -6 ? len : 1;
#ifdef __wasm_simd128__
    v4 r = va + va;
    n += r[0] - 2;
#endif
    __wasit2_import_wasi_io_streams_method_output_stream_blocking_write_and_flush(
        __wasit2_import_wasi_cli_stdout_get_stdout(), (int32_t)dst, n, (int32_t)wret);
    return 0;
}
