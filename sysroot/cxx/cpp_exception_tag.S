# The `__cpp_exception` tag that every C++ throw and catch refers to. LLVM's
# WebAssembly backend leaves it undefined in each object (the definition
# belongs to the runtime); its one parameter is the thrown object's
# address, so it is pointer-sized. Built into libunwind.a of the
# exceptions variant (sysroot/src/cxx.rs).
.globl __cpp_exception
#ifdef __wasm64__
.tagtype __cpp_exception i64
#else
.tagtype __cpp_exception i32
#endif
__cpp_exception:
