;; A wasm64 module checked for wasip1, which runs wasm32 only.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 check --host wasip1 %t.wasm
;; EXIT: 1
(module
  (import "cm64p2|wasi:cli/stdout@0.2" "get-stdout" (func $get_stdout (result i32)))
  (memory (export "cm64p2_memory") i64 1)
  (func $run (export "cm64p2|wasi:cli/run@0.2|run") (result i32)
    call $get_stdout))
