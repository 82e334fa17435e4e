// `wasit2 run` gives no network by default: a socket can be made, but
// binding it is denied, and so are name lookups (as `wasmtime run`).
// RUN: clang-22 --target=wasm32-wasit2 -O1 %S/inputs/run-net-probe.c -o %t.wasm
// RUN: wasit2 run %t.wasm
