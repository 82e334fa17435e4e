/* Plain C between C++ frames: an exception thrown by cb unwinds through
   this frame (compiled with -fwasm-exceptions like the C++ code). */
#include "c_frame.h"

int call_back(int x, int (*cb)(int)) {
  volatile int local = x;
  if (!cb) return local + 1;
  return cb(local) + 1;
}
