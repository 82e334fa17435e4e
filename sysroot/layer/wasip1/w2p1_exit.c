/*
 * The functions <stdlib.h>'s and <unistd.h>'s exit macros call
 * (<__wasit2_exit.h>), for the `--host wasip1` libc: preview 1's proc_exit
 * carries any status, so they are plain exits here.
 */
#include <stdlib.h>

_Noreturn void __wasit2_exit(int status) { exit(status); }
_Noreturn void __wasit2__Exit(int status) { _Exit(status); }
_Noreturn void __wasit2_quick_exit(int status) { quick_exit(status); }

/* w2_sys.c (shared with this libc) looks this hook up weakly; here any
 * status goes to preview 1's proc_exit, so it is always present. */
#include <wasi/api.h>
void __wasit2_exit_with_code(int status) { __wasi_proc_exit((__wasi_exitcode_t)status); }
