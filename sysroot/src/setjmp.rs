//! setjmp/longjmp: `libsetjmp.a`, built from the layer's `setjmp:` sources,
//! and the clang config lines that leave `-mllvm -wasm-enable-sjlj` the
//! only flag a program needs (docs/sysroot.md, "setjmp and longjmp").

use crate::Cpu;

/// The runtime library, in `lib/<target>/` of the variants that have it.
pub const LIB: &str = "libsetjmp.a";

/// Whether a CPU variant gets libsetjmp.a and the config lines: only the
/// default one, whose engines run wasm exceptions. The -mvp and -lime1
/// engines have none (and clang's setjmp lowering also turns on
/// reference-types and multivalue, which they lack).
pub fn supported(cpu: Cpu) -> bool {
    cpu == Cpu::Default
}

/// Extra compile flags of libsetjmp's sources: `__builtin_wasm_throw`
/// needs the exception-handling proposal.
pub const CFLAGS: &[&str] = &["-mexception-handling"];

/// Lines of the clang configs (C and C++) of the supported variants.
pub const CONFIG: &str = "\
# setjmp/longjmp (docs/sysroot.md): code compiled with -mllvm -wasm-enable-sjlj
# (and C++ with -fwasm-exceptions) throws wasm exceptions in the standard
# (exnref) encoding, not LLVM's legacy default, which wasmtime does not run.
# The flag goes straight to the compiler (-Xclang): the driver would turn it
# into an exception model that code without exceptions cannot be built
# with. Code that uses no exceptions compiles as without it.
-Xclang -mllvm -Xclang -wasm-use-legacy-eh=false
# The runtime of the setjmp lowering; the linker takes members only for a
# program that calls setjmp or longjmp.
-lsetjmp";
