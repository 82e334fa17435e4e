;; An ABI import with another core signature than the ABI's.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 check %t.wasm
;; EXIT: 1
(module
  (import "cm32p2|wasi:cli/stdout@0.2" "get-stdout" (func $get_stdout (param i32) (result i64)))
  (memory (export "cm32p2_memory") 1)
  (func $run (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
    i32.const 1
    call $get_stdout
    i32.wrap_i64))
