/* Keeps dlmalloc out of memory a p1 runtime put into the module's linear
 * memory before the program started (docs/wasip1.md, "Its own heap inside
 * the program's memory").
 *
 * The 2020 WAMR gives a module that exports no `malloc`/`free` an app heap
 * of its own, which it uses for every iovec array of `fd_read`/`fd_write`.
 * It places that heap in pages it adds after the module's initial memory,
 * so at start `memory.size` is larger than the memory the module declared.
 * dlmalloc's first call, `sbrk(0)`, asks where free memory ends, and it
 * takes everything from `__heap_base` to that point as its own, WAMR's heap
 * included.
 *
 * wasit-ld links the `--host wasip1` libc with `--wrap=sbrk`, so dlmalloc
 * calls `__wrap_sbrk`. When memory already reaches past the declared
 * initial memory (`__heap_end`, which wasm-ld defines) on that first call,
 * the answer is `__heap_base`: dlmalloc then sees no initial heap and takes
 * memory only by growing it, above whatever the runtime added. The cost is
 * the small gap between `__heap_base` and `__heap_end`. On runtimes that add
 * nothing (wasmtime), every call goes straight to wasi-libc's `sbrk`. */

#include <stdint.h>
#include <unistd.h>

extern unsigned char __heap_base;
extern unsigned char __heap_end;

void *__real_sbrk(intptr_t increment);

static int asked;

void *__wrap_sbrk(intptr_t increment) {
    if (increment == 0 && !asked) {
        asked = 1;
        uintptr_t now = __builtin_wasm_memory_size(0) * (uintptr_t)65536;
        if ((uintptr_t)&__heap_end < now)
            return &__heap_base;
    }
    asked = 1;
    return __real_sbrk(increment);
}
