/*
 * wasit2 reactor entry point (`-mexec-model=reactor`): a module with no
 * main whose exports the host calls. The host calls the initializer once,
 * before any other export; it runs the C constructors. Two names lead to
 * it: `_initialize`, the name clang's driver makes the entry of a reactor
 * and the one preview 1 hosts call, and the wasit2 initialize export
 * (`cm32p2_initialize`, `cm64p2_initialize` on wasm64), the one the wasit2
 * host and componentized reactors call. A host that calls both still runs
 * the constructors once.
 */

extern void __wasm_call_ctors(void);

#if defined(__wasm64__)
#define WASIT2_INITIALIZE_EXPORT "cm64p2_initialize"
#else
#define WASIT2_INITIALIZE_EXPORT "cm32p2_initialize"
#endif

static int initialized;

static void initialize_once(void) {
    if (initialized)
        return;
    initialized = 1;
    /* Calling the constructors ourselves also tells wasm-ld not to wrap
     * every export in constructor calls. */
    __wasm_call_ctors();
}

__attribute__((export_name("_initialize")))
void _initialize(void) {
    initialize_once();
}

__attribute__((export_name(WASIT2_INITIALIZE_EXPORT)))
void __wasit2_initialize(void) {
    initialize_once();
}
