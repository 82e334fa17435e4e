// C++ hello world for scripts/bench-cxx.sh: iostream, nothing else.
#include <iostream>

int main() {
  std::cout << "Hello, world!" << std::endl;
  return 0;
}
