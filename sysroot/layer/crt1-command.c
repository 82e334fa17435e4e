/*
 * wasit2 command entry point: exports wasi:cli/run's `run` under the core
 * build-target name. Returning 0 means `ok`, 1 means `err`; any other exit
 * status leaves through exit()/_Exit(), which the system layer turns into
 * wasi:cli/exit (exit-with-code for codes other than 0 and 1 where the
 * program links it; docs/componentize.md).
 */
#include <stdlib.h>

extern void __wasm_call_ctors(void);
extern void __wasm_call_dtors(void);
extern int __main_void(void);

#if defined(__wasm64__)
#define WASIT2_RUN_EXPORT "cm64p2|wasi:cli/run@0.2|run"
/* wasm64 modules are never componentized, so they only meet hosts with
 * exit-with-code: every status main returns is kept (docs/componentize.md,
 * "Exit codes and older hosts"). */
extern void __wasit2_exit_with_code(int);
__attribute__((used)) static void (*const keep_exit_with_code)(int) = __wasit2_exit_with_code;
#else
#define WASIT2_RUN_EXPORT "cm32p2|wasi:cli/run@0.2|run"
#endif

__attribute__((export_name(WASIT2_RUN_EXPORT)))
int __wasit2_run(void) {
    /* Calling the constructors ourselves also tells wasm-ld not to wrap
     * every export in constructor/destructor calls. */
    __wasm_call_ctors();
    int status = __main_void();
    if (status != 0) {
        /* Runs atexit handlers and flushes stdio, then exits with status. */
        exit(status);
    }
    __wasm_call_dtors();
    return 0;
}
