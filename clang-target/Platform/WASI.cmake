# CMake platform file for CMAKE_SYSTEM_NAME=WASI, found through the
# CMAKE_MODULE_PATH that clang-target/wasit2.cmake sets (CMake ships none,
# and its generic defaults would name programs without a suffix and objects
# `.obj`).
set(WASI 1)
# A POSIX-like libc (musl-based): projects' `if(UNIX)` branches apply.
set(UNIX 1)

set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
set(CMAKE_STATIC_LIBRARY_PREFIX "lib")
set(CMAKE_STATIC_LIBRARY_SUFFIX ".a")
set(CMAKE_FIND_LIBRARY_PREFIXES "lib")
set(CMAKE_FIND_LIBRARY_SUFFIXES ".a")
# wasm modules are the programs; there are no shared libraries.
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
