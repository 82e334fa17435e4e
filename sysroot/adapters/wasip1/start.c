/*
 * The p1 command entry point. A wasit2 module's entry is the `run` export;
 * a p1 runtime calls `_start` and reads the exit status from proc_exit.
 * `__wasit2_run` is the symbol the sysroot's crt1-command.c defines for the
 * run export (`cm32p2|wasi:cli/run@0.2|run`): 0 is ok, anything else err.
 * This lives in its own archive member so it is only linked when the
 * linker asks for the `_start` entry.
 */
#include "p1.h"

extern int32_t __wasit2_run(void);

__attribute__((export_name("_start"))) void _start(void) {
    int32_t status = __wasit2_run();
    __wasit2_p1_proc_exit(status == 0 ? 0 : 1);
}
