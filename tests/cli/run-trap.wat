;; A trap exits 134 (as `wasmtime run`), with the trap message once and one
;; line per frame, Rust and C++ names demangled.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 run %t.wasm
;; EXIT: 134
(module
  (memory (export "cm32p2_memory") 1)
  (func $_ZN4demo5inner17h0123456789abcdefE unreachable)
  (func $_Z5outeri (param i32) (call $_ZN4demo5inner17h0123456789abcdefE))
  (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
    (call $_Z5outeri (i32.const 1))
    (i32.const 0)))
