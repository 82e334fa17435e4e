;; A module importing its memory, which no host provides.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 check %t.wasm
;; EXIT: 1
(module
  (import "env" "memory" (memory 1))
  (func $run (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
    i32.const 0))
