/* A C function between C++ frames (tests/cxx/features.cpp). */
#ifndef C_FRAME_H
#define C_FRAME_H
#ifdef __cplusplus
extern "C" {
#endif
/* Returns cb(x) + 1, or x + 1 when cb is null. */
int call_back(int x, int (*cb)(int));
#ifdef __cplusplus
}
#endif
#endif
