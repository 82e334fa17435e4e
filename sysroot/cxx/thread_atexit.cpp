// __cxa_thread_atexit for the single-threaded wasit2 targets (sysroot/src/cxx.rs,
// docs/cxx.md). clang calls it to register the destructor of a thread_local
// object on first use. With one thread, thread storage ends when the program
// does, so the destructor joins the atexit list; registered after the
// statics it follows, it runs before them, as the standard orders it.
// libc++abi's own version needs thread-local keys, which a build without
// threads lacks.
#include <cxxabi.h>

extern "C" int __cxa_atexit(void (*)(void *), void *, void *);

namespace __cxxabiv1 {
extern "C" int __cxa_thread_atexit(void (*dtor)(void *), void *obj, void *dso_handle) noexcept {
  return __cxa_atexit(dtor, obj, dso_handle);
}
} // namespace __cxxabiv1
