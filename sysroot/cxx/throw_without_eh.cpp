// The throwing half of the C++ ABI for the libc++abi built without
// exceptions (sysroot/src/cxx.rs, docs/cxx.md). clang-22 compiles C++ for
// WebAssembly with exceptions on in the language but, without
// -fwasm-exceptions, with no way to unwind: a `throw` still calls
// __cxa_allocate_exception and __cxa_throw, and nothing can catch. Code that
// never throws at run time (most of libc++'s inline error paths) then links
// and runs; a throw that does happen ends the program with a message naming
// the fix, as an uncaught exception would.
#include <cxxabi.h>
#include <stdio.h>
#include <stdlib.h>
#include <typeinfo>

namespace {
[[noreturn]] void no_unwinder(const char *what) {
  fprintf(stderr,
          "terminating: %s in C++ code built without -fwasm-exceptions "
          "(rebuild it with -fwasm-exceptions to catch exceptions)\n",
          what);
  fflush(stderr);
  abort();
}
} // namespace

extern "C" {

void *__cxa_allocate_exception(size_t size) noexcept {
  void *p = calloc(1, size);
  if (!p)
    no_unwinder("out of memory for an exception");
  return p;
}

void __cxa_free_exception(void *thrown) noexcept { free(thrown); }

// On wasm the destructor returns its argument (cxxabi.h).
void __cxa_throw(void *, std::type_info *tinfo, void *(*)(void *)) {
  char what[160];
  snprintf(what, sizeof what, "exception of type %s thrown",
           tinfo ? tinfo->name() : "?");
  no_unwinder(what);
}

void __cxa_rethrow() { no_unwinder("exception rethrown"); }

// Only reachable from a handler, which code without an unwinder never enters.
void *__cxa_begin_catch(void *) noexcept { no_unwinder("handler entered"); }
void __cxa_end_catch() { no_unwinder("handler left"); }
void *__cxa_get_exception_ptr(void *) noexcept { no_unwinder("handler entered"); }

} // extern "C"
