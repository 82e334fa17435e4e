/*
 * The 2022 layer's p1 runtime smoothing (../wasip1/w2p1_runtime.c) for the
 * `--host wasip1` libc of a CMake-era tree. That libc's objects are p1
 * code, and the tree's <wasi/api.h> declares the `__wasi_*` p1 API only
 * under __wasip1__, so this file is compiled as p1 code too.
 */
#undef __wasip2__
#undef __wasit2__
#define __wasip1__ 1
#include "../wasip1/w2p1_runtime.c"
