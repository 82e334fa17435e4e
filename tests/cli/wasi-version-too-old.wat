;; `exit-with-code` arrived in WASI 0.2.12; `--wasi-version 0.2.0` refuses it.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 check --wasi-version 0.2.0 %t.wasm
;; EXIT: 1
(module
  (import "cm32p2|wasi:cli/exit@0.2" "exit-with-code" (func $exit_with_code (param i32)))
  (memory (export "cm32p2_memory") 1)
  (func $run (export "cm32p2|wasi:cli/run@0.2|run") (result i32)
    i32.const 3
    call $exit_with_code
    i32.const 0))
