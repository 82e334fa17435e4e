/* wasit2 wasm64: musl's atomic primitives. Single-threaded, so the
 * compiler's __sync builtins suffice; unlike wasm32, pointers are 64-bit
 * and need their own compare-and-swap. */
#ifdef _REENTRANT
#error "wasit2 libc is single-threaded"
#endif

#define a_barrier() (__sync_synchronize())
#define a_cas(p, t, s) (__sync_val_compare_and_swap((p), (t), (s)))
#define a_cas_p(p, t, s) ((void *)__sync_val_compare_and_swap((void *volatile *)(p), (void *)(t), (void *)(s)))
#define a_crash() (__builtin_trap())
#define a_clz_32 __builtin_clz
#define a_clz_64 __builtin_clzll
#define a_ctz_32 __builtin_ctz
#define a_ctz_64 __builtin_ctzll
