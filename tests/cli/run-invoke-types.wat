;; `--invoke` parses i32, i64, f32 and f64 arguments (integers also in 0x
;; hex and negative) and prints each result on its own line.
;; RUN: wasm-tools parse %s -o %t.wasm
;; RUN: wasit2 run --invoke mix %t.wasm -7 0x7fffffffffffffff 1.5 -0.25
(module
  (memory (export "cm32p2_memory") 1)
  (func (export "mix") (param i32 i64 f32 f64) (result i32 i64 f32 f64)
    local.get 0
    local.get 1
    local.get 2
    f32.const 2
    f32.mul
    local.get 3)
  (func (export "cm32p2|wasi:cli/run@0.2|run") (result i32) (i32.const 0)))
