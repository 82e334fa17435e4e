;; Imports the host's world does not have: an unknown WASI interface, an
;; unknown function of a known one, and a plain `env` import.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 check %t.wasm
;; EXIT: 1
(module
  (import "cm32p2|wasi:cli/nosuch@0.2" "get-nothing" (func $nothing (result i32)))
  (import "cm32p2|wasi:cli/stdout@0.2" "get-stdin" (func $confused (result i32)))
  (import "env" "helper" (func $helper (result i32)))
  (memory (export "cm32p2_memory") 1)
  (func $run (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
    call $nothing
    call $confused
    i32.add
    call $helper
    i32.add))
