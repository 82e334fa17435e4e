// A C++17 program for sysroot/tests/cxx.rs: the standard library parts most
// programs use, and (unless NO_EXCEPTIONS) exceptions thrown and caught,
// across a C frame and rethrown from catch (...). Its output must equal the
// native build's.
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "c_frame.h"

namespace {

struct Shape {
  virtual ~Shape() = default;
  virtual double area() const = 0;
  virtual std::string name() const = 0;
};

struct Rect : Shape {
  double w, h;
  Rect(double w, double h) : w(w), h(h) {}
  double area() const override { return w * h; }
  std::string name() const override { return "rect"; }
};

struct Square : Rect {
  explicit Square(double s) : Rect(s, s) {}
  std::string name() const override { return "square"; }
};

int destroyed = 0;
struct Guard {
  ~Guard() { ++destroyed; }
};

// A thread_local with a destructor: registered through __cxa_thread_atexit.
std::string &trail() {
  thread_local std::string t = "trail:";
  return t;
}

std::string word_counts(const std::string &text) {
  std::istringstream in(text);
  std::map<std::string, int> counts;
  std::string w;
  while (in >> w) ++counts[w];
  std::ostringstream out;
  for (const auto &[word, n] : counts) out << word << '=' << n << ' ';
  return out.str();
}

#ifndef NO_EXCEPTIONS
[[noreturn]] void fail(const std::string &why) {
  Guard g;
  throw std::runtime_error("failed: " + why);
}

// Called by the C function call_back (c_frame.c): the exception unwinds
// through the C frame to the C++ caller.
extern "C" int throwing_callback(int x) {
  if (x > 2) throw std::out_of_range("callback " + std::to_string(x));
  return x * 10;
}

void rethrow_all() {
  try {
    Guard g;
    throw 42;
  } catch (...) {
    std::cout << "catch (...) saw an exception, rethrowing\n";
    throw;
  }
}
#endif

}  // namespace

int main() {
  std::vector<int> v{5, 3, 9, 1, 7, 3};
  std::sort(v.begin(), v.end());
  std::cout << "sorted:";
  for (int x : v) std::cout << ' ' << x;
  std::cout << "\nsum " << std::accumulate(v.begin(), v.end(), 0) << '\n';
  v.erase(std::unique(v.begin(), v.end()), v.end());
  std::cout << "unique " << v.size() << '\n';

  std::vector<std::unique_ptr<Shape>> shapes;
  shapes.push_back(std::make_unique<Rect>(2, 3.5));
  shapes.push_back(std::make_unique<Square>(4));
  std::sort(shapes.begin(), shapes.end(),
            [](const auto &a, const auto &b) { return a->area() > b->area(); });
  for (const auto &s : shapes) std::cout << s->name() << ' ' << s->area() << '\n';

  std::cout << word_counts("the quick fox and the lazy dog and the end") << '\n';

  std::ostringstream f;
  f.precision(3);
  f << std::fixed << 3.14159 << ' ' << std::hex << 255 << ' ' << std::showbase << 255;
  std::cout << f.str() << '\n';
  std::string s = "Hello, wasit2";
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  std::cout << s << " len " << s.size() << " find " << s.find("WASIT") << '\n';
  std::cout << "C says " << call_back(4, nullptr) << '\n';
  for (int x : v) trail() += std::to_string(x);
  std::cout << trail() << '\n';

#ifndef NO_EXCEPTIONS
  try {
    fail("first");
  } catch (const std::exception &e) {
    std::cout << "caught: " << e.what() << " (guards " << destroyed << ")\n";
  }
  try {
    std::cout << "callback 2 -> " << call_back(2, throwing_callback) << '\n';
    std::cout << "callback 3 -> " << call_back(3, throwing_callback) << '\n';
  } catch (const std::out_of_range &e) {
    std::cout << "caught across C: " << e.what() << '\n';
  }
  try {
    rethrow_all();
  } catch (int n) {
    std::cout << "rethrown int " << n << " (guards " << destroyed << ")\n";
  }
  try {
    std::vector<int> small(2);
    std::cout << small.at(5);
  } catch (const std::out_of_range &) {
    std::cout << "vector::at threw out_of_range\n";
  }
#endif
  std::cout << "done\n";
  return 0;
}
