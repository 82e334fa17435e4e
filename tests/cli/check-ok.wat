;; `wasit2 check` accepts a module that imports the ABI with its exact
;; signatures and exports `run`.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 check %t.wasm
(module
  (import "cm32p2|wasi:cli/stdout@0.2" "get-stdout" (func $get_stdout (result i32)))
  (memory (export "cm32p2_memory") 1)
  (func $run (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
    call $get_stdout
    drop
    i32.const 0))
