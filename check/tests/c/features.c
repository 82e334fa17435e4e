/*
 * Uses an indirect call and a sign extension; built with clang-22's default
 * features this needs reference-types (overlong call_indirect) and sign-ext.
 */
#include "wasit2_wasip1_callers.h"

static _Alignas(8) unsigned char wret[16];
volatile int narrow = -3;
static int twice(int a) { return a * 2; }
int (*volatile op)(int) = twice;

__attribute__((export_name("cm32p2|wasi:cli/run@0.2|run"))) int32_t __wasit2_run(void) {
    static const char msg[] = "features ran\n";
    signed char c = (signed char)narrow;
    int n = op(c) == -6 ? 13 : 1;
    __wasit2_import_wasi_io_streams_method_output_stream_blocking_write_and_flush(
        __wasit2_import_wasi_cli_stdout_get_stdout(), (int32_t)msg, n, (int32_t)wret);
    return 0;
}
