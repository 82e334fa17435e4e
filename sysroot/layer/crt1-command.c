/*
 * wasit2 command entry point: exports wasi:cli/run's `run` under the core
 * build-target name. Returning 0 means `ok`, 1 means `err`; any other exit
 * status leaves through exit()/_Exit(), which the system layer turns into
 * wasi:cli/exit (exit-with-code for codes other than 0 and 1).
 */
#include <stdlib.h>

extern void __wasm_call_ctors(void);
extern void __wasm_call_dtors(void);
extern int __main_void(void);

#if defined(__wasm64__)
#define WASIT2_RUN_EXPORT "cm64p2|wasi:cli/run@0.2|run"
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
