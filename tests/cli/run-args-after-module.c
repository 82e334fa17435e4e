// Everything after the module is the guest's, options included (as
// `wasmtime run`): no directory is preopened here.
// RUN: clang-22 --target=wasm32-wasit2 -O1 %S/inputs/run-args-probe.c -o %t.wasm
// RUN: wasit2 run %t.wasm --dir . -x --help --
