/*
 * wasit2 system layer: main's arguments (replaces the bottom half's
 * __main_void.c, see SOURCES.txt).
 *
 * The compiler renames a `main(argc, argv)` to __main_argc_argv, and the
 * entry point (crt1-command.c) calls __main_void, which a program whose
 * main takes arguments links from here. The arguments come straight from
 * get-arguments (w2s_argv): one host call, no p1 args_sizes_get/args_get
 * between, and one allocation (no calloc) holding the argv array and the
 * characters after it.
 */
#include <stdlib.h>
#include <sysexits.h>

#include "w2_internal.h"

int __main_argc_argv(int argc, char *argv[]);

W2_COLD_BEGIN

__attribute__((weak)) int __main_void(void) {
    size_t argc, bytes;
    char **argv = w2s_argv(&argc, &bytes);
    /* Only memory can run out here. */
    if (!argv)
        _Exit(EX_OSERR);
    return __main_argc_argv((int)argc, argv);
}

W2_COLD_END
