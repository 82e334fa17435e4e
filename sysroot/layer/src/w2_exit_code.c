/*
 * The exit-with-code hook (docs/componentize.md, "Exit codes and older
 * hosts"). w2s_exit reaches `exit-with-code` only through a weak reference
 * to __wasit2_exit_with_code, so the import exists only in programs that
 * link this file: those that call exit/_Exit/quick_exit/_exit with a
 * status that is not a constant 0 or 1 (the <stdlib.h>/<unistd.h> macros
 * call the functions below), or that name the hook with
 * -Wl,-u,__wasit2_exit_with_code. Everything else runs on any WASI 0.2.x
 * host, which all have `exit`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "wasit2_command.h" /* for the one import this file adds */

void __wasit2_exit_with_code(int status) {
    wasi_cli_exit_exit_with_code((uint8_t)status);
}

_Noreturn void __wasit2_exit(int status) { exit(status); }
_Noreturn void __wasit2__Exit(int status) { _Exit(status); }
_Noreturn void __wasit2_quick_exit(int status) { quick_exit(status); }
