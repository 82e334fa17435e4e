// `--` before the module ends wasit2's options; `--env K=V`, `--env K` of a
// variable the host lacks (not set), `--argv0` and `--dir`.
// RUN: clang-22 --target=wasm32-wasit2 -O1 %S/inputs/run-args-probe.c -o %t.wasm
// RUN: wasit2 run --env W2_SET=1 --env W2_NOT_ON_HOST --argv0 probe --dir . -- %t.wasm -x
